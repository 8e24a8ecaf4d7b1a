"""Writing household files: the import template, the import result workbook, and the registry export.

The export uses the import template's columns, so an exported file can be corrected in Excel and
imported again in "update" mode (masked CCCDs read as "unchanged"). Every text cell that a
spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) is written
with a leading apostrophe: exported data is never executed (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.core.scoping import AreaScope, scope_of
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from . import importing
from .choices import MemberStatus
from .events import RegistryEventType
from .identity import mask_id_number
from .import_messages import row_error_text
from .importing import COLUMNS, COLUMNS_BY_KEY, HOUSEHOLD
from .models import Ethnicity, Household, Member

EXPORT_PERM = "registry.export_household"
FULL_IDENTITY_PERM = "registry.view_full_identity"
IMPORT_PERM = "registry.import_household"
CHUNK_SIZE = 2000
STREAM_BLOCK = 64 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header row


def xlsx_export_max_rows() -> int:
    """Rows a web or API xlsx export may hold. Unlike a csv, which streams from its first row, an xlsx
    is sent only once complete (about 0.6 ms a row here: 50,000 rows ≈ 30 s of silence, near the
    usual proxy timeouts). Larger lists go as csv, or narrowed by commune or village."""
    return int(settings.ANSINH_XLSX_EXPORT_MAX_ROWS)


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
_OK_FILL = PatternFill("solid", fgColor="E2EFDA")
_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would evaluate, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _xml_safe(value: Any) -> Any:
    return importing._CONTROL.sub("", value) if isinstance(value, str) else value


def _set_text(cell, value: Any) -> None:
    """Write a value so that text starting with "=" stays text (openpyxl would make it a formula)."""
    cell.value = _xml_safe(value)
    if isinstance(value, str):
        cell.data_type = "s"


def _style_header(ws, headers: list[str], widths: list[int]) -> None:
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=index)
        _set_text(cell, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32


def _workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- template -----------------------------------------------------------------------------------

# Sheet names of the code lists (max 31 characters, no / \ ? * [ ]).
_LIST_SHEETS = {
    "relation": "Quan hệ",
    "sex": "Giới tính",
    "health_insurance": "BHYT",
    "schooling": "Đang học",
    "diploma": "Bằng cấp",
    "disability": "Khuyết tật",
    "labour_status": "Việc làm",
    "allowance": "Trợ cấp",
    "wall_durability": "Độ bền nhà",
    "water_source": "Nguồn nước",
    "latrine_type": "Nhà tiêu",
    "info_devices": "Phương tiện TT",
}
_SHARED_LISTS = {"column_durability": "wall_durability", "roof_durability": "wall_durability"}


def template_villages(user) -> list[AdminUnit]:
    """Villages the user may import into (current units only), ordered by commune."""
    today = timezone.localdate()
    return list(
        AdminUnit.objects.visible_to(user, perm=IMPORT_PERM)
        .filter(level=Level.VILLAGE)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("parent")
        .order_by("parent__sort_key", "sort_key")[:20000]
    )


def _instructions(ws) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 11
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 26
    lines = [
        _("HƯỚNG DẪN NHẬP DANH SÁCH HỘ GIA ĐÌNH"),
        "",
        _("1. Ghi dữ liệu ở trang “Danh sách hộ”, mỗi thành viên một dòng, bắt đầu từ dòng 2; "
          "giữ nguyên dòng tiêu đề."),
        _("2. Các dòng cùng “Mã hộ” là một hộ (không cần liền nhau). Mỗi hộ có đúng một dòng “Chủ hộ”."),
        _("3. Thông tin của hộ (thôn, địa chỉ, nhà ở, nước, nhà tiêu …) lấy theo dòng chủ hộ. Ở dòng các thành "
          "viên khác có thể để trống hoặc ghi giống dòng chủ hộ; ghi khác sẽ bị báo lỗi."),
        _("4. Cột có danh mục: chọn trong danh sách thả xuống hoặc gõ tên/mã như ở các trang danh mục; "
          "không phân biệt chữ hoa, có dấu hay không dấu."),
        _("5. Ngày ghi dd/mm/yyyy (ví dụ 02/03/1975). Nếu chỉ biết năm sinh, để trống “Ngày sinh” và ghi “Năm sinh”."),
        _("6. Số CCCD 12 chữ số (CMND cũ 9 chữ số); cột đã định dạng Văn bản để giữ số 0 ở đầu."),
        _("7. Cách nhập “Chỉ thêm hộ mới”: mã hộ đã có trong xã bị báo lỗi “đã có”, không ghi đè. “Thêm mới và cập "
          "nhật”: hộ đã có được cập nhật; ô để trống giữ nguyên giá trị đang lưu; thành viên được nhận ra theo số "
          "CCCD, nếu không có thì theo họ tên và năm sinh; thành viên không có trong tệp được giữ nguyên. "
          "“Bỏ qua hộ đã có”: chỉ thêm hộ mới, hộ đã có bị bỏ qua. Nhập lại cùng một tệp không làm thay đổi gì."),
        _("8. Hộ có lỗi không được ghi; các hộ đúng vẫn được ghi. Tải “tệp kết quả” để xem lỗi ở từng ô (tô đỏ, "
          "có ghi chú) và cột “Lỗi”; sửa rồi tải lên lại chính tệp đó (các cột Kết quả, Lỗi được bỏ qua)."),
        _("9. Nên “Chạy thử” trước: hệ thống kiểm tra toàn bộ tệp mà không ghi gì."),
        _("10. Tệp tối đa %(mb)d MB; nhận .xlsx, .xls và .csv (UTF-8, UTF-16 hoặc Windows-1258; phân cách bằng "
          "dấu phẩy hoặc chấm phẩy).") % {"mb": importing.max_upload_bytes() // 1048576},
        "",
    ]  # fmt: skip
    for line in lines:
        ws.append([_xml_safe(line)])
    ws["A1"].font = Font(bold=True, size=14)
    header_row = ws.max_row + 1
    ws.append([_("Cột"), _("Bắt buộc"), _("Cách ghi"), _("Ví dụ")])
    for cell in ws[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        required = _("Có") if column.required else ""
        help_text = str(column.help)
        if column.key in _LIST_SHEETS or column.key in _SHARED_LISTS:
            sheet = _LIST_SHEETS[_SHARED_LISTS.get(column.key, column.key)]
            help_text = (help_text + " " if help_text else "") + _("Danh mục: trang “%(s)s”.") % {"s": sheet}
        if column.level == HOUSEHOLD and column.key != "code":
            help_text = _("[Thông tin hộ] ") + help_text
        row = ws.max_row + 1
        ws.append([str(column.header), required, help_text])
        _set_text(ws.cell(row=row, column=4), column.example)
        ws.cell(row=row, column=3).alignment = Alignment(wrap_text=True)


def _list_sheet(wb: Workbook, title: str, rows: list[tuple[str, str]], headers: tuple[str, str]) -> str:
    ws = wb.create_sheet(title)
    _style_header(ws, list(headers), [42, 18])
    for label, code in rows:
        ws.append([_xml_safe(label), _xml_safe(code)])
        ws.cell(row=ws.max_row, column=2).data_type = "s"
    last = max(len(rows) + 1, 2)
    return f"{quote_sheetname(title)}!$A$2:$A${last}"


def template_workbook(*, user) -> bytes:
    """The import template: data sheet, instructions, and the code lists (villages of the user's area)."""
    wb = Workbook()
    data = wb.active
    data.title = "Danh sách hộ"
    _style_header(data, [str(c.header) for c in COLUMNS], [c.width for c in COLUMNS])
    instructions = wb.create_sheet("Hướng dẫn")
    _instructions(instructions)
    ranges: dict[str, str] = {}
    for key, title in _LIST_SHEETS.items():
        column = COLUMNS_BY_KEY[key]
        rows = [(str(label), code) for code, label in column.choices.choices]
        ranges[key] = _list_sheet(wb, title, rows, (_("Tên (ghi vào tệp)"), _("Mã")))
    ranges.update({k: ranges[v] for k, v in _SHARED_LISTS.items()})
    ethnicities = [(e.name, e.code) for e in Ethnicity.objects.order_by("code")]
    ranges["ethnicity_code"] = _list_sheet(wb, "Dân tộc", ethnicities, (_("Tên dân tộc"), _("Mã")))
    villages = template_villages(user)
    ws = wb.create_sheet("Thôn")
    _style_header(ws, [_("Mã thôn"), _("Tên thôn/tổ dân phố"), _("Xã/phường")], [12, 34, 30])
    for village in villages:
        ws.append([_xml_safe(village.code), _xml_safe(village.name), _xml_safe(village.parent.name)])
        ws.cell(row=ws.max_row, column=1).data_type = "s"
    ranges["village"] = f"{quote_sheetname('Thôn')}!$A$2:$A${max(len(villages) + 1, 2)}"
    ranges["flag"] = _list_sheet(wb, "Có-Không", [(_("Có"), "1"), (_("Không"), "0")], (_("Giá trị"), _("Mã")))
    last_row = 5000
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{last_row}"
        if column.kind in ("id", "phone", "text"):
            for row in range(2, 202):  # text format on the rows officers usually fill
                data.cell(row=row, column=index).number_format = "@"
        source = ranges.get("flag" if column.kind == "flag" else column.key)
        if source is None or column.kind == "multi":
            continue
        # Not strict: people may also type a code or a name without accents (the import accepts both).
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=False)
        validation.add(cells)
        data.add_data_validation(validation)
    return _workbook_bytes(wb)


