"""What the review records are called where they are named as a whole, as an audit event's object
(stored with the event): unit names rather than ids, dates written day first."""

from datetime import date

from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household
from ansinh.reviews.models import (
    Campaign,
    CampaignUnit,
    CommuneDecision,
    Complaint,
    Milestone,
    Posting,
    Reinspection,
    ReviewCase,
    TrainingSession,
    VillageMeeting,
)

VILLAGE = AdminUnit(name="Thôn Xuân Hồng 1")
COMMUNE = AdminUnit(name="Xã Thọ Xuân")


def test_names_carry_unit_names_and_dates_day_first():
    assert str(VillageMeeting(village=VILLAGE, held_on=date(2026, 10, 5))) == "Thôn Xuân Hồng 1 (05/10/2026)"
    posting = Posting(unit=COMMUNE, start_on=date(2019, 9, 19), end_on=date(2019, 9, 23))
    assert str(posting) == "Xã Thọ Xuân: 19/09/2019 – 23/09/2019"
    assert str(Reinspection(unit=COMMUNE, ordered_on=date(2019, 9, 26))) == "Xã Thọ Xuân (26/09/2019)"
    assert str(CommuneDecision(number="215/QĐ-UBND", signed_on=date(2026, 10, 21))) == "215/QĐ-UBND (21/10/2026)"
    assert (
        str(Complaint(complainant_name="Phạm Thị Lan", received_on=date(2026, 10, 19))) == "Phạm Thị Lan (19/10/2026)"
    )
    assert str(TrainingSession(topic="Quy trình rà soát", held_on=date(2026, 9, 8))) == "Quy trình rà soát (08/09/2026)"
    assert str(Milestone(name="Họp dân", deadline=date(2026, 11, 15))) == "Họp dân (15/11/2026)"


def test_a_case_and_a_covered_unit_are_named_without_ids():
    household = Household(code="HS0002", head_name="Nguyễn Văn Thắng")
    assert str(ReviewCase(household=household)) == "HS0002 — Nguyễn Văn Thắng"
    campaign = Campaign(name="Rà soát định kỳ hằng năm 2026 — Thanh Hóa")
    assert (
        str(CampaignUnit(campaign=campaign, unit=COMMUNE)) == "Rà soát định kỳ hằng năm 2026 — Thanh Hóa: Xã Thọ Xuân"
    )
