"""Demo review campaigns, driven step by step through the reviews services (so the demo obeys the
same rules and leaves the same audit trail as real work):

- **Thanh Hóa, yearly review 2026** on the 2025 structure (xã Thọ Xuân, chain commune → province):
  listing, applications (one screened out by phiếu A), phiếu B, village meetings (one household
  under 50% goes back to phiếu B and passes at a second meeting), public posting for 3 working days,
  a complaint during the posting and a late one, the commune chair's decision, certificates, the
  commune and province approvals and the frozen results.
- **Đắk Lắk, yearly review 2019** replayed on the legacy structure (plan 6828/KH-UBND of 21/8/2019,
  communes Ea Lai and Krông Jing of huyện M'Đrắk, chain commune → district → province): the three
  deadlines of the plan, Krông Jing late with its recognition, and a re-inspection by the district
  that finds a discrepancy the commune resolves; approved up to the province, frozen and closed.

Every date is fixed (the replay is history); each campaign is created once (found by plan number)
and only once its last step's date has passed. Figures are illustrative, not real records.
"""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from ansinh.accounts.models import User
from ansinh.geo.choices import Structure
from ansinh.geo.models import AdminUnit
from ansinh.poverty.choices import IncomeSource
from ansinh.poverty.models import Assessment, StandardVersion
from ansinh.poverty.services import AssessmentData, evaluate
from ansinh.registry.models import Household
from ansinh.reviews.choices import CampaignStatus, CaseOrigin, CaseState
from ansinh.reviews.models import Campaign, CampaignKind, UnitApproval
from ansinh.reviews.services import (
    CampaignData,
    assignment_add,
    campaign_close,
    campaign_create,
    campaign_open,
    milestone_complete,
    steering_member_add,
    training_record,
)
from ansinh.reviews.services_approval import approvals_ensure, results_approve, results_submit
from ansinh.reviews.services_cases import (
    ApplicationData,
    application_record,
    case_start_survey,
    cases_list_current,
    form_a_current,
    form_a_record,
)
from ansinh.reviews.services_decision import DecisionData, certificates_issue, decision_record
from ansinh.reviews.services_inspection import (
    discrepancy_resolve,
    finding_record,
    reinspection_close,
    reinspection_order,
)
from ansinh.reviews.services_posting import ComplaintData, complaint_record, complaint_verify, posting_open
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.services_survey import MeetingData, form_b_record, meeting_record

PLAN_2025 = "DEMO-168/KH-UBND"  # the 2025 demo campaign of earlier versions; closed before 2026 starts
PLAN_2026 = "DEMO-212/KH-UBND"
PLAN_2019 = "6828/KH-UBND"
DONE_2026 = date(2026, 11, 2)  # the 2026 demo is complete (province approval) on this day
DONE_2019 = date(2019, 12, 31)
ATTENDEES = 40  # people at each village meeting


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _unit(structure: str, level: str, code: str) -> AdminUnit:
    return AdminUnit.objects.get(structure=structure, level=level, code=code)


def _spec(campaign: Campaign):
    standard = campaign.standard
    return StandardVersion.objects.get(standard=standard, version=standard.version).spec()


