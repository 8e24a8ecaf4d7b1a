"""python manage.py import_households: one JSON line, exit code 2 on bad input."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ansinh.audit.models import AuditEvent
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household

from .data.import_files import ROWS, csv_bytes


def _call(*args):
    out, err = StringIO(), StringIO()
    call_command("import_households", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_one_json_line_and_is_idempotent_in_update_mode(units, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes())
    out, _err = _call(str(path), "--commune", "16000")
    assert out.count("\n") == 1
    assert json.loads(out) == {"created": 2, "updated": 0, "skipped": 0, "invalid": 0, "error_file": None}
    assert Household.objects.count() == 2
    assert AuditEvent.objects.filter(event_type=RegistryEventType.IMPORT_COMMITTED, actor__isnull=True).exists()
    out, _err = _call(str(path), "--commune", "16000", "--mode", "update")
    assert json.loads(out) == {"created": 0, "updated": 0, "skipped": 2, "invalid": 0, "error_file": None}


def test_invalid_rows_write_an_error_file_and_dry_run_writes_nothing(units, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes([*ROWS, ["H9", "T9", "X", "Chủ hộ", "Nam", "", "1990", "", "", "", "", ""]]))
    out, _err = _call(str(path), "--commune", "16000", "--dry-run")
    result = json.loads(out)
    assert (result["created"], result["invalid"]) == (2, 1)
    assert result["error_file"].endswith("ho-ket-qua.xlsx")
    assert (tmp_path / "ho-ket-qua.xlsx").exists()
    assert not Household.objects.exists()


def test_legacy_structure_commune(units, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes([["L1", "", "Cũ", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]))
    out, _err = _call(str(path), "--commune", "15850", "--structure", "legacy")
    assert json.loads(out)["created"] == 1
    assert Household.objects.get().commune == units.xuan_hong


@pytest.mark.parametrize(
    "args",
    [
        ("--commune", "99999"),  # unknown commune
        ("--commune", "16000", "--structure", "legacy"),  # not a commune of that structure
    ],
)
def test_unknown_commune_exits_with_code_2(units, tmp_path, args, capsys):
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes())
    with pytest.raises(SystemExit) as info:
        _call(str(path), *args)
    assert info.value.code == 2
    assert not Household.objects.exists()


def test_unreadable_file_and_missing_file_exit_with_code_2(units, tmp_path):
    path = tmp_path / "ho.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as info:
        _call(str(path), "--commune", "16000")
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        _call(str(tmp_path / "none.csv"), "--commune", "16000")
    assert info.value.code == 2


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(units, tmp_path, settings, monkeypatch):
    """A 1 GB file must not be read into memory only to be refused: its size on disk decides."""
    settings.ANSINH_MAX_UPLOAD_BYTES = 1024
    path = tmp_path / "lon.csv"
    path.write_bytes(csv_bytes() + b"x" * 2048)

    def no_read(self):  # the command must not get as far as reading the bytes
        raise AssertionError("the file was read")

    monkeypatch.setattr(type(path), "read_bytes", no_read)
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_households", str(path), "--commune", "16000", stdout=StringIO(), stderr=err)
    assert info.value.code == 2
    assert "Tệp quá lớn" in err.getvalue()
    assert not Household.objects.exists()


def test_an_empty_file_is_refused(units, tmp_path):
    path = tmp_path / "rong.csv"
    path.write_bytes(b"")
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_households", str(path), "--commune", "16000", stdout=StringIO(), stderr=err)
    assert info.value.code == 2
    assert "Tệp rỗng" in err.getvalue()


def test_bad_arguments_are_refused(units, tmp_path):
    with pytest.raises(CommandError):
        _call(str(tmp_path / "x.csv"), "--commune", "16000", "--mode", "replace")


def test_bad_arguments_exit_2_from_the_command_line(units, tmp_path):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as info:
        ManagementUtility(["manage.py", "import_households", "x.csv", "--mode", "replace"]).execute()
    assert info.value.code == 2


def test_export_command_masks_by_default_and_round_trips(units, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes())
    _call(str(path), "--commune", "16000")
    out_file = tmp_path / "out.csv"
    out = StringIO()
    call_command("export_households", "--commune", "16000", "--output", str(out_file), stdout=out)
    assert json.loads(out.getvalue()) == {"rows": 4, "output": str(out_file)}
    text = out_file.read_text(encoding="utf-8-sig")
    assert "•••••••••234" in text and "038075001234" not in text
    call_command("export_households", "--commune", "16000", "--output", str(out_file), "--full-identity", stdout=out)
    assert "038075001234" in out_file.read_text(encoding="utf-8-sig")
    assert AuditEvent.objects.filter(event_type=RegistryEventType.EXPORT_DOWNLOADED, actor__isnull=True).count() == 2
    # The export is an import file: importing it again in update mode changes nothing.
    result, _err = _call(str(out_file), "--commune", "16000", "--mode", "update")
    assert json.loads(result) == {"created": 0, "updated": 0, "skipped": 2, "invalid": 0, "error_file": None}


def test_export_command_unknown_commune_exits_2(units, tmp_path):
    with pytest.raises(SystemExit) as info:
        call_command("export_households", "--commune", "00000", stdout=StringIO(), stderr=StringIO())
    assert info.value.code == 2