# -- result workbook ----------------------------------------------------------------------------


def outcome_label(outcome: str, *, write: bool, has_errors: bool) -> str:
    if has_errors or outcome == "invalid":
        return _("Lỗi – chưa ghi")
    labels = {
        "created": (_("Đã thêm"), _("Sẽ thêm")),
        "updated": (_("Đã cập nhật"), _("Sẽ cập nhật")),
        "skipped": (_("Bỏ qua (đã có hoặc không đổi)"), _("Sẽ bỏ qua (đã có hoặc không đổi)")),
    }
    done, planned = labels.get(outcome, (outcome, outcome))
    return done if write else planned


def result_workbook(result, *, title: str = "") -> bytes:
    """The submitted rows with a red, commented cell for each error and "Kết quả"/"Lỗi" columns, in the
    active language (a batch keeps one per language: `services_import._result_files`).

    Written row by row (openpyxl's write-only mode): a batch always stores it, and a workbook held
    in memory cost about a kilobyte per cell (a 100,000-household file has millions of cells)."""
    sheet = result.sheet
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Kết quả"))
    headers = [*sheet.headers, _("Kết quả"), _("Lỗi")]
    widths = [max(10, min(30, len(str(h)) + 4)) for h in sheet.headers] + [18, 60]
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 32
    ws.append([_header_cell(ws, header) for header in headers])
    width = len(sheet.headers)
    rows = 0
    labels: dict[tuple[str, bool], str] = {}  # translated once per run, not per row
    row_prefix = _("Dòng %(n)d — ")
    for row in result.rows:
        rows += 1
        cells: list[Any] = [_row_value(ws, value if value != "" else None) for value in row.cells[:width]]
        cells += [None] * (width - len(cells))
        messages = []
        for key, errors in row.errors.items():
            index = sheet.column_index(key) if key else None
            text = "\n".join(map(row_error_text, errors))  # in the active language: the reader's
            if index is not None:
                cell = cells[index] = _as_cell(ws, cells[index])
                cell.fill = _ERROR_FILL
                cell.comment = Comment(_xml_safe(text), "ansinh", width=300, height=120)
                messages.append(f"{sheet.headers[index]}: {text}")
            else:
                messages.append(text)
        label_key = (row.outcome, bool(row.errors))
        if (label := labels.get(label_key)) is None:
            label = labels[label_key] = outcome_label(row.outcome, write=result.write, has_errors=label_key[1])
        if messages:
            cells.append(_text_cell(ws, label))
            cells[-1].fill = _ERROR_FILL
            error_cell = _text_cell(ws, row_prefix % {"n": row.number} + "; ".join(messages))
            error_cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(error_cell)
        elif row.outcome in ("created", "updated"):
            cells.append(_text_cell(ws, label))
            cells[-1].fill = _OK_FILL
        else:
            cells.append(_row_value(ws, label))
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(width + 2)}{max(rows + 1, 2)}"
    summary = wb.create_sheet(_("Tóm tắt"))
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 14
    counts = result.counts
    for label, value in [
        (_("Tệp"), title),
        (_("Chạy thử (không ghi)") if not result.write else _("Đã ghi"), ""),
        (_("Số dòng"), counts.get("rows", 0)),
        (_("Hộ thêm mới"), counts.get("created", 0)),
        (_("Hộ cập nhật"), counts.get("updated", 0)),
        (_("Hộ bỏ qua (đã có hoặc không đổi)"), counts.get("skipped", 0)),
        (_("Hộ có lỗi (chưa ghi)"), counts.get("invalid", 0)),
        (_("Dòng có lỗi"), counts.get("invalid_rows", 0)),
    ]:
        summary.append([label, _text_cell(summary, value)])
    return _workbook_bytes(wb)


