"""Reading household files: encodings, delimiters, xlsx, formulas, limits, cell readers."""

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ansinh.registry import importing
from ansinh.registry.importing import CellError, parse_upload, read_cell, read_date, read_decimal, read_id

from .data.import_files import HEADERS, ROWS, csv_bytes, csv_text, xlsx_bytes, zip_bomb_bytes

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258_form(text: str) -> str:
    """How Windows-1258 writes Vietnamese: letters like â, ơ precomposed, tone marks as combining marks."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(p for p in parts if p in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES)) + tones)
    return "".join(out)


def _names(sheet):
    return [sheet.cell(cells, "full_name") for _n, cells in sheet.rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_the_same_csv_reads_alike_in_every_encoding(encoding):
    text = csv_text()
    if encoding == "cp1258":
        text = to_cp1258_form(text)
    sheet = parse_upload(text.encode(encoding), "ho.csv")
    assert sheet.file_format == "csv"
    assert (
        sheet.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "cp1258": "cp1258"}[encoding]
    )
    assert _names(sheet) == [r[2] for r in ROWS]
    assert all(unicodedata.is_normalized("NFC", n) for n in _names(sheet))
    assert sheet.headers[:3] == ["Mã hộ", "Thôn", "Họ và tên"]


def test_semicolon_delimiter_is_detected():
    sheet = parse_upload(csv_bytes(delimiter=";"), "ho.csv")
    assert sheet.cell(sheet.rows[0][1], "code") == "H01"
    assert sheet.cell(sheet.rows[3][1], "water_source") == "gieng khoan, gieng dao duoc bao ve"


def test_xlsx_with_a_title_row_above_the_headers():
    sheet = parse_upload(xlsx_bytes(title_rows=2), "ho.xlsx")
    assert sheet.file_format == "xlsx"
    assert sheet.header_row == 3
    assert [n for n, _c in sheet.rows] == [4, 5, 6, 7]  # row numbers as Excel shows them
    assert _names(sheet)[0] == "Nguyễn Văn An"


def test_xlsx_data_on_a_later_sheet_after_blank_columns_reads_as_excel_shows_it():
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["B2"] = "Điền danh sách ở trang sau"
    ws = wb.create_sheet("Danh sách")
    for offset, row in enumerate([HEADERS, *ROWS]):
        for index, value in enumerate(row):
            ws.cell(row=3 + offset, column=3 + index, value=value or None)  # data from C3
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = parse_upload(buffer.getvalue(), "ho.xlsx")
    assert sheet.header_row == 3 and sheet.headers[:2] == ["", ""] and sheet.keys[:3] == [None, None, "code"]
    assert [n for n, _c in sheet.rows] == [4, 5, 6, 7]
    assert _names(sheet) == [r[2] for r in ROWS]
    assert sheet.cell(sheet.rows[3][1], "village") == "Thôn 2"


def test_headers_match_without_accents_and_unknown_columns_are_ignored():
    headers = ["ma ho", "HO VA TEN", "quan he", "gioi tinh", "nam sinh", "Cột riêng của xã", "Kết quả", "Lỗi"]
    sheet = parse_upload(csv_bytes([["A1", "X", "Chủ hộ", "Nam", "1970", "x", "Lỗi – chưa ghi", "..."]], headers),
                         "a.csv")  # fmt: skip
    assert sheet.keys == ["code", "full_name", "relation", "sex", "birth_year", None, None, None]


def test_missing_required_columns_are_named():
    with pytest.raises(ValidationError) as info:
        parse_upload(csv_bytes([["H1", "An"]], ["Mã hộ", "Họ và tên"]), "a.csv")
    assert "Quan hệ với chủ hộ" in info.value.messages[0]
    assert "Ngày sinh hoặc Năm sinh" in info.value.messages[0]


def test_formula_cells_are_data_never_evaluated():
    rows = [["H1", "", '=HYPERLINK("http://x","An")', "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]
    sheet = parse_upload(xlsx_bytes(rows), "f.xlsx")
    assert sheet.cell(sheet.rows[0][1], "full_name") == '=HYPERLINK("http://x","An")'
    with pytest.raises(CellError):
        read_cell("full_name", sheet.cell(sheet.rows[0][1], "full_name"))
    # A real formula written without a cached value reads as its (empty) stored value.
    sheet = parse_upload(xlsx_bytes(rows, as_text=False), "f.xlsx")
    assert sheet.cell(sheet.rows[0][1], "full_name") == ""


def test_oversize_file_is_refused(settings):
    settings.ANSINH_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as info:
        parse_upload(csv_bytes(), "ho.csv")
    assert "quá lớn" in info.value.messages[0]


def test_zip_bomb_is_refused_before_parsing():
    with pytest.raises(ValidationError) as info:
        parse_upload(zip_bomb_bytes(), "bom.xlsx")
    assert info.value.code == "zip_bomb"
    assert "nén bất thường" in info.value.messages[0]


def test_total_uncompressed_size_is_bounded(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(ValidationError) as info:
        parse_upload(xlsx_bytes(), "ho.xlsx")
    assert info.value.code == "zip_bomb"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"PK\x03\x04 not really", "hong.xlsx", "bad_xlsx"),
        (b"\x00\x01\x02binary", "x.csv", "bad_encoding"),
        (b"", "rong.csv", "empty"),
        (b"abc", "tep.pdf", "bad_extension"),
        ("Tiêu đề;khác\n1;2\n".encode(), "a.csv", "no_header"),
    ],
)
def test_unreadable_files_get_a_clear_message(content, name, code):
    with pytest.raises(ValidationError) as info:
        parse_upload(content, name)
    assert info.value.code == code
    assert info.value.messages[0]


def test_header_only_file_is_refused():
    with pytest.raises(ValidationError) as info:
        parse_upload(csv_bytes([]), "a.csv")
    assert info.value.code == "empty"


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("relation", "VỢ/CHỒNG", "spouse"),
        ("relation", "con dau", "child_in_law"),
        ("relation", "grandchild", "grandchild"),
        ("sex", "nữ", "female"),
        ("sex", "NAM", "male"),
        ("health_insurance", "có", "yes"),
        ("disability", "Khuyet tat nang", "severe"),
        ("allowance", "Không", "none"),
        ("has_meritorious_person", "x", True),
        ("lone_household", "Không", False),
        ("housing_area_m2", "1.234,5", Decimal("1234.5")),
        ("housing_area_m2", 40, Decimal("40.0")),
        ("info_devices", "Ti vi; dien thoai thong minh", ["tv", "smartphone"]),
        ("phone", 912345678.0, "0912345678"),
    ],
)
def test_coded_cells_accept_labels_and_codes_in_any_case_and_accent(key, raw, expected):
    assert read_cell(key, raw) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "code"), [("Kinh", "01"), ("muong", "06"), ("6", "06"), ("Khơ-me", "05"),
                                            ("Dân tộc Tày", "02")])  # fmt: skip
def test_ethnicity_by_code_or_name(raw, code):
    assert read_cell("ethnicity_code", raw) == code


@pytest.mark.django_db
def test_unknown_ethnicity_is_a_cell_error():
    with pytest.raises(CellError, match="không có trong danh mục"):
        read_cell("ethnicity_code", "Sao Hỏa")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("02/03/1975", (date(1975, 3, 2), None)), ("2.3.1975", (date(1975, 3, 2), None)),
     ("1975-03-02", (date(1975, 3, 2), None)), (date(1975, 3, 2), (date(1975, 3, 2), None)), ("1975", (None, 1975)),
     ("", (None, None))],
)  # fmt: skip
def test_dates(raw, expected):
    assert read_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/1990", "1990/31/12", "hôm qua"])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        read_date(raw)


def test_excel_numeric_cccd_gets_its_leading_zero_back_and_masked_numbers_read_blank():
    assert read_id(38075001234.0) == "038075001234"
    assert read_id(" 038 075 001 234 ") == "038 075 001 234"
    assert read_id("•••••••••234") == ""


def test_unknown_code_names_the_column():
    with pytest.raises(CellError, match="Quan hệ với chủ hộ"):
        read_cell("relation", "hàng xóm")


def test_template_headers_are_the_file_headers():
    assert importing.match_header("Diện tích nhà (m²)") == "housing_area_m2"
    assert importing.match_header("Số CCCD/CMND") == "id_number"
    assert set(HEADERS) <= {str(c.header) for c in importing.COLUMNS}


def test_vietnamese_headers_and_labels_are_read_whatever_the_interface_language():
    from django.utils import translation

    with translation.override("en"):
        assert importing.match_header("Quan hệ với chủ hộ") == "relation"
        assert read_cell("relation", "Chủ hộ") == "head"
        assert read_cell("sex", "Nữ") == "female"


def test_rows_are_stored_compactly_and_read_back_unchanged():
    from datetime import datetime

    from ansinh.registry.importing import CompactRows

    rows = CompactRows()
    samples = [["H01", "Nguyễn Văn An", "", "=1+1"], ["a\x1fb", "c"], ["H02", 12.0, None, datetime(2020, 1, 2)], []]
    for number, cells in enumerate(samples, start=2):
        rows.append(number, cells)
    assert len(rows) == 4
    assert list(rows) == [(n, c) for n, c in enumerate(samples, start=2)]
    assert rows[1] == (3, ["a\x1fb", "c"]) and rows[-1] == (5, [])
    assert rows[1:3] == [(3, samples[1]), (4, samples[2])]


def test_csv_lines_are_cut_as_a_newline_aware_reader_cuts_them():
    """Quoted line breaks stay in their cell; \r\n, \r and \n all end a row."""
    text = 'Mã hộ,Họ và tên,Quan hệ với chủ hộ,Giới tính,Năm sinh\r\nH1,"An\r\nB",Chủ hộ,Nam,1970\r'
    text += "H2,Bình,Chủ hộ,Nữ,1980\n"
    sheet = parse_upload(text.encode("utf-8"), "ho.csv")
    assert [(n, sheet.cell(c, "full_name")) for n, c in sheet.rows] == [(2, "An\r\nB"), (3, "Bình")]


def test_spilled_blobs_round_trip_in_memory_and_in_their_temporary_file():
    import random

    from ansinh.registry.importing import SpilledBlobs

    rng = random.Random(5)
    blobs = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    for spill_bytes in (0, 1, 37, 10_000_000):  # always, often, sometimes, never in the file
        stored = SpilledBlobs(spill_bytes)
        for index, blob in enumerate(blobs):
            assert stored.append(blob) == index
            assert stored[index] == blob and stored[-1] == blob  # readable at once, from the buffer or the file
        assert len(stored) == len(blobs)
        assert list(stored) == blobs
        order = list(range(len(blobs)))
        rng.shuffle(order)
        assert [stored[i] for i in order] == [blobs[i] for i in order]  # random reads move the read window
        with pytest.raises(IndexError):
            stored[len(blobs)]
        stored.close()


def test_compact_rows_read_back_unchanged_when_spilled_to_their_file():
    from datetime import datetime

    from ansinh.registry.importing import CompactRows

    samples = [["H01", "Nguyễn Văn An", "", "=1+1"], ["a\x1fb", "c"], ["H02", 12.0, None, datetime(2020, 1, 2)], []]
    rows = CompactRows(spill_bytes=8)
    for number, cells in enumerate(samples * 50, start=2):
        rows.append(number, cells)
    expected = [(n, c) for n, c in enumerate(samples * 50, start=2)]
    assert list(rows) == expected
    assert [rows[i] for i in reversed(range(len(rows)))] == expected[::-1]
    assert [rows.number(i) for i in range(len(rows))] == list(rows.numbers) == [n for n, _c in expected]


def _reference_csv(data: bytes):
    """What `_read_csv` gave when the whole file was decoded at once (`decode_csv`, then cut in lines)."""
    import csv

    text, encoding = importing.decode_csv(data)
    lines = [m.group() for m in importing._LINE.finditer(text) if m.group()]
    try:
        return "ok", encoding, list(csv.reader(lines, delimiter=importing._sniff_delimiter(text)))
    except csv.Error as exc:
        return "bad_csv", str(exc)


def _streamed_csv(data: bytes, block: int):
    rows, encoding = importing._read_csv(data, block=block)
    try:
        return "ok", encoding, list(rows)
    except ValidationError as exc:
        return exc.code, str(exc.__cause__)


@pytest.mark.parametrize("seed", range(3))
def test_csv_read_a_block_at_a_time_gives_the_rows_of_the_whole_text(seed):
    """Line ends split between blocks (\r | \n), combining marks at block edges (NFC), any encoding, a
    BOM, a delimiter found on a later line, broken quoting: the same rows, encoding and errors."""
    import random

    rng = random.Random(seed)
    alphabet = ["a", "B", ",", ";", "\t", "\r", "\n", "\r\n", '"', " ", "e\u0301", "\u0301", "ễ", "Đ", "o\u0302\u0300",
                "\u2028", "\x85", "\x0b", "\x1f"]  # fmt: skip
    checked = 0
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1258"])
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        for block in (1, 2, 3, 7, 1 << 20):
            try:
                expected = _reference_csv(data)
            except ValidationError as exc:
                with pytest.raises(ValidationError) as info:
                    importing._read_csv(data, block=block)
                assert info.value.code == exc.code
                continue
            assert _streamed_csv(data, block) == expected, (data, block)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00", "Mã hộ\x00,x".encode(), b"\xef\xbb\xbf\xff", "Đàn".encode("cp1258") + b"\xc3\x00", b"\x81"],
)
def test_csv_the_whole_file_would_refuse_is_refused_with_the_same_error(data):
    try:
        importing.decode_csv(data)
    except (ValidationError, UnicodeDecodeError) as exc:
        with pytest.raises(type(exc)) as info:
            importing._read_csv(data, block=2)
        assert str(info.value) == str(exc)
    else:
        assert _streamed_csv(data, 2) == _reference_csv(data)


@pytest.mark.parametrize("value", [-5, -0.5, float("nan"), float("inf"), 1e12])
def test_number_cells_of_a_workbook_get_the_checks_of_typed_text(value):
    """A workbook's number cell (calamine gives a float) was taken as it was: a negative area passed."""
    with pytest.raises(CellError):
        read_decimal(value)
    assert read_decimal(45.5) == Decimal("45.5") and read_decimal(12) == Decimal("12.0")
