"""One demo review campaign (Thanh Hóa, periodic review 2025), reached through the reviews services.

The province officer creates and opens it for the demo commune, the commune officer records its
steering committee, an enumerator, a training and the commune's recognition milestone, so the
detail page and the milestone board have something true to show; then lists the commune's poor and
near-poor households into it and records one application (Mẫu 01) from a household not on the lists.
Idempotent (found by plan number).
"""

from datetime import date

from ansinh.accounts.models import User
from ansinh.geo.choices import Structure
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household
from ansinh.reviews.models import Campaign, CampaignKind
from ansinh.reviews.services import (
    CampaignData,
    assignment_add,
    campaign_create,
    campaign_open,
    milestone_complete,
    steering_member_add,
    training_record,
)
from ansinh.reviews.services_cases import ApplicationData, application_record, cases_list_current

PLAN_NUMBER = "DEMO-168/KH-UBND"
PLAN_DATE = date(2025, 8, 20)


def demo_campaign_load(*, today: date) -> int:
    """Create the demo campaign if missing (and only once its plan date has passed); returns 0 or 1."""
    kind = CampaignKind.objects.filter(code="periodic").first()
    if kind is None or today < date(2025, 12, 12) or Campaign.objects.filter(plan_number=PLAN_NUMBER).exists():
        return 0
    province = AdminUnit.objects.get(structure=Structure.Y2025, level="province", code="38")
    commune = AdminUnit.objects.get(structure=Structure.Y2025, level="commune", code="15499")
    village = commune.children.filter(code="XH1").first()
    officer, commune_officer = User.objects.get(username="th.tinh"), User.objects.get(username="th.canbo")
    campaign = campaign_create(
        actor=officer, today=today,
        data=CampaignData(kind=kind, year=2025, unit=province, units=[commune], plan_number=PLAN_NUMBER,
                          plan_date=PLAN_DATE, note="Đợt minh họa: số liệu không có thật."),
    )  # fmt: skip
    campaign = campaign_open(actor=officer, campaign=campaign)
    steering_member_add(actor=commune_officer, campaign=campaign, unit=commune, full_name="Nguyễn Văn Thành",
                        position="Chủ tịch UBND xã", committee_role="head")  # fmt: skip
    if village is not None:
        assignment_add(actor=commune_officer, campaign=campaign, village=village, role="enumerator",
                       person_name="Lê Thị Hoa")  # fmt: skip
    training_record(
        actor=officer, campaign=campaign, unit=province, held_on=date(2025, 9, 10), today=today,
        topic="Quy trình rà soát theo QĐ 24/2021/QĐ-TTg; phiếu A, phiếu B",
        attendees=["Lê Thị Hoa — công chức Văn hóa - Xã hội", "Nguyễn Văn Thành — Chủ tịch UBND xã"],
    )  # fmt: skip
    milestone = campaign.milestones.get(code="commune_recognition")
    milestone_complete(actor=commune_officer, milestone=milestone, unit=commune, done_on=date(2025, 12, 12),
                       today=today)  # fmt: skip
    cases_list_current(actor=commune_officer, campaign=campaign, unit=commune)
    applicant = (
        Household.objects.filter(commune=commune, poverty_class="not_poor", status="active").order_by("code").first()
    )
    if applicant is not None:
        application_record(
            actor=commune_officer, campaign=campaign, household=applicant, today=today,
            application=ApplicationData(channel="in_person", received_on=date(2025, 9, 15),
                                        reason="Chủ hộ ốm dài ngày, thu nhập giảm (minh họa)."),
        )  # fmt: skip
    return 1
