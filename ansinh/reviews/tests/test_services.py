from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import (
    Assignment,
    Campaign,
    CampaignUnit,
    Milestone,
    MilestoneCompletion,
    SteeringMember,
    TrainingSession,
)
from ansinh.reviews.services import (
    assignment_add,
    assignment_end,
    campaign_cancel,
    campaign_close,
    campaign_create,
    campaign_open,
    milestone_complete,
    steering_member_add,
    steering_member_remove,
    training_record,
)
from ansinh.reviews.tests.factories import campaign_data, load_reference_data, make_campaign, thanh_hoa_campaign


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users)


def nothing_written():
    return not (Campaign.objects.exists() or CampaignUnit.objects.exists() or Milestone.objects.exists()
                or AuditEvent.objects.filter(event_type__gte=7010, event_type__lt=7100).exists())  # fmt: skip


def review_events():
    return AuditEvent.objects.filter(event_type__gte=7010, event_type__lt=7100)


# -- campaign_create ----------------------------------------------------------------------------


def test_create_2025_campaign_copies_milestones_chain_and_standard(ctx, standards):
    campaign = thanh_hoa_campaign(ctx)
    assert campaign.status == "draft"
    assert (campaign.period_start, campaign.period_end) == (date(2025, 9, 1), date(2025, 12, 14))
    assert campaign.approval_chain == ["commune", "province"]
    assert campaign.standard == standards.s2022_2025  # in force on 1/1/2026 (extended through 2026)
    assert campaign.due_soon_days == 7
    assert {cu.unit for cu in campaign.covered.all()} == {ctx.units.tho_xuan, ctx.units.hac_thanh}
    assert dict(campaign.milestones.values_list("code", "deadline")) == {
        "commune_recognition": date(2025, 12, 14), "province_preliminary_ministry": date(2025, 11, 15),
        "province_official_ministry": date(2025, 12, 20),
    }  # fmt: skip
    event = AuditEvent.objects.get(event_type=ReviewsEventType.CAMPAIGN_CREATED)
    assert event.unit_path == ctx.units.th.path and event.actor == ctx.users.province_officer
    assert event.changes["new"]["approval_chain"] == ["commune", "province"]


def test_create_legacy_campaign_has_the_district_in_its_chain(ctx):
    """Đắk Lắk 2019 style: commune → district → province, district deadlines 30/9 and 10/10."""
    units = ctx.units
    campaign = make_campaign(ctx.users.province_officer, units.th_old, [units.tho_xuan_district, units.xuan_hong],
                             year=2024, plan_date=date(2024, 8, 20))  # fmt: skip
    assert campaign.structure == "legacy"
    assert campaign.approval_chain == ["commune", "district", "province"]
    assert campaign.milestones.get(code="district_official").deadline == date(2024, 10, 10)
    assert campaign.standard.code == "2022-2025"


def test_create_monthly_campaign_starts_on_the_15th(ctx):
    units = ctx.users, ctx.units
    campaign = make_campaign(ctx.users.commune_officer, ctx.units.tho_xuan, [ctx.units.tho_xuan],
                             kind_code="monthly", year=2025, month=10, plan_date=date(2025, 10, 1))  # fmt: skip
    assert units and campaign.period_start == date(2025, 10, 15)
    assert campaign.milestones.get(code="commune_report").deadline == date(2025, 11, 5)


def test_explicit_standard_for_the_following_year_is_accepted(ctx, standards):
    """The 2026 periodic review sets the 2027 lists, so the 2027–2030 standard may be chosen."""
    units = ctx.units
    campaign = make_campaign(ctx.users.province_officer, units.th, [units.tho_xuan], year=2026,
                             plan_date=date(2026, 8, 1), standard=standards.s2027_2030)  # fmt: skip
    assert campaign.standard == standards.s2027_2030


def test_the_2026_periodic_review_defaults_to_the_standard_of_2027(ctx, standards):
    """Its lists serve 2027 (QĐ 24/2021 Điều 3), as the end-2021 review's served 2022 under the then new
    2022–2025 standard (decision 0040); a plan may still keep the standard in force when it starts."""
    units, officer = ctx.units, ctx.users.province_officer
    campaign = make_campaign(officer, units.th, [units.tho_xuan], year=2026, plan_date=date(2026, 8, 1))
    assert campaign.standard == standards.s2027_2030
    kept = make_campaign(officer, units.th, [units.hac_thanh], year=2026, plan_date=date(2026, 8, 2),
                         standard=standards.s2022_2025)  # fmt: skip
    assert kept.standard == standards.s2022_2025


