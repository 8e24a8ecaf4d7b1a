"""The record checks shared by `manage.py poverty_classify` and the API."""

import json

import pytest
from django.core.management import call_command

from ansinh.poverty.records import RecordError, records_check, records_classify


def test_records_check_names_the_bad_record(standards):
    spec = standards.s2022_2025.spec()
    good = {"id": "ok", "area": "rural", "income_per_capita": 900_000, "deprivations": [], "farming": False}
    checked = records_check([good], spec)
    assert records_classify(checked, spec)[0]["class"] == "near_poor"
    with pytest.raises(RecordError) as excinfo:
        records_check([good, {**good, "id": "X9", "deprivations": ["water", "water"]}], spec)
    assert excinfo.value.index == 1
    assert "bản ghi #2 (id 'X9')" in excinfo.value.message
    with pytest.raises(RecordError):
        records_check({"not": "a list"}, spec)


def test_command_refuses_a_bad_file_with_exit_code_2(standards, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": 1, "area": "moon", "income_per_capita": 1, "deprivations": [],
                                 "farming": False}]), encoding="utf-8")  # fmt: skip
    with pytest.raises(SystemExit) as excinfo:
        call_command("poverty_classify", "--standard", "2022-2025", "--input", str(path))
    assert excinfo.value.code == 2
    assert "bản ghi #1 (id 1)" in capsys.readouterr().err