def _text_cell(ws, value: Any) -> Cell:
    cell = WriteOnlyCell(ws)
    _set_text(cell, value)
    return cell


DATE_FORMAT = "DD/MM/YYYY"


def _row_value(ws, value: Any) -> Any:
    """What a write-only row holds for `value`: the value itself when openpyxl would store it as it is
    (most cells), a text cell when it would not ("=…" would become a formula, "#N/A" an error), a
    date cell in the day/month/year format.

    A cell object costs about ten times a plain value: openpyxl's `append` first tries it as a value
    and formats the refusal. Control characters are dropped as by `_set_text`.
    """
    if isinstance(value, str):
        value = _xml_safe(value)
        if value.startswith("=") or value in ERROR_CODES:
            return _text_cell(ws, value)
    elif isinstance(value, date):  # and datetime: shown as Vietnamese dates, not openpyxl's yyyy-mm-dd
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _as_cell(ws, value: Any) -> Cell:
    return value if isinstance(value, Cell) else _text_cell(ws, value)


def _header_cell(ws, header: str) -> Cell:
    cell = _text_cell(ws, header)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


# -- export -------------------------------------------------------------------------------------

EXPORT_FILTER_KEYS = ("q", "province", "commune", "village", "status", "area_type", "poverty_class", "flag")