def test_a_monthly_review_classifies_under_the_standard_in_force_when_it_starts(ctx, standards):
    units, officer = ctx.units, ctx.users.commune_officer
    campaign = make_campaign(officer, units.tho_xuan, [units.tho_xuan], kind_code="monthly", year=2026, month=12,
                             plan_date=date(2026, 12, 1))  # fmt: skip
    assert campaign.standard == standards.s2022_2025  # entries and exits decided in December 2026
    with pytest.raises(ValidationError) as info:
        campaign_create(actor=officer, data=campaign_data(units.tho_xuan, [units.tho_xuan], kind_code="monthly",
                                                          year=2026, month=11, plan_date=date(2026, 11, 1),
                                                          standard=standards.s2027_2030))  # fmt: skip
    assert info.value.message_dict["standard"] == [
        "Chuẩn 2027-2030 không áp dụng cho đợt này: đợt dùng chuẩn áp dụng ngày 15/11/2026 (2022-2025)."
    ]


def test_a_local_standard_out_of_reach_is_refused_for_a_campaign(ctx, standards):
    units = ctx.units
    with pytest.raises(ValidationError) as info:
        campaign_create(
            actor=ctx.users.province_officer,
            data=campaign_data(
                units.th, [units.tho_xuan], year=2025, plan_date=date(2025, 8, 1), standard=standards.hcm_2021_2025
            ),
        )
    assert info.value.message_dict["standard"] == [
        "Chuẩn hcm-2021-2025 là chuẩn địa phương, không áp dụng cho toàn bộ Tỉnh Thanh Hóa."
    ]


@pytest.mark.parametrize(
    ("case", "field", "text"),
    [
        ("future_plan", "plan_date", "tương lai"),
        ("legacy_after_reform", "unit", "đơn vị hành chính mới"),
        ("new_before_reform", "unit", "đơn vị hành chính cũ"),
        ("out_of_area", "units", "không thuộc địa bàn"),
        ("outside_root", "units", "không nằm trong"),
        ("village", "units", "là thôn"),
        ("no_units", "units", "ít nhất một"),
        ("wrong_standard", "standard", "không áp dụng"),
        ("monthly_no_month", "month", "chọn tháng"),
        ("district_after_reform", "approval_chain", "Trình tự"),
        ("no_plan_number", "plan_number", "số kế hoạch"),
    ],
)
def test_create_refusals_write_nothing(ctx, standards, case, field, text):
    u, officer = ctx.units, ctx.users.province_officer
    data = {
        "future_plan": lambda: campaign_data(u.th, [u.tho_xuan], plan_date=date.today() + timedelta(days=1)),
        "legacy_after_reform": lambda: campaign_data(u.th_old, [u.xuan_hong], year=2025),
        "new_before_reform": lambda: campaign_data(u.th, [u.tho_xuan], year=2024, plan_date=date(2024, 8, 1)),
        "out_of_area": lambda: campaign_data(u.th, [u.hac_thanh]),
        "outside_root": lambda: campaign_data(u.tho_xuan, [u.hac_thanh]),
        "village": lambda: campaign_data(u.th, [u.t1]),
        "no_units": lambda: campaign_data(u.th, []),
        "wrong_standard": lambda: campaign_data(u.th, [u.tho_xuan], standard=standards.s2016_2020),
        "monthly_no_month": lambda: campaign_data(u.th, [u.tho_xuan], kind_code="monthly"),
        "district_after_reform": lambda: campaign_data(u.th, [u.tho_xuan], approval_chain=["commune", "district"]),
        "no_plan_number": lambda: campaign_data(u.th, [u.tho_xuan], plan_number=" "),
    }[case]()
    if case == "out_of_area":
        officer = ctx.users.commune_officer  # Thọ Xuân only: neither the province nor Hạc Thành is theirs
    with pytest.raises(ValidationError) as info:
        campaign_create(actor=officer, data=data)
    assert any(text in message for message in info.value.message_dict[field]), info.value.message_dict
    assert nothing_written()


def test_commune_officer_cannot_run_a_province_campaign(ctx):
    with pytest.raises(ValidationError) as info:
        campaign_create(actor=ctx.users.commune_officer, data=campaign_data(ctx.units.th, [ctx.units.tho_xuan]))
    assert "unit" in info.value.message_dict
    assert nothing_written()


# -- transitions --------------------------------------------------------------------------------