def form_b_data(campaign: Campaign, household: Household, *, on_date: date, income_factor: float = 1.0,
                of_poverty_line: float | None = None) -> AssessmentData:  # fmt: skip
    """Phiếu B of one demo household under the campaign's standard: its income from its latest form B
    under that standard (or drawn, seeded by the household) times `income_factor` — or
    `of_poverty_line` times the standard's poverty line — and an answer for every indicator the
    registry cannot decide."""
    spec = _spec(campaign)
    area = household.area_type or "rural"
    rng = random.Random(f"review/{campaign.plan_number}/{household.pk}")  # noqa: S311 - demo data
    latest = Assessment.objects.filter(household=household, standard=campaign.standard).order_by("-id").first()
    income = latest.income_per_capita if latest and latest.income_per_capita is not None else None
    if income is None:
        income = int(spec.lines[area].poor * rng.uniform(0.6, 3.0))
    if of_poverty_line is not None:
        income = int(spec.lines[area].poor * of_poverty_line)
    unanswered = [row["code"] for row in evaluate(spec, household, None, on_date=on_date).indicators
                  if row["derived"] is None]  # fmt: skip
    answers = dict(latest.answers) if latest else {}
    return AssessmentData(
        income_source=IncomeSource.DECLARED, income_per_capita=int(income * income_factor) // 10_000 * 10_000,
        farming=latest.farming if latest else area == "rural",
        answers={code: bool(answers.get(code, rng.random() < 0.1)) for code in unanswered}, assessed_on=on_date,
    )  # fmt: skip


def _survey_all(campaign: Campaign, cases, *, actor, on_date: date, factors: dict[int, float] | None = None,
                lines: dict[int, float] | None = None) -> None:  # fmt: skip
    """Phiếu B for each case: income × factors[household id], or lines[household id] × the poverty line."""
    for case in cases:
        factor = (factors or {}).get(case.household_id, 1.0)
        data = form_b_data(campaign, case.household, on_date=on_date, income_factor=factor,
                           of_poverty_line=(lines or {}).get(case.household_id))  # fmt: skip
        form_b_record(actor=actor, case=case, data=data, today=on_date)


def _cases(campaign: Campaign, **filters):
    return list(campaign.cases.filter(**filters).select_related("household", "household__village").order_by("id"))


def _meet(campaign, village, *, actor, held_on, chair, secretary, agreeing, today) -> None:
    """One village meeting over the village's surveyed households; `agreeing(case)` gives the count."""
    cases = _cases(campaign, state=CaseState.SURVEYED, unit_path__startswith=village.path)
    if not cases:
        return
    meeting_record(
        actor=actor, campaign=campaign, village=village, today=today,
        data=MeetingData(held_on=held_on, chair=chair, secretary=secretary, attendee_count=ATTENDEES,
                         place=f"Nhà văn hóa {village.name}",
                         attendees=[f"{chair} — Trưởng thôn", f"{secretary} — Thư ký", "Đại diện Mặt trận Tổ quốc",
                                    "Đại diện các hộ gia đình trong thôn"],
                         signatories=[{"name": chair, "role": "Chủ trì"}, {"name": secretary, "role": "Thư ký"}]),
        results=[(case, agreeing(case)) for case in cases],
    )  # fmt: skip


def _approve_chain(campaign: Campaign, steps: list[tuple[str, str, str]]) -> None:
    """Submit then approve each unit of the chain, lowest level first: steps are (unit path, submitter,
    approver) usernames (the approver is never the submitter)."""
    approvals_ensure(campaign)
    for path, submitter, approver in steps:
        row = UnitApproval.objects.get(campaign=campaign, unit_path=path)
        row = results_submit(actor=_user(submitter), approval=row)
        results_approve(actor=_user(approver), approval=row)


# -- Thanh Hóa 2026 --------------------------------------------------------------------------------


def _close_2025_demo(officer: User) -> None:
    old = Campaign.objects.filter(plan_number=PLAN_2025, status=CampaignStatus.OPEN).first()
    if old is not None:
        campaign_close(actor=officer, campaign=old)