def export_filters(params) -> dict[str, str]:
    """The household list's filters (its query string) that apply to an export, as given."""
    return {k: str(params.get(k)).strip() for k in EXPORT_FILTER_KEYS if params.get(k) not in (None, "")}


def export_queryset(*, user, filters: dict[str, str]):
    """Households the user may export, narrowed exactly as the household list narrows them.

    The filtering is the list's own (`selectors.households_filter`), so "export what I see" holds;
    a malformed id or an unknown flag matches nothing rather than everything.
    """
    from . import selectors

    qs = Household.objects.visible_to(user, perm=EXPORT_PERM)
    data: dict[str, Any] = {k: v for k, v in filters.items() if k != "flag"}
    flag = filters.get("flag")
    if flag:
        if flag not in selectors.FLAG_FIELDS:
            return qs.none()
        data[flag] = True
    return selectors.households_filter(qs, data)


def _export_columns() -> list[tuple[str, str]]:
    return [(c.key, str(c.header)) for c in COLUMNS] + [("commune", _("Xã/phường")), ("status", _("Tình trạng hộ"))]


class _Labels:
    """The words an export writes for codes, in the active language, looked up once per export.

    Django's `Choices.values` and `label` rebuild and translate the whole list on every access,
    which was most of an export's time (a dozen lookups a row)."""

    def __init__(self):
        self.codes = {c.key: {str(v): str(label) for v, label in c.choices.choices} for c in COLUMNS if c.choices}
        self.yes, self.no = _("Có"), _("Không")
        self.statuses = {k: str(v) for k, v in Household._meta.get_field("status").flatchoices}

    def label(self, column_key: str, code: str) -> str:
        return self.codes[column_key].get(code, code)

    def flag(self, value: bool) -> str:
        return self.yes if value else self.no


_HOUSEHOLD_CHOICE_KEYS = ("wall_durability", "column_durability", "roof_durability", "water_source", "latrine_type")
_MEMBER_CHOICE_KEYS = ("relation", "sex", "health_insurance", "schooling", "diploma", "disability", "labour_status",
                       "allowance")  # fmt: skip
_FLAG_KEYS = tuple(c.key for c in COLUMNS if c.kind == "flag")


def _household_cells(household: Household, labels: _Labels) -> dict[str, Any]:
    cells: dict[str, Any] = {
        "code": household.code,
        "village": household.village.code if household.village_id else "",
        "commune": household.commune.name,
        "status": labels.statuses.get(household.status, household.status),
        "address": household.address,
        "phone": household.phone,
        "housing_area_m2": household.housing_area_m2,
        "production_land_m2": household.production_land_m2,
        "notes": household.notes,
        "info_devices": ", ".join(labels.label("info_devices", d) for d in household.info_devices or []),
    }
    for key in _HOUSEHOLD_CHOICE_KEYS:
        value = getattr(household, key)
        cells[key] = labels.label(key, value) if value else ""
    for key in _FLAG_KEYS:
        cells[key] = labels.flag(getattr(household, key))
    return cells


def _member_cells(member: Member, labels: _Labels, *, full_identity: bool) -> dict[str, Any]:
    cells: dict[str, Any] = {
        "full_name": member.full_name,
        "birth_date": member.birth_date,
        "birth_year": member.birth_year,
        "ethnicity_code": member.ethnicity.name if member.ethnicity_id else "",
        "id_number": member.id_number if full_identity else mask_id_number(member.id_number),
    }
    for key in _MEMBER_CHOICE_KEYS:
        value = getattr(member, key)
        cells[key] = labels.label(key, value) if value else ""
    return cells


