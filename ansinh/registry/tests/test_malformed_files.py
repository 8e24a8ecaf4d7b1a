"""Malformed and hostile files end to end, through the upload page and the import service: a clear
message on the form and nothing written (no batch, no household, no audit event); hostile text that is
accepted is escaped in pages and neutralised in exports."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.registry.choices import ImportStatus
from ansinh.registry.exporting import household_export_response
from ansinh.registry.models import Household, ImportBatch, Member
from ansinh.registry.services import HouseholdData

from .data.import_files import ROWS, csv_text, xlsx_bytes, zip_bomb_bytes
from .data.import_files import upload as file_upload
from .factories import head, member
from .test_importing import to_cp1258_form

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _post(client, units, content, name, *, dry_run=False):
    data = {"commune": units.tho_xuan.pk, "mode": "create", "file": file_upload(content, name)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("registry:import_create"), data)


def _with_macros(data: bytes) -> bytes:
    """The workbook plus a VBA project part, as Excel saves an .xlsm."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info.filename))
        out.writestr(
            "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Sub AutoOpen(): Shell "calc": End Sub'
        )
    return target.getvalue()


def _utf32() -> bytes:
    return csv_text().encode("utf-32")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ho.xlsx", lambda: xlsx_bytes()[: len(xlsx_bytes()) // 2], "Excel"),  # truncated while copying
        ("ho.xlsx", lambda: xlsx_bytes()[:-22], "Excel"),  # only the end-of-archive record lost
        ("bom.xlsx", zip_bomb_bytes, "nén bất thường"),
        ("ho.csv", _utf32, "ký tự nhị phân"),  # UTF-32: NULs everywhere
        ("ho.csv", lambda: b"\x00\x01" * 100, "ký tự nhị phân"),
        ("ho.docx", lambda: b"PK\x03\x04", "Chỉ nhận tệp"),
        ("ho.csv", lambda: b"", "rỗng"),
    ],
    ids=["truncated-xlsx", "xlsx-no-end-record", "zip-bomb", "utf-32", "binary-as-csv", "wrong-extension", "empty"],
)
def test_unreadable_upload_is_refused_on_the_form_and_nothing_is_written(client, units, users, name, content, message):
    client.force_login(users.commune_officer)
    before = AuditEvent.objects.count()
    response = _post(client, units, content(), name)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors
    assert not ImportBatch.objects.exists()
    assert not Household.objects.exists()
    assert AuditEvent.objects.count() == before


def test_file_over_the_size_limit_is_refused_before_it_is_read(client, units, users, settings):
    settings.ANSINH_MAX_UPLOAD_BYTES = 1024
    client.force_login(users.commune_officer)
    response = _post(client, units, csv_text(ROWS * 20).encode(), "ho.csv")
    assert response.status_code == 200
    assert "Tệp quá lớn" in " ".join(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()
    assert not Household.objects.exists()


@pytest.mark.parametrize("name", ["ho.xlsm", "ho.xlsx"])
def test_macros_are_never_run_the_workbook_reads_as_plain_values(
    client, units, users, name, django_capture_on_commit_callbacks
):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, units, _with_macros(xlsx_bytes()), name)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.COMMITTED
    assert sorted(Member.objects.values_list("full_name", flat=True)) == sorted(r[2] for r in ROWS)


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16"])
def test_windows_and_utf16_files_import_with_the_same_names(
    client, units, users, encoding, django_capture_on_commit_callbacks
):
    text = csv_text()
    content = (to_cp1258_form(text) if encoding == "cp1258" else text).encode(encoding)
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, units, content, "ho.csv")
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.encoding) == (ImportStatus.COMMITTED, encoding)
    assert sorted(Member.objects.values_list("full_name", flat=True)) == sorted(r[2] for r in ROWS)


def test_formulas_in_cells_are_reported_and_their_household_not_written(
    client, units, users, django_capture_on_commit_callbacks
):
    rows = [
        ["H1", "", '=HYPERLINK("http://x","An")', "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""],
        ["H2", "", "@SUM(1+1)", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""],
        ["H3", "", "Hà Thị Dung", "Chủ hộ", "Nữ", "", "1950", "", "", "", "", ""],
    ]
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, units, xlsx_bytes(rows), "ho.xlsx", dry_run=True)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATED
    html = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "không được bắt đầu bằng ký tự" in html
    assert not Household.objects.exists()  # a dry run writes nothing; H1 and H2 would be refused


def _hostile_household(units, users):
    from ansinh.registry.services import household_register

    return household_register(
        actor=users.commune_officer, commune=units.tho_xuan,
        data=HouseholdData(code="<b>H1</b>", village=units.t1, facts={
            "address": f"=1+2 {HOSTILE}", "phone": "+84<i>9</i>", "notes": f"-{HOSTILE}",
        }),
        members=[head(f"Nguyễn {HOSTILE}"), member(f"Lê '\"&<>{HOSTILE}")],
    )  # fmt: skip


def test_html_in_every_text_field_is_escaped_on_the_household_page(client, units, users):
    household = _hostile_household(units, users)
    client.force_login(users.commune_officer)
    pages = [
        client.get(reverse("registry:household_detail", kwargs={"pk": household.pk})),
        client.get(reverse("registry:household_list")),
        client.get(reverse("registry:household_edit", kwargs={"pk": household.pk})),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>H1</b>" not in html
    detail = pages[0].content.decode()
    assert "&lt;script&gt;alert(" in detail
    assert "&lt;b&gt;H1&lt;/b&gt;" in detail


def test_hostile_text_is_neutralised_in_csv_and_xlsx_exports(units, users):
    _hostile_household(units, users)
    response = household_export_response(user=users.commune_officer, params={}, file_format="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    head_row = dict(zip(header, rows[1], strict=True))
    assert head_row["Địa chỉ"].startswith("'=1+2")
    assert head_row["Điện thoại"].startswith("'+84")
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    response = household_export_response(user=users.commune_officer, params={}, file_format="xlsx")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    for row in ws.iter_rows(min_row=2, values_only=True):
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(c.data_type == "f" for r in ws.iter_rows() for c in r) is False  # no cell is a formula
