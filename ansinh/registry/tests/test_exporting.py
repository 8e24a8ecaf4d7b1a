"""The registry export (streamed, scoped, masked, neutralised, audited) and the import template."""

import csv
import io

from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.registry.events import RegistryEventType
from ansinh.registry.exporting import household_export_response, neutralise, result_workbook, template_workbook
from ansinh.registry.importing import COLUMNS, parse_upload
from ansinh.registry.models import Household
from ansinh.registry.services_import import import_rows

from .factories import head, make_household, member


def _households(units, users, *, odd_name="@Lạ Tên"):
    make_household(units.tho_xuan, village=units.t1, code="H1", actor=users.commune_officer,
                   members=[head(id_number="038075001234"), member()], address="=HYPERLINK(\"http://x\")",
                   phone="+84912345678")  # fmt: skip
    make_household(units.tho_xuan, village=units.t2, code="H2", actor=users.commune_officer,
                   members=[head(name=odd_name, birth_date=None, birth_year=1960)])  # fmt: skip
    make_household(units.mdrak, village=units.b1, code="D1", actor=users.commune_officer_dl,
                   members=[head(name="Y Ksor")])  # fmt: skip


def _csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.streaming_content)
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_csv_export_is_streamed_scoped_neutralised_and_audited(units, users):
    _households(units, users)
    response = household_export_response(user=users.commune_officer, params={}, file_format="csv")
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Mã hộ", "Thôn", "Họ và tên"]
    assert [r[0] for r in body] == ["H1", "H1", "H2"]  # not M'Đrắk's household
    by_name = {r[2]: dict(zip(header, r, strict=True)) for r in body}
    an = by_name["Nguyễn Văn An"]
    assert an["Số CCCD"] == "038075001234"  # the officer may see full numbers
    assert an["Địa chỉ"] == '\'=HYPERLINK("http://x")'
    assert an["Điện thoại"] == "'+84912345678"
    assert an["Ngày sinh"] == "02/03/1975"
    assert an["Quan hệ với chủ hộ"] == "Chủ hộ"
    assert "'@Lạ Tên" in by_name
    event = AuditEvent.objects.get(event_type=RegistryEventType.EXPORT_DOWNLOADED)
    assert event.actor == users.commune_officer
    assert event.changes["new"]["rows"] == 3
    assert event.changes["new"]["format"] == "csv"
    assert response["X-Row-Count"] == "3"


def test_export_writes_codes_as_words_of_the_active_language(units, users):
    from django.utils import translation

    _households(units, users)
    flag = next(c.key for c in COLUMNS if c.kind == "flag")
    Household.objects.filter(code="H1").update(**{flag: True})
    for language, words in [("vi", ("Chủ hộ", "Nam", "Có", "Không", "Đang quản lý")),
                            ("en", ("Head of household", "Male", "Yes", "No", "Active"))]:  # fmt: skip
        with translation.override(language):
            rows = _csv_rows(household_export_response(user=users.commune_officer, params={}, file_format="csv"))
        an = {h: v for h, v in zip(rows[0], rows[1], strict=True)}
        head_word, male, yes, no, active = words
        assert (an[rows[0][3]], an[rows[0][4]]) == (head_word, male)
        assert set(rows[1]) >= {yes, no, active}


def test_cccd_is_masked_without_view_full_identity(units, users):
    _households(units, users)
    rows = _csv_rows(household_export_response(user=users.province_officer, params={}, file_format="csv"))
    index = rows[0].index("Số CCCD")
    assert rows[1][index] == "•••••••••234"


def test_list_filters_apply_and_are_recorded(units, users):
    _households(units, users)
    params = {"village": str(units.t2.pk), "ignored": "x"}
    rows = _csv_rows(household_export_response(user=users.commune_officer, params=params, file_format="csv"))
    assert [r[0] for r in rows[1:]] == ["H2"]
    event = AuditEvent.objects.get(event_type=RegistryEventType.EXPORT_DOWNLOADED)
    assert event.changes["new"]["filters"] == {"village": str(units.t2.pk)}
    rows = _csv_rows(household_export_response(user=users.commune_officer, params={"q": "nguyen van an"},
                                               file_format="csv"))  # fmt: skip
    assert {r[0] for r in rows[1:]} == {"H1"}
    rows = _csv_rows(household_export_response(user=users.commune_officer, params={"flag": "has_meritorious_person"},
                                               file_format="csv"))  # fmt: skip
    assert rows[1:] == []
    rows = _csv_rows(household_export_response(user=users.commune_officer, params={"flag": "bogus"}, file_format="csv"))
    assert rows[1:] == []
    rows = _csv_rows(household_export_response(user=users.commune_officer, params={"commune": str(units.mdrak.pk)},
                                               file_format="csv"))  # fmt: skip
    assert rows[1:] == []  # another province's commune in the filter does not widen the scope


