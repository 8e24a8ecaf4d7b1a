import io
from datetime import date
from types import SimpleNamespace

import pytest
from docx import Document

from ansinh.reviews.documents_decision import decision_docx, refusal_docx
from ansinh.reviews.selectors_decision import decision_lists
from ansinh.reviews.tests.helpers_decision import build_decided, screened_out_case


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    build_decided(c)
    return c


def test_decision_draft_holds_the_header_grounds_counts_lists_and_signer(ctx):
    text = _text(decision_docx(ctx.decision, decision_lists(ctx.decision)))
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "XÃ THỌ XUÂN",
        "Số: 125/QĐ-UBND",
        "Thọ Xuân, ngày 20 tháng 11 năm 2025",
        "QUYẾT ĐỊNH",
        "hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình năm 2025",
        "24/2021/QĐ-TTg",
        "2022-2025",
        "Kế hoạch số 6828/KH-UBND ngày 21/08/2025",
        "Danh sách hộ nghèo: 2 hộ, trong đó hộ nghèo mới: 1 hộ",
        "Danh sách hộ thoát cận nghèo: 1 hộ",
        "CHỦ TỊCH",
        "Lê Văn Bình",
        "STT | Mã hộ | Họ tên chủ hộ | Thôn | Ghi chú",
        "1 | H1 | Chủ hộ H1 | Thôn 1 | ",
        "2 | H4 | Chủ hộ H4 | Thôn 2 | Hộ nghèo mới",
        "1 | H5 | Chủ hộ H5 | Thôn 1 | ",
        "DANH SÁCH HỘ THOÁT NGHÈO",
    ):
        assert expected in text, expected


def test_refusal_holds_the_application_and_the_criteria(ctx, units, users):
    case = screened_out_case(ctx.campaign, units.tho_xuan, village=units.t1, code="S1", actor=users.commune_officer)
    text = _text(refusal_docx(case, commune=units.tho_xuan, today=date(2025, 10, 1), signer_name="Lê Văn Bình"))
    for expected in (
        "THÔNG BÁO",
        "không đủ điều kiện",
        "Phạm Thị Dung",
        "S1",
        "20/09/2025",
        "Qua bưu chính",
        "Hộ có thành viên hưởng lương thường xuyên",
        "Điều 5",
        "Lê Văn Bình",
        "Thôn 1, Xã Thọ Xuân",
    ):
        assert expected in text, expected