def export_rows(*, user, queryset, full_identity: bool = False) -> Iterator[list[Any]]:
    """One row per present member of each household, in household order, read in chunks.

    CCCDs are shown in full where `user` holds ``registry.view_full_identity`` (or everywhere when
    `full_identity`, for the system's command line), masked elsewhere.
    """
    identity_scope = AreaScope.everywhere() if full_identity else scope_of(user, FULL_IDENTITY_PERM)
    keys = [k for k, _h in _export_columns()]
    labels = _Labels()
    members = Member.objects.filter(status=MemberStatus.PRESENT).select_related("ethnicity").order_by("order", "id")
    households = (
        queryset.select_related("village", "commune")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="export_members"))
        .order_by("commune_id", "code", "id")
    )
    for household in households.iterator(chunk_size=CHUNK_SIZE):
        base = _household_cells(household, labels)
        full = identity_scope.covers(*household.get_scope_paths())
        for member in household.export_members:
            cells = {**base, **_member_cells(member, labels, full_identity=full)}
            yield [neutralise(cells.get(key, "")) for key in keys]


def export_headers() -> list[str]:
    return [h for _k, h in _export_columns()]


def write_export(*, rows: Iterator[list[Any]], file_format: str) -> Iterator[bytes]:
    """The export file as byte blocks (csv: as rows come; xlsx: once the workbook is complete)."""
    if file_format == "csv":
        return (chunk.encode("utf-8") for chunk in _csv_stream(rows, export_headers()))
    return _xlsx_stream(rows, export_headers())


def count_rows(queryset) -> int:
    return Member.objects.filter(household__in=queryset.values("pk"), status=MemberStatus.PRESENT).count()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterator[list[Any]], headers: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 CSV with Vietnamese letters correctly only with it
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(
            [v.strftime("%d/%m/%Y") if isinstance(v, date) else ("" if v is None else v) for v in row]
        )


def _xlsx_stream(rows: Iterator[list[Any]], headers: list[str]) -> Iterator[bytes]:
    """Write-only workbook (rows go to a temporary file as they come), then streamed in blocks."""
    wb = Workbook(write_only=True)
    ws, written, sheets = None, XLSX_SHEET_ROWS, 0
    for row in rows:
        if written == XLSX_SHEET_ROWS:  # a full sheet (the command line has no row limit): go on in another
            sheets += 1
            ws, written = _export_sheet(wb, headers, sheets), 0
        ws.append([_row_value(ws, value) for value in row])
        written += 1
    if ws is None:
        _export_sheet(wb, headers, 1)
    with tempfile.TemporaryFile() as handle:
        wb.save(handle)
        handle.seek(0)
        while block := handle.read(STREAM_BLOCK):
            yield block


def _export_sheet(wb: Workbook, headers: list[str], number: int):
    ws = wb.create_sheet("Danh sách hộ" if number == 1 else f"Danh sách hộ ({number})")
    ws.freeze_panes = "A2"
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    return ws


def household_export_response(*, user, params, file_format: str) -> StreamingHttpResponse:
    """Stream the visible registry (with the list filters) as xlsx or csv; the export is audited."""
    filters = export_filters(params)
    queryset = export_queryset(user=user, filters=filters)
    count = count_rows(queryset)
    if file_format == "xlsx" and count > xlsx_export_max_rows():
        raise ApplicationError(
            _("Danh sách có %(n)s dòng, quá nhiều cho một tệp Excel tải về (tối đa %(max)s dòng). Hãy lọc theo "
              "xã/phường hoặc thôn, hoặc xuất CSV (không giới hạn).")
            % {"n": f"{count:,}".replace(",", "."), "max": f"{xlsx_export_max_rows():,}".replace(",", ".")},
            code="export_too_large_for_xlsx",
        )  # fmt: skip
    with transaction.atomic():
        audit_record(
            actor=user, event_type=RegistryEventType.EXPORT_DOWNLOADED, target_repr=_("Danh sách hộ"),
            unit_path=_export_unit_path(user),
            changes={"new": {"format": file_format, "filters": filters, "rows": count}},
        )  # fmt: skip
    headers = [h for _k, h in _export_columns()]
    rows = export_rows(user=user, queryset=queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        response = StreamingHttpResponse(_csv_stream(rows, headers), content_type="text/csv; charset=utf-8")
        name = f"danh-sach-ho-{stamp}.csv"
    else:
        response = StreamingHttpResponse(_xlsx_stream(rows, headers), content_type=XLSX_CONTENT_TYPE)
        name = f"danh-sach-ho-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Row-Count"] = str(count)
    return response


def _export_unit_path(user) -> str:
    """The narrowest unit covering the user's export area (the audit chain the event goes to)."""
    scope = scope_of(user, EXPORT_PERM)
    paths = scope.minimal_paths()
    return paths[0] if len(paths) == 1 else ""