def test_open_close_and_cancel_follow_the_transition_map(ctx):
    officer = ctx.users.province_officer
    campaign = thanh_hoa_campaign(ctx)
    with pytest.raises(ApplicationError):
        campaign_close(actor=officer, campaign=campaign)  # draft cannot close
    campaign = campaign_open(actor=officer, campaign=campaign)
    campaign = campaign_close(actor=officer, campaign=campaign)
    assert campaign.status == "closed"
    with pytest.raises(ApplicationError):
        campaign_cancel(actor=officer, campaign=campaign, reason="muộn")
    assert list(review_events().order_by("id").values_list("event_type", flat=True)) == [
        ReviewsEventType.CAMPAIGN_CREATED, ReviewsEventType.CAMPAIGN_OPENED, ReviewsEventType.CAMPAIGN_CLOSED,
    ]  # fmt: skip


def test_cancel_needs_a_reason_and_the_province_role(ctx):
    campaign = thanh_hoa_campaign(ctx)
    before = review_events().count()
    with pytest.raises(ValidationError):
        campaign_cancel(actor=ctx.users.province_officer, campaign=campaign, reason="")
    with pytest.raises(PermissionDenied):
        campaign_open(actor=ctx.users.commune_officer, campaign=campaign)  # the commune cannot open the province's
    assert review_events().count() == before
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
    done = campaign_cancel(actor=ctx.users.province_officer, campaign=campaign, reason="Thay bằng kế hoạch mới")
    assert (done.status, done.cancel_reason) == ("cancelled", "Thay bằng kế hoạch mới")


# -- milestones ---------------------------------------------------------------------------------


def test_complete_on_time_and_late(ctx):
    campaign = thanh_hoa_campaign(ctx, open_=True)
    recognition = campaign.milestones.get(code="commune_recognition")  # deadline 14/12/2025
    on_time = milestone_complete(actor=ctx.users.commune_officer, milestone=recognition, unit=ctx.units.tho_xuan,
                                 done_on=date(2025, 12, 14))  # fmt: skip
    late = milestone_complete(actor=ctx.users.province_officer, milestone=recognition, unit=ctx.units.hac_thanh,
                              done_on=date(2025, 12, 15), note="Chờ phúc tra")  # fmt: skip
    assert (on_time.late, late.late) == (False, True)
    events = AuditEvent.objects.filter(event_type=ReviewsEventType.MILESTONE_COMPLETED).order_by("id")
    assert [e.changes["new"]["late"] for e in events] == [False, True]
    assert events[0].unit_path == ctx.units.tho_xuan.path


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("draft", ApplicationError),
        ("twice", ApplicationError),
        ("wrong_level", ValidationError),
        ("not_covered", ValidationError),
        ("future", ValidationError),
        ("before_plan", ValidationError),
        ("other_commune", PermissionDenied),
        ("read_only_role", PermissionDenied),
    ],
)
def test_complete_refusals_write_nothing(ctx, case, error):
    users, units = ctx.users, ctx.units
    campaign = thanh_hoa_campaign(ctx, open_=case != "draft")
    recognition = campaign.milestones.get(code="commune_recognition")
    if case == "twice":
        milestone_complete(actor=users.commune_officer, milestone=recognition, unit=units.tho_xuan,
                           done_on=date(2025, 12, 1))  # fmt: skip
    before = (MilestoneCompletion.objects.count(), review_events().count())
    actor, milestone, unit, done_on = users.commune_officer, recognition, units.tho_xuan, date(2025, 12, 1)
    if case == "wrong_level":
        milestone = campaign.milestones.get(code="province_official_ministry")
    elif case == "not_covered":
        actor, unit = users.province_officer_dl, units.mdrak
    elif case == "future":
        done_on = date.today() + timedelta(days=1)
    elif case == "before_plan":
        done_on = date(2025, 8, 1)
    elif case == "other_commune":
        unit = units.hac_thanh  # the Thọ Xuân officer may not record for Hạc Thành
    elif case == "read_only_role":
        actor = users.village_head
    with pytest.raises(error):
        milestone_complete(actor=actor, milestone=milestone, unit=unit, done_on=done_on)
    assert (MilestoneCompletion.objects.count(), review_events().count()) == before


# -- steering committee, assignments, trainings -------------------------------------------------


