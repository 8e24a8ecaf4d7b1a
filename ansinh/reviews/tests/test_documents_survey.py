import io
from datetime import date
from types import SimpleNamespace

import pytest
from docx import Document

from ansinh.reviews.documents_survey import meeting_minutes_docx, minutes_filename, percent
from ansinh.reviews.selectors_survey import meeting_results
from ansinh.reviews.services_survey import MeetingData, meeting_record
from ansinh.reviews.tests.factories import classified_household, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_survey import TODAY, surveyed_case


def _text(content: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = []
    for table in document.tables:
        for row in table.rows:
            tables.append([cell.text for cell in row.cells])
    return "\n".join(paragraphs), tables


def test_percent():
    assert percent(12, 20) == "60" and percent(7, 12) == "58,3" and percent(0, 0) == "0"


@pytest.fixture
def meeting(units, users):
    ctx = SimpleNamespace(units=units, users=users)
    campaign = thanh_hoa_campaign(ctx, open_=True)
    officer = users.commune_officer
    a = surveyed_case(campaign, classified_household(units.tho_xuan, village=units.t1, code="H1", klass="poor",
                                                     actor=officer, name="Nguyễn Văn An"), klass="poor")  # fmt: skip
    b = surveyed_case(campaign, classified_household(units.tho_xuan, village=units.t1, code="H2", klass="near_poor",
                                                     actor=officer, name="Lê Thị Bình"), klass="near_poor")  # fmt: skip
    data = MeetingData(
        held_on=date(2025, 10, 15), place="Nhà văn hóa Thôn 1", chair="Lê Văn Trưởng", secretary="Phạm Thị Thư",
        attendee_count=12, attendees=["Lê Văn Trưởng — Trưởng thôn", "Đỗ Văn Giám — MTTQ xã"],
        signatories=[{"name": "Hoàng Thị Đại", "role": "Đại diện hộ gia đình"}], note="Không có ý kiến khác.",
    )  # fmt: skip
    return meeting_record(actor=officer, campaign=campaign, village=units.t1, data=data, results=[(a, 7), (b, 5)],
                          today=TODAY)  # fmt: skip


def test_minutes_hold_the_meeting_data(meeting):
    text, rows = _text(meeting_minutes_docx(meeting, meeting_results(meeting)))
    assert "BIÊN BẢN HỌP DÂN" in text
    assert "Xã Thọ Xuân" in text and "Thôn 1" in text
    assert "ngày 15 tháng 10 năm 2025" in text and "15/10/2025" in text
    assert "Nhà văn hóa Thôn 1" in text
    assert "Chủ trì: Lê Văn Trưởng" in text and "Thư ký: Phạm Thị Thư" in text
    assert "Số người dự họp: 12" in text
    assert "Đỗ Văn Giám — MTTQ xã" in text
    assert "02 bản" in text
    assert "Không có ý kiến khác." in text
    assert "số hộ đạt: 1" in text and "không đạt (rà soát lại): 1" in text
    header = next(r for r in rows if r and r[0] == "STT")
    assert header == ["STT", "Mã hộ", "Họ và tên chủ hộ", "Kết quả rà soát sơ bộ", "Số người đồng ý", "Tỷ lệ (%)",
                      "Kết quả"]  # fmt: skip
    body = {r[1]: r for r in rows if r and r[0] in ("1", "2")}
    assert body["H1"][2:] == ["Nguyễn Văn An", "Hộ nghèo", "7", "58,3", "Đạt"]
    assert body["H2"][2:] == ["Lê Thị Bình", "Hộ cận nghèo", "5", "41,7", "Không đạt"]
    flat = " ".join(" ".join(r) for r in rows)
    assert "CHỦ TRÌ" in flat and "THƯ KÝ" in flat and "Lê Văn Trưởng" in flat and "Phạm Thị Thư" in flat
    assert "Hoàng Thị Đại" in flat and "Đại diện hộ gia đình" in flat


def test_minutes_filename_is_ascii(meeting):
    name = minutes_filename(meeting)
    assert name == "bien-ban-hop-dan-thon-1-2025-10-15.docx" and name.isascii()
