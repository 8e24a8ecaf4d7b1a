"""The minutes of a village meeting (biên bản họp dân thống nhất kết quả rà soát, QĐ 24/2021/QĐ-TTg
Điều 4 khoản 2 điểm b; TT 07/2021) as a Word document built from the recorded data: made in two
copies (one kept at the village, one sent to the commune steering committee), signed by the chair,
the secretary and the household representatives."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ansinh.poverty.explain import class_label

from .views_common import DOCX_CONTENT_TYPE, file_slug  # noqa: F401 - DOCX_CONTENT_TYPE re-exported for the pages and the API


def percent(agreeing: int, count: int) -> str:
    """``7`` of ``12`` → ``"58,3"`` (Vietnamese decimal comma)."""
    if not count:
        return "0"
    value = round(agreeing * 100 / count, 1)
    return (f"{value:.1f}".rstrip("0").rstrip(".")).replace(".", ",")


def _centered(document, text: str, *, bold: bool = False, size: int | None = None, italic: bool = False):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def _date_words(day) -> str:
    return _("ngày %(d)02d tháng %(m)02d năm %(y)s") % {"d": day.day, "m": day.month, "y": day.year}


def meeting_minutes_docx(meeting, results) -> bytes:
    """The minutes of `meeting` (a VillageMeeting) with `results` (its MeetingResults, households
    loaded) as the bytes of a .docx file."""
    village = meeting.village
    commune = village.parent
    commune_name = commune.name if commune else ""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.text = f"{commune_name.upper()}\n{village.name.upper()}"
    right.text = _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + "\n" + _("Độc lập - Tự do - Hạnh phúc")
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True

    _centered(document, _("BIÊN BẢN HỌP DÂN"), bold=True, size=14)
    _centered(document, _("Thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo năm %(year)s")
              % {"year": meeting.campaign.year}, bold=True)  # fmt: skip
    _centered(document, _("(Theo Quyết định số 24/2021/QĐ-TTg; %(plan)s)") % {"plan": meeting.campaign.plan_number},
              italic=True)  # fmt: skip

    place = meeting.place or village.name
    document.add_paragraph(
        _("Hôm nay, %(date)s, tại %(place)s, %(village)s, %(commune)s tổ chức họp dân thống nhất kết quả rà soát "
          "hộ nghèo, hộ cận nghèo (%(campaign)s).")
        % {"date": _date_words(meeting.held_on), "place": place, "village": village.name, "commune": commune_name,
           "campaign": meeting.campaign.name}
    )  # fmt: skip
    document.add_paragraph(_("Ngày họp: %(day)s") % {"day": meeting.held_on.strftime("%d/%m/%Y")})
    document.add_paragraph(_("Địa điểm: %(place)s") % {"place": place})
    document.add_paragraph(_("Chủ trì: %(name)s") % {"name": meeting.chair})
    document.add_paragraph(_("Thư ký: %(name)s") % {"name": meeting.secretary})
    document.add_paragraph(_("Số người dự họp: %(count)s người") % {"count": meeting.attendee_count})
    if meeting.attendees:
        document.add_paragraph(_("Thành phần tham dự:"))
        for attendee in meeting.attendees:
            document.add_paragraph(attendee, style="List Bullet")

    document.add_paragraph(
        _("Sau khi nghe rà soát viên báo cáo kết quả rà soát, chấm điểm phiếu B và thảo luận, người dự họp biểu "
          "quyết đối với từng hộ như sau (hộ đạt khi có từ 50% số người dự họp trở lên đồng ý):")
    )  # fmt: skip
    headings = [_("STT"), _("Mã hộ"), _("Họ và tên chủ hộ"), _("Kết quả rà soát sơ bộ"), _("Số người đồng ý"),
                _("Tỷ lệ (%)"), _("Kết quả")]  # fmt: skip
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    passed = 0
    for index, result in enumerate(results, start=1):
        household = result.case.household
        passed += result.passed
        values = [str(index), household.code, household.head_name, class_label(result.proposed_class),
                  str(result.agreeing), percent(result.agreeing, meeting.attendee_count),
                  _("Đạt") if result.passed else _("Không đạt")]  # fmt: skip
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    failed = len(results) - passed
    document.add_paragraph(
        _("Tổng số hộ đưa ra họp: %(total)s; số hộ đạt: %(passed)s; số hộ không đạt (rà soát lại): %(failed)s.")
        % {"total": len(results), "passed": passed, "failed": failed}
    )
    if meeting.note:
        document.add_paragraph(_("Ý kiến khác: %(note)s") % {"note": meeting.note})
    document.add_paragraph(
        _("Cuộc họp kết thúc cùng ngày. Biên bản được lập thành 02 bản: 01 bản lưu tại thôn, 01 bản gửi Ban Chỉ đạo "
          "rà soát cấp xã.")
    )  # fmt: skip

    signatures = document.add_table(rows=3, cols=2)
    signatures.rows[0].cells[0].text = _("THƯ KÝ")
    signatures.rows[0].cells[1].text = _("CHỦ TRÌ")
    signatures.rows[1].cells[0].text = _("(Ký, ghi rõ họ tên)")
    signatures.rows[1].cells[1].text = _("(Ký, ghi rõ họ tên)")
    signatures.rows[2].cells[0].text = "\n\n\n" + meeting.secretary
    signatures.rows[2].cells[1].text = "\n\n\n" + meeting.chair
    for row in signatures.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    run.bold = row is signatures.rows[0] or row is signatures.rows[2]
    if meeting.signatories:
        _centered(document, _("ĐẠI DIỆN CÁC HỘ GIA ĐÌNH VÀ NGƯỜI DỰ HỌP"), bold=True)
        others = document.add_table(rows=1, cols=3)
        others.style = "Table Grid"
        for cell, text in zip(others.rows[0].cells, [_("Họ và tên"), _("Chức vụ, đại diện"), _("Chữ ký")],
                              strict=True):  # fmt: skip
            cell.text = text
        for item in meeting.signatories:
            cells = others.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = item.get("name", ""), item.get("role", ""), ""

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def minutes_filename(meeting) -> str:
    """An ASCII file name: ``bien-ban-hop-dan-thon-1-2025-10-15.docx``."""
    village = file_slug(meeting.village.name) or meeting.village_id
    return f"bien-ban-hop-dan-{village}-{meeting.held_on.isoformat()}.docx"
