"""Household files for the import tests, generated in code (no binary fixtures in the repository)."""

import csv
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADERS = [
    "Mã hộ", "Thôn", "Họ và tên", "Quan hệ với chủ hộ", "Giới tính", "Ngày sinh", "Năm sinh", "Dân tộc", "Số CCCD",
    "BHYT", "Diện tích nhà (m²)", "Nguồn nước",
]  # fmt: skip

# Two valid households: H01 (head + spouse + child) and H02 (a woman living alone).
ROWS = [
    ["H01", "T1", "Nguyễn Văn An", "Chủ hộ", "Nam", "02/03/1975", "", "Kinh", "038075001234", "Có", "45,5", "Nước máy"],
    ["H01", "", "Lê Thị Bình", "vợ", "nữ", "", "1978", "kinh", "", "khong", "", ""],
    ["H01", "", "Nguyễn Văn Cường", "Con", "Nam", "15/08/2005", "", "01", "", "Có thẻ BHYT", "", ""],
    ["H02", "Thôn 2", "Hà Thị Dung", "chu ho", "Nu", "", "1950", "Mường", "", "", "30",
     "gieng khoan, gieng dao duoc bao ve"],
]  # fmt: skip


def csv_text(rows=None, headers=None, delimiter=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers or HEADERS)
    writer.writerows(ROWS if rows is None else rows)
    return buffer.getvalue()


def csv_bytes(rows=None, headers=None, *, encoding="utf-8", delimiter=",") -> bytes:
    return csv_text(rows, headers, delimiter).encode(encoding)


def xlsx_bytes(rows=None, headers=None, *, title_rows=0, as_text=True) -> bytes:
    """A workbook written by openpyxl; `as_text` keeps "=…" cells as text, otherwise they become formulas."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách hộ"
    for _ in range(title_rows):
        ws.append(["DANH SÁCH HỘ GIA ĐÌNH"])
    ws.append(headers or HEADERS)
    for row in ROWS if rows is None else rows:
        ws.append(row)
        if as_text:
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zip_bomb_bytes(size=20 * 1024 * 1024) -> bytes:
    """A tiny zip whose one member inflates to `size` bytes (named like an xlsx part)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        block = b"\0" * (1024 * 1024)
        for _ in range(size // len(block)):
            member.write(block)
    return buffer.getvalue()


def upload(content: bytes, name="ho.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