def test_xlsx_export_streams_a_workbook_with_inert_cells(units, users):
    _households(units, users)
    response = household_export_response(user=users.commune_officer, params={}, file_format="xlsx")
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert len(values) == 4
    address_col = values[0].index("Địa chỉ")
    assert values[1][address_col] == '\'=HYPERLINK("http://x")'
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_rows_keep_text_as_text_and_dates_in_the_vietnamese_format():
    from datetime import date

    from ansinh.registry.exporting import _xlsx_stream

    rows = [["#N/A", "=1", "An\x02", date(2001, 2, 3), 45.5, None, True]]
    ws = load_workbook(io.BytesIO(b"".join(_xlsx_stream(iter(rows), list("ABCDEFG"))))).active
    cells = ws[2]
    assert [(c.value, c.data_type) for c in cells[:3]] == [("#N/A", "s"), ("=1", "s"), ("An", "s")]
    assert (cells[3].value.date(), cells[3].number_format) == (date(2001, 2, 3), "DD/MM/YYYY")
    assert [c.value for c in cells[4:]] == [45.5, None, True] and ws["A1"].font.b


def test_export_then_import_in_update_mode_changes_nothing(units, users):
    # Neutralised cells ("'=…", "'+84…") read back as the stored text; masked CCCDs read as "unchanged".
    _households(units, users, odd_name="Lạ Tên")
    response = household_export_response(user=users.province_officer, params={}, file_format="xlsx")
    sheet = parse_upload(b"".join(response.streaming_content), "export.xlsx")
    versions = dict(Household.objects.values_list("code", "version"))
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=sheet, mode="update", write=True)
    assert result.counts["invalid"] == 0, result.error_list()
    assert result.counts["skipped"] == 2
    assert dict(Household.objects.values_list("code", "version")) == versions


def test_neutralise():
    assert neutralise("=1+2") == "'=1+2"
    assert neutralise("-3") == "'-3"
    assert neutralise("An") == "An"
    assert neutralise(-3) == -3


def test_template_has_instructions_code_lists_and_only_the_users_villages(units, users):
    wb = load_workbook(io.BytesIO(template_workbook(user=users.commune_officer)))
    assert wb.sheetnames[:2] == ["Danh sách hộ", "Hướng dẫn"]
    for name in ("Quan hệ", "Giới tính", "Dân tộc", "Thôn", "Nguồn nước", "Nhà tiêu", "Có-Không"):
        assert name in wb.sheetnames
    data = wb["Danh sách hộ"]
    assert data.freeze_panes == "A2"
    assert data["A1"].value == "Mã hộ"
    assert len(data.data_validations.dataValidation) >= 10
    villages = [row[0] for row in wb["Thôn"].iter_rows(min_row=2, values_only=True)]
    assert sorted(villages) == ["T1", "T2"]  # not Buôn Ea Khanh of Đắk Lắk
    assert wb["Dân tộc"].max_row == 55
    relations = [row[0] for row in wb["Quan hệ"].iter_rows(min_row=2, values_only=True)]
    assert "Chủ hộ" in relations
    instructions = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "dòng chủ hộ" in instructions and "Chạy thử" in instructions


