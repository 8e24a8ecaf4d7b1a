"""Word documents of step 8: the draft of the commune chair's recognition decision (Mẫu số 02 of
QĐ 24/2021/QĐ-TTg, with one annex table per list) and the written refusal of the monthly regular
review (QĐ 24/2021/QĐ-TTg Điều 5: a household not recognised is answered in writing with reasons).

Pure functions: data in, the .docx bytes out (python-docx). The commune prints, signs and stamps them.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .views_common import DOCX_CONTENT_TYPE  # noqa: F401 - re-exported for the pages and the API

QD_24 = (
    "Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy trình rà soát hộ "
    "nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp "
    "có mức sống trung bình giai đoạn 2022 - 2025"
)


def long_date(d: date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def short_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _place(unit) -> str:
    return getattr(unit, "short_name", "") or unit.name


def _new_document() -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    return document


def _para(document, text: str = "", *, bold=False, italic=False, center=False, size=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _cell_lines(cell, lines: list[tuple[str, bool, bool]]) -> None:
    """Fill a cell with centred lines of (text, bold, italic)."""
    cell.text = ""
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic


def _header(document, *, commune, number: str, place_date: str) -> None:
    """The two-column heading of an administrative document (issuing body | national motto)."""
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_lines(left, [("ỦY BAN NHÂN DÂN", True, False), (commune.name.upper(), True, False),
                       ("———", False, False), (f"Số: {number}", False, False)])  # fmt: skip
    _cell_lines(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
                        ("Độc lập - Tự do - Hạnh phúc", True, False), ("———", False, False),
                        (place_date, False, True)])  # fmt: skip


def _signature(document, *, position: str, name: str, body: str = "TM. ỦY BAN NHÂN DÂN") -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_lines(left, [("Nơi nhận:", True, True), ("- Như Điều 3;", False, False), ("- Lưu: VT.", False, False)])
    _cell_lines(right, [(body, True, False), (position.upper(), True, False), ("(Ký, ghi rõ họ tên, đóng dấu)", False,
                                                                                True),
                        ("", False, False), ("", False, False), (name, True, False)])  # fmt: skip


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def decision_docx(decision, lists) -> bytes:
    """The draft decision (Mẫu số 02): heading, grounds (QĐ 24/2021/QĐ-TTg, the campaign's poverty standard
    and plan), the articles with the counts, the signature and one annex table per list.

    `lists`: `selectors_decision.decision_lists(decision)` (key, title, cases)."""
    campaign, commune = decision.campaign, decision.commune
    year = campaign.year
    document = _new_document()
    _header(document, commune=commune, number=decision.number,
            place_date=f"{_place(commune)}, {long_date(decision.signed_on)}")  # fmt: skip
    _para(document, "QUYẾT ĐỊNH", bold=True, center=True, size=14)
    _para(document, "Về việc công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo, hộ làm nông, "
                    f"lâm, ngư, diêm nghiệp có mức sống trung bình năm {year}", bold=True, center=True)  # fmt: skip
    _para(document, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.name.upper()}", bold=True, center=True)
    grounds = [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        f"Căn cứ {QD_24};",
        f"Căn cứ chuẩn nghèo áp dụng: {campaign.standard.name} ({campaign.standard.code});",
        f"Căn cứ Kế hoạch số {campaign.plan_number} ngày {short_date(campaign.plan_date)} của {campaign.unit.name} "
        f"về việc rà soát hộ nghèo, hộ cận nghèo năm {year};",
        f"Theo đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo {commune.name}.",
    ]
    for text in grounds:
        _para(document, text, italic=True)
    _para(document, "QUYẾT ĐỊNH:", bold=True, center=True)
    counts = decision.counts or {}
    _para(document, f"Điều 1. Công nhận kết quả rà soát hộ nghèo, hộ cận nghèo năm {year} trên địa bàn "
                    f"{commune.name} như sau:", bold=False)  # fmt: skip
    for i, item in enumerate(lists, start=1):
        n = counts.get(item.key, item.count)
        extra = ""
        if item.key == "poor":
            extra = f", trong đó hộ nghèo mới: {counts.get('newly_poor', 0)} hộ"
        elif item.key == "near_poor":
            extra = f", trong đó hộ cận nghèo mới: {counts.get('newly_near_poor', 0)} hộ"
        _para(document, f"{i}. {item.title}: {n} hộ{extra} (Phụ lục {i} kèm theo).")
    _para(document, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    _para(document, "Điều 3. Văn phòng Ủy ban nhân dân, công chức phụ trách công tác giảm nghèo, các thôn và các hộ "
                    "gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.")  # fmt: skip
    _signature(document, position=decision.signer_position, name=decision.signer_name)
    for i, item in enumerate(lists, start=1):
        document.add_page_break()
        _para(document, f"Phụ lục {i}", bold=True, center=True)
        _para(document, item.title.upper(), bold=True, center=True)
        _para(document, f"(Kèm theo Quyết định số {decision.number} {long_date(decision.signed_on)} của Chủ tịch "
                        f"Ủy ban nhân dân {commune.name})", italic=True, center=True)  # fmt: skip
        table = document.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("STT", "Mã hộ", "Họ tên chủ hộ", "Thôn", "Ghi chú"), strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for n, case in enumerate(item.cases, start=1):
            household = case.household
            row = table.add_row().cells
            note = ""
            if item.key == "poor" and case.previous_class != "poor":
                note = "Hộ nghèo mới"
            elif item.key == "near_poor" and case.previous_class != "near_poor":
                note = "Hộ cận nghèo mới"
            values = (str(n), household.code, household.head_name, household.village.name if household.village_id
                      else "", note)  # fmt: skip
            for cell, text in zip(row, values, strict=True):
                cell.text = text
        if not item.cases:
            _para(document, "(Không có hộ nào.)", italic=True, center=True)
    return _bytes(document)


def refusal_docx(case, *, commune, today: date, signer_position: str = "Chủ tịch", signer_name: str = "") -> bytes:
    """The written answer to an applicant household screened out by phiếu A in the regular review
    (QĐ 24/2021/QĐ-TTg Điều 5 khoản 2: decision or written refusal with reasons within 15 days of the
    start of the review): the application (date, channel), the criteria of phiếu A it matched."""
    household = case.household
    document = _new_document()
    _header(document, commune=commune, number="……/TB-UBND", place_date=f"{_place(commune)}, {long_date(today)}")
    _para(document, "THÔNG BÁO", bold=True, center=True, size=14)
    _para(document, "Về việc không đủ điều kiện công nhận hộ nghèo, hộ cận nghèo", bold=True, center=True)
    applicant = case.applicant_name or household.head_name
    _para(document, f"Kính gửi: Ông/Bà {applicant}", center=True)
    address = ", ".join(x for x in (household.village.name if household.village_id else "", commune.name) if x)
    _para(document, f"Chủ hộ: {household.head_name}; mã hộ: {household.code}; địa chỉ: {address}.")
    received = short_date(case.received_on) or "…"
    channel = case.get_channel_display() if case.channel else "…"
    _para(document, f"Ủy ban nhân dân {commune.name} đã nhận Giấy đề nghị rà soát hộ nghèo, hộ cận nghèo (Mẫu số 01) "
                    f"của hộ ngày {received} ({channel}).")  # fmt: skip
    _para(document, f"Căn cứ {QD_24} (Điều 5 về quy trình rà soát thường xuyên hằng năm) và kết quả rà soát theo "
                    f"Phiếu A ngày {short_date(case.form_a_on) or '…'}, hộ gia đình có đặc điểm sau nên không "
                    f"thuộc diện rà soát, công nhận hộ nghèo, hộ cận nghèo:")  # fmt: skip
    for item in case.screened_out_reason or []:
        source = f" ({item['source']})" if item.get("source") else ""
        _para(document, f"- {item.get('text', '')}{source}")
    _para(document, "Nếu không đồng ý, hộ gia đình có quyền khiếu nại theo quy định của pháp luật về khiếu nại.")
    _signature(document, position=signer_position, name=signer_name)
    return _bytes(document)