@transaction.atomic  # a step refused leaves no half-made demo campaign
def demo_campaign_2026_load(*, today: date) -> int:
    """Thanh Hóa's 2026 yearly review in xã Thọ Xuân, through to certificates and approval; 0 or 1."""
    kind = CampaignKind.objects.filter(code="periodic").first()
    if kind is None or today < DONE_2026 or Campaign.objects.filter(plan_number=PLAN_2026).exists():
        return 0
    province, commune = _unit(Structure.Y2025, "province", "38"), _unit(Structure.Y2025, "commune", "15499")
    officer, canbo, chair = _user("th.tinh"), _user("th.canbo"), _user("th.chutich")
    _close_2025_demo(officer)
    campaign = campaign_create(
        actor=officer, today=date(2026, 8, 25),
        data=CampaignData(kind=kind, year=2026, unit=province, units=[commune], plan_number=PLAN_2026,
                          plan_date=date(2026, 8, 20), note="Đợt minh họa: số liệu không có thật."),
    )  # fmt: skip
    campaign = campaign_open(actor=officer, campaign=campaign)
    steering_member_add(actor=canbo, campaign=campaign, unit=commune, full_name="Nguyễn Văn Thành",
                        position="Chủ tịch UBND xã", committee_role="head")  # fmt: skip
    steering_member_add(actor=canbo, campaign=campaign, unit=commune, full_name="Lê Thị Hoa",
                        position="Công chức Văn hóa - Xã hội", committee_role="standing")  # fmt: skip
    villages = list(commune.children.filter(level="village").order_by("sort_key"))
    for village in villages:
        assignment_add(actor=canbo, campaign=campaign, village=village, role="enumerator",
                       person_name=f"Rà soát viên {village.name}")  # fmt: skip
    training_record(
        actor=officer, campaign=campaign, unit=province, held_on=date(2026, 9, 8), today=date(2026, 9, 8),
        topic="Quy trình rà soát theo QĐ 24/2021/QĐ-TTg; phiếu A, phiếu B",
        attendees=["Lê Thị Hoa — công chức Văn hóa - Xã hội", "Nguyễn Văn Thành — Chủ tịch UBND xã"],
    )  # fmt: skip

    # Step 1–2: the lists, five applications (the first screened out by phiếu A), the survey starts.
    cases_list_current(actor=canbo, campaign=campaign, unit=commune)
    applicants = list(
        Household.objects.filter(commune=commune, status="active", poverty_class__in=["not_poor", "average"])
        .exclude(review_cases__campaign=campaign).order_by("code")[:5]
    )  # fmt: skip
    checklist = form_a_current(date(2026, 9, 16))
    for index, household in enumerate(applicants):
        case = application_record(
            actor=canbo, campaign=campaign, household=household, today=date(2026, 9, 15),
            application=ApplicationData(channel=["in_person", "online", "post"][index % 3],
                                        received_on=date(2026, 9, 14),
                                        reason="Chủ hộ ốm dài ngày, thu nhập giảm (minh họa)."),
        )  # fmt: skip
        answers = {c["code"]: False for c in checklist.criteria}
        if index == 0:  # the first applicant owns a car: excluded by phiếu A (the written refusal follows)
            answers[checklist.criteria[0]["code"]] = True
        form_a_record(actor=canbo, case=case, answers=answers, today=date(2026, 9, 16))
    for case in _cases(campaign, state=CaseState.LISTED):
        case_start_survey(actor=canbo, case=case)

    # Step 3: phiếu B. One poor household's income rose 2.5 times (it escapes poverty); the applicants
    # earn from 70 % to 130 % of the poverty line (newly poor or near-poor, one not).
    surveying = _cases(campaign, state=CaseState.SURVEYING)
    escaping = next((c.household_id for c in surveying if c.origin == CaseOrigin.POOR_LIST), None)
    applied = [c.household_id for c in surveying if c.origin == CaseOrigin.APPLIED]
    _survey_all(campaign, surveying, actor=canbo, on_date=date(2026, 9, 28), factors={escaping: 2.5},
                lines=dict(zip(applied, [0.7, 0.8, 0.95, 1.3], strict=False)))  # fmt: skip

    # Step 4: village meetings; the first surveyed household of the first village gets under 50 %.
    doubted = next((c.pk for c in _cases(campaign, state=CaseState.SURVEYED)), None)
    for village in villages:
        _meet(campaign, village, actor=canbo, held_on=date(2026, 10, 5), chair=f"Trưởng {village.name}",
              secretary="Lê Thị Hoa", today=date(2026, 10, 5),
              agreeing=lambda case: 18 if case.pk == doubted else 31)  # fmt: skip
    _survey_all(campaign, _cases(campaign, state=CaseState.SURVEYING), actor=canbo, on_date=date(2026, 10, 7))
    for village in villages:
        _meet(campaign, village, actor=canbo, held_on=date(2026, 10, 9), chair=f"Trưởng {village.name}",
              secretary="Lê Thị Hoa", today=date(2026, 10, 9), agreeing=lambda case: 29)  # fmt: skip

    # Step 5–6: posting for 3 working days (12–14/10/2026), a complaint during it and a late one.
    posting = posting_open(
        actor=canbo, campaign=campaign, unit=commune, start_on=date(2026, 10, 12), today=date(2026, 10, 12),
        places=["Nhà văn hóa các thôn", "Trụ sở UBND xã Thọ Xuân"],
    )  # fmt: skip
    posted = _cases(campaign, posting=posting)
    on_time = complaint_record(
        actor=canbo, case=posted[0], today=date(2026, 10, 13),
        data=ComplaintData(complainant_name="Trần Văn Hải", channel="in_person", received_on=date(2026, 10, 13),
                           content="Cho rằng hộ có xe máy mới, thu nhập cao hơn kê khai."),
    )  # fmt: skip
    complaint_verify(actor=chair, complaint=on_time, upheld=False, verified_on=date(2026, 10, 15),
                     today=date(2026, 10, 15),
                     reason="Ban Chỉ đạo xã xác minh: xe máy do con đi làm xa gửi về, thu nhập hộ đúng như "
                            "kê khai.")  # fmt: skip
    late = complaint_record(
        actor=canbo, case=posted[-1], today=date(2026, 10, 19),
        data=ComplaintData(complainant_name="Phạm Thị Lan", channel="letter", received_on=date(2026, 10, 19),
                           content="Đề nghị xem lại điều kiện nhà ở của hộ."),
    )  # fmt: skip
    complaint_verify(actor=chair, complaint=late, upheld=False, verified_on=date(2026, 10, 20),
                     today=date(2026, 10, 20),
                     reason="Nhận sau khi hết niêm yết; đã kiểm tra, nhà ở đúng như phiếu B.")  # fmt: skip

    # Step 8–9: the decision and the certificates; the commune's milestone done on time.
    decision = decision_record(
        actor=chair, campaign=campaign, commune=commune, today=date(2026, 10, 21),
        data=DecisionData(number="215/QĐ-UBND", signed_on=date(2026, 10, 21), signer_name="Nguyễn Văn Thành",
                          signer_position="Chủ tịch"),
    )  # fmt: skip
    certificates_issue(actor=canbo, decision=decision, issued_on=date(2026, 10, 23), today=date(2026, 10, 23))
    milestone_complete(actor=canbo, milestone=campaign.milestones.get(code="commune_recognition"), unit=commune,
                       done_on=date(2026, 10, 21), today=date(2026, 10, 21))  # fmt: skip

    # Step 10 and the results: the commune, then the province; results frozen.
    _approve_chain(campaign, [(commune.path, "th.canbo", "th.chutich"), (province.path, "th.tinh", "th.pheduyet")])
    results_freeze(actor=officer, campaign=campaign, today=DONE_2026)
    return 1