def test_export_query_count_does_not_grow_with_households(units, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries():
        response = household_export_response(user=users.commune_officer, params={}, file_format="csv")
        with CaptureQueriesContext(connection) as captured:
            rows = _csv_rows(response)
        return len(captured.captured_queries), len(rows)

    for index in range(2):
        make_household(units.tho_xuan, code=f"A{index}", actor=users.commune_officer)
    few = count_queries()
    for index in range(8):
        make_household(units.tho_xuan, code=f"B{index}", actor=users.commune_officer)
    many = count_queries()
    assert many[1] == 21 and few[1] == 5
    assert many[0] == few[0]  # households and members are read in chunks, not one query per household


def test_result_workbook_keeps_formulas_as_text_pads_short_rows_and_filters_every_row(units, users):
    from .data.import_files import ROWS, csv_bytes

    rows = [*ROWS,
            ["H04", "T1", "=1+2", "Chủ hộ", "Nam", "", "1980", "", "12345", "", "", ""],
            ["H05", "T1", "Trần Thị C", "Chủ hộ", "Nữ", "", "1990"],  # a short row
            ["H06", "#N/A", "Lê Văn\x01 D", "Chủ hộ", "Nam", "", "1990"]]  # fmt: skip
    sheet = parse_upload(csv_bytes(rows), "a.csv")
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=sheet, mode="create", write=False)
    wb = load_workbook(io.BytesIO(result_workbook(result, title="=tep.csv")))
    ws = wb["Kết quả"]
    width = len(sheet.headers)
    assert wb.sheetnames == ["Kết quả", "Tóm tắt"] and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{chr(ord('A') + width + 1)}{len(rows) + 1}"
    formula = ws.cell(row=len(ROWS) + 2, column=3)
    assert (formula.value, formula.data_type) == ("=1+2", "s")
    assert formula.comment.text == "Họ tên không được bắt đầu bằng ký tự “=”."
    cccd = ws.cell(row=len(ROWS) + 2, column=9)  # the bad CCCD on the same row is reported too
    assert cccd.comment.text == "Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số); số đã nhập có 5 chữ số."
    short = [c.value for c in ws[len(ROWS) + 3]]
    assert short[:7] == ["H05", "T1", "Trần Thị C", "Chủ hộ", "Nữ", None, "1990"]
    assert short[width:] == ["Sẽ thêm", None]  # the outcome in its own column, the error column empty
    bad = [c.value for c in ws[len(ROWS) + 2]]
    assert bad[width] == "Lỗi – chưa ghi" and bad[width + 1].startswith("Dòng 6 — Họ và tên: ")
    odd = ws[len(ROWS) + 4]  # an Excel error code stays text; a control character is dropped
    assert (odd[1].value, odd[1].data_type, odd[1].fill.fgColor.rgb[-6:]) == ("#N/A", "s", "F8CBAD")
    assert odd[2].value == "Lê Văn D" and ws.row_dimensions[1].height == 32
    summary = {r[0].value: r[1].value for r in wb["Tóm tắt"].iter_rows()}
    assert summary["Tệp"] == "=tep.csv" and wb["Tóm tắt"]["B1"].data_type == "s"


def test_result_workbook_shows_real_date_cells_as_day_month_year(units, users):
    from datetime import datetime

    from .data.import_files import xlsx_bytes

    rows = [["H09", "T1", "Đinh Văn Hải", "Chủ hộ", "Nam", datetime(1975, 3, 2), "", "", "12345", "", "", ""]]
    sheet = parse_upload(xlsx_bytes(rows), "ngay.xlsx")
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=sheet, mode="create", write=False)
    ws = load_workbook(io.BytesIO(result_workbook(result)))["Kết quả"]
    born, cccd = ws["F2"], ws["I2"]
    assert (born.value, born.number_format) == (datetime(1975, 3, 2), "DD/MM/YYYY")
    assert cccd.fill.fgColor.rgb.endswith("F8CBAD") and "12 chữ số" in cccd.comment.text


def test_xlsx_rows_beyond_a_sheet_go_on_in_another_sheet_with_the_headers(monkeypatch):
    from ansinh.registry import exporting

    monkeypatch.setattr(exporting, "XLSX_SHEET_ROWS", 2)
    rows = [[f"H{i}", i] for i in range(5)]
    wb = load_workbook(io.BytesIO(b"".join(exporting._xlsx_stream(iter(rows), ["Mã hộ", "Số"]))))
    assert wb.sheetnames == ["Danh sách hộ", "Danh sách hộ (2)", "Danh sách hộ (3)"]
    assert [[c.value for c in r] for r in wb["Danh sách hộ (3)"].iter_rows()] == [["Mã hộ", "Số"], ["H4", 4]]
    assert sum(ws.max_row - 1 for ws in wb) == 5
    empty = load_workbook(io.BytesIO(b"".join(exporting._xlsx_stream(iter([]), ["Mã hộ"]))))
    assert empty.sheetnames == ["Danh sách hộ"] and empty.active["A1"].value == "Mã hộ"


def test_a_list_filtered_by_class_exports_that_class_only(units, users):
    from ansinh.registry.services import households_poverty_summary_set

    _households(units, users)
    poor = Household.objects.get(code="H2")
    households_poverty_summary_set([(poor.pk, "poor")], standard_code="2022-2025", on_date=poor.created_at.date())
    params = {"poverty_class": "poor"}
    response = household_export_response(user=users.commune_officer, params=params, file_format="csv")
    assert {r[0] for r in _csv_rows(response)[1:]} == {"H2"}
    event = AuditEvent.objects.filter(event_type=RegistryEventType.EXPORT_DOWNLOADED).latest("id")
    assert event.changes["new"]["filters"] == {"poverty_class": "poor"}