def test_steering_member_add_and_remove(ctx):
    campaign = thanh_hoa_campaign(ctx)
    member = steering_member_add(
        actor=ctx.users.commune_officer, campaign=campaign, unit=ctx.units.tho_xuan, full_name="Lê Văn Bình",
        position="Chủ tịch UBND xã", committee_role="head",
    )  # fmt: skip
    removed = steering_member_remove(actor=ctx.users.commune_officer, member=member, on_date=date(2025, 10, 1))
    assert removed.removed_on == date(2025, 10, 1)
    with pytest.raises(ApplicationError):
        steering_member_remove(actor=ctx.users.commune_officer, member=removed)
    assert review_events().filter(event_type__in=[7030, 7031]).count() == 2


def test_steering_member_refusals_write_nothing(ctx):
    campaign = thanh_hoa_campaign(ctx)
    before = review_events().count()
    with pytest.raises(ValidationError):
        steering_member_add(actor=ctx.users.commune_officer, campaign=campaign, unit=ctx.units.tho_xuan,
                            full_name="", position="", committee_role="boss")  # fmt: skip
    with pytest.raises(PermissionDenied):
        steering_member_add(actor=ctx.users.commune_officer, campaign=campaign, unit=ctx.units.hac_thanh,
                            full_name="A", position="B", committee_role="member")  # fmt: skip
    campaign_cancel(actor=ctx.users.province_officer, campaign=campaign, reason="Hủy")
    with pytest.raises(ApplicationError):
        steering_member_add(actor=ctx.users.commune_officer, campaign=campaign, unit=ctx.units.tho_xuan,
                            full_name="A", position="B", committee_role="member")  # fmt: skip
    assert not SteeringMember.objects.exists()
    assert review_events().count() == before + 1  # only the cancellation


def test_assignment_add_and_end(ctx):
    campaign = thanh_hoa_campaign(ctx)
    assignment = assignment_add(actor=ctx.users.commune_officer, campaign=campaign, village=ctx.units.t1,
                                role="enumerator", user=ctx.users.enumerator)  # fmt: skip
    assert (assignment.person_name, assignment.start_on) == ("enumerator", date(2025, 9, 1))
    ended = assignment_end(actor=ctx.users.commune_officer, assignment=assignment, end_on=date(2025, 11, 30))
    assert ended.end_on == date(2025, 11, 30)
    with pytest.raises(ApplicationError):
        assignment_end(actor=ctx.users.commune_officer, assignment=ended)


def test_assignment_refusals_write_nothing(ctx):
    campaign = thanh_hoa_campaign(ctx)
    before = review_events().count()
    with pytest.raises(ValidationError):  # a commune is not a village
        assignment_add(actor=ctx.users.commune_officer, campaign=campaign, village=ctx.units.tho_xuan,
                       role="enumerator", person_name="A")  # fmt: skip
    with pytest.raises(ValidationError):
        assignment_add(actor=ctx.users.commune_officer, campaign=campaign, village=ctx.units.t1, role="chief",
                       person_name="")  # fmt: skip
    with pytest.raises(PermissionDenied):  # Buôn Ea Khanh is in Đắk Lắk
        assignment_add(actor=ctx.users.commune_officer, campaign=campaign, village=ctx.units.b1, role="enumerator",
                       person_name="A")  # fmt: skip
    assert not Assignment.objects.exists()
    assert review_events().count() == before


def test_training_record_and_refusals(ctx):
    campaign = thanh_hoa_campaign(ctx)
    session = training_record(actor=ctx.users.province_officer, campaign=campaign, unit=ctx.units.th,
                              held_on=date(2025, 9, 5), topic="Phiếu A, phiếu B",
                              attendees=["Nguyễn Thị Hoa — rà soát viên", " ", "Phạm Văn Nam"])  # fmt: skip
    assert session.attendees == ["Nguyễn Thị Hoa — rà soát viên", "Phạm Văn Nam"]
    event = AuditEvent.objects.get(event_type=ReviewsEventType.TRAINING_RECORDED)
    assert event.changes["new"]["attendees"] == session.attendees
    with pytest.raises(ValidationError) as info:
        training_record(actor=ctx.users.province_officer, campaign=campaign, unit=ctx.units.th,
                        held_on=date.today() + timedelta(days=2), topic="", attendees=[])  # fmt: skip
    assert set(info.value.message_dict) == {"held_on", "topic", "attendees"}
    with pytest.raises(ValidationError):  # Đắk Lắk is not in the campaign
        training_record(actor=ctx.users.province_officer_dl, campaign=campaign, unit=ctx.units.dl,
                        held_on=date(2025, 9, 5), topic="x", attendees=["a"])  # fmt: skip
    assert TrainingSession.objects.count() == 1