# -- Đắk Lắk 2019 replay (legacy structure) --------------------------------------------------------


@transaction.atomic
def demo_replay_2019_load(*, today: date) -> int:
    """Case 4 of the scenarios: Đắk Lắk's 2019 yearly review under plan 6828/KH-UBND; 0 or 1."""
    kind = CampaignKind.objects.filter(code="periodic").first()
    if kind is None or today < DONE_2019 or Campaign.objects.filter(plan_number=PLAN_2019, year=2019).exists():
        return 0
    province, district = _unit(Structure.LEGACY, "province", "66"), _unit(Structure.LEGACY, "district", "652")
    ea_lai, krong_jing = _unit(Structure.LEGACY, "commune", "24421"), _unit(Structure.LEGACY, "commune", "24427")
    if not Household.objects.filter(commune__in=[ea_lai, krong_jing]).exists():
        return 0
    officer, canbo, chair = _user("dl.tinh"), _user("dl.canbo"), _user("dl.chutich")
    district_officer = _user("dl.huyen.cu")
    campaign = campaign_create(
        actor=officer, today=date(2019, 8, 21),
        data=CampaignData(kind=kind, year=2019, unit=province, units=[ea_lai, krong_jing], plan_number=PLAN_2019,
                          plan_date=date(2019, 8, 21),
                          note="Tái hiện kế hoạch 6828/KH-UBND ngày 21/8/2019 của UBND tỉnh Đắk Lắk "
                               "(số liệu minh họa)."),
    )  # fmt: skip
    campaign = campaign_open(actor=officer, campaign=campaign)
    steering_member_add(actor=officer, campaign=campaign, unit=district, full_name="Võ Văn Tâm",
                        position="Phó Chủ tịch UBND huyện", committee_role="head")  # fmt: skip
    training_record(
        actor=officer, campaign=campaign, unit=province, held_on=date(2019, 8, 28), today=date(2019, 8, 28),
        topic="Tập huấn rà soát hộ nghèo, hộ cận nghèo năm 2019 cho cán bộ huyện, xã",
        attendees=["Cán bộ Phòng LĐ-TB&XH huyện M'Đrắk", "Công chức LĐ-TB&XH các xã"],
    )  # fmt: skip
    for commune in (ea_lai, krong_jing):
        cases_list_current(actor=canbo, campaign=campaign, unit=commune)
        for case in _cases(campaign, state=CaseState.LISTED, unit_path__startswith=commune.path):
            case_start_survey(actor=canbo, case=case)
    _survey_all(campaign, _cases(campaign, state=CaseState.SURVEYING), actor=canbo, on_date=date(2019, 9, 10),
                factors={c.household_id: 1.6 for c in _cases(campaign, state=CaseState.SURVEYING)[::4]})  # fmt: skip
    for commune, held_on in ((ea_lai, date(2019, 9, 16)), (krong_jing, date(2019, 9, 18))):
        for village in commune.children.filter(level="village"):
            _meet(campaign, village, actor=canbo, held_on=held_on, chair=f"Trưởng {village.name}",
                  secretary="H'Linh Niê", today=held_on, agreeing=lambda case: 27)  # fmt: skip
    posting_open(actor=canbo, campaign=campaign, unit=ea_lai, start_on=date(2019, 9, 19), today=date(2019, 9, 19),
                 places=["Nhà văn hóa buôn", "Trụ sở UBND xã Ea Lai"])  # fmt: skip
    posting_open(actor=canbo, campaign=campaign, unit=krong_jing, start_on=date(2019, 9, 23), today=date(2019, 9, 23),
                 places=["Nhà văn hóa thôn", "Trụ sở UBND xã Krông Jing"])  # fmt: skip
    milestones = {m.code: m for m in campaign.milestones.all()}
    milestone_complete(actor=district_officer, milestone=milestones["district_preliminary"], unit=district,
                       done_on=date(2019, 9, 27), today=date(2019, 9, 27))  # fmt: skip

    # The district re-inspects Krông Jing (complaints, a rate out of line): for one household its finding
    # differs from the commune's result; the commune explains it, and the re-inspection is closed.
    sample = _cases(campaign, unit_path__startswith=krong_jing.path, provisional_class__in=["poor", "near_poor"])
    reinspection = reinspection_order(
        actor=district_officer, campaign=campaign, commune=krong_jing, cases=sample[:3], today=date(2019, 9, 26),
        reasons=["Tỷ lệ hộ nghèo giảm nhiều hơn mức chung của huyện", "Có ý kiến phản ánh của người dân"],
    )  # fmt: skip
    for index, item in enumerate(reinspection.samples.select_related("case").order_by("id")):
        found = item.commune_class
        if index == 0:
            found = "poor" if item.commune_class != "poor" else "near_poor"
        finding_record(actor=district_officer, sample=item, found_class=found, inspector_name="Võ Văn Tâm",
                       inspected_on=date(2019, 9, 26), today=date(2019, 9, 26),
                       findings="Kiểm tra thực tế tại hộ, đối chiếu phiếu B." if index else
                       "Hộ có thêm thu nhập làm thuê theo mùa vụ chưa kê khai trong phiếu B.")  # fmt: skip
        if item.discrepancy or found != item.commune_class:
            item.refresh_from_db()
            discrepancy_resolve(actor=canbo, sample=item, resurvey=False, today=date(2019, 9, 27),
                                resolution="Thu nhập làm thuê chỉ có 2 tháng trong năm; tính bình quân cả năm hộ "
                                           "vẫn dưới chuẩn nghèo. Giữ nguyên kết quả họp thôn, báo cáo "
                                           "huyện.")  # fmt: skip
    reinspection_close(actor=district_officer, reinspection=reinspection, today=date(2019, 9, 28))
    for commune, number, signed_on in ((ea_lai, "89/QĐ-UBND", date(2019, 9, 30)),
                                       (krong_jing, "102/QĐ-UBND", date(2019, 10, 8))):  # fmt: skip
        decision = decision_record(
            actor=chair, campaign=campaign, commune=commune, today=signed_on,
            data=DecisionData(number=number, signed_on=signed_on, signer_name="Y Phôn Êban",
                              signer_position="Chủ tịch"),
        )  # fmt: skip
        certificates_issue(actor=canbo, decision=decision, issued_on=signed_on, today=signed_on)
    # Ea Lai recognised on time; Krông Jing's recognition came after its deadline (14/12) was reported.
    milestone_complete(actor=canbo, milestone=milestones["commune_recognition"], unit=ea_lai,
                       done_on=date(2019, 9, 30), today=date(2019, 9, 30))  # fmt: skip
    milestone_complete(actor=canbo, milestone=milestones["commune_recognition"], unit=krong_jing,
                       done_on=date(2019, 12, 18), today=date(2019, 12, 18), note="Báo cáo chậm")  # fmt: skip
    milestone_complete(actor=district_officer, milestone=milestones["district_official"], unit=district,
                       done_on=date(2019, 10, 10), today=date(2019, 10, 10))  # fmt: skip
    _approve_chain(campaign, [
        (ea_lai.path, "dl.canbo", "dl.chutich"), (krong_jing.path, "dl.canbo", "dl.chutich"),
        (district.path, "dl.huyen.cu", "dl.huyen.pct"), (province.path, "dl.tinh", "dl.pheduyet"),
    ])  # fmt: skip
    for code, done_on in (("province_approval", date(2019, 10, 29)), ("province_preliminary_ministry",
                          date(2019, 11, 14)), ("province_official_ministry", date(2019, 12, 19))):  # fmt: skip
        milestone_complete(actor=officer, milestone=milestones[code], unit=province, done_on=done_on, today=done_on)
    results_freeze(actor=officer, campaign=campaign, today=DONE_2019)
    campaign_close(actor=officer, campaign=campaign)
    return 1


def demo_campaign_load(*, today: date) -> int:
    """Both demo campaigns (each at most once); returns how many were created."""
    return demo_replay_2019_load(today=today) + demo_campaign_2026_load(today=today)


__all__ = ["demo_campaign_load", "form_b_data"]
