from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.poverty.models import Assessment
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import MeetingResult, ReviewCase, UnitApproval, VillageMeeting
from ansinh.reviews.services import campaign_close
from ansinh.reviews.services_survey import MeetingData, case_resurvey, form_b_record, meeting_passed, meeting_record
from ansinh.reviews.tests.factories import case_at, classified_household, dak_lak_campaign, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_survey import MEETING_DAY, SURVEY_DAY, TODAY, form_b_data, surveyed_case

DEPRIVED = ("nutrition", "housing_quality", "water")


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.officer = officer
    c.poor = classified_household(units.tho_xuan, village=units.t1, code="H1", klass="poor", actor=officer,
                                  name="Nguyễn Văn An")  # fmt: skip
    c.near = classified_household(units.tho_xuan, village=units.t1, code="H2", klass="near_poor", actor=officer,
                                  name="Lê Thị Bình")  # fmt: skip
    c.other_village = classified_household(units.tho_xuan, village=units.t2, code="H3", klass="poor", actor=officer,
                                           name="Trần Văn Cường")  # fmt: skip
    return c


def snapshot() -> dict:
    return {
        "cases": list(ReviewCase.objects.order_by("pk").values_list("pk", "state", "provisional_class", "meeting_id",
                                                                       "assessment_id")),
        "assessments": Assessment.objects.count(), "meetings": VillageMeeting.objects.count(),
        "results": MeetingResult.objects.count(), "events": AuditEvent.objects.count(),
    }  # fmt: skip


def assert_refused(exc_type, call):
    before = snapshot()
    with pytest.raises(exc_type) as info:
        call()
    assert snapshot() == before
    return info.value


def events(event_type) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


# -- phiếu B ------------------------------------------------------------------------------------


def test_the_cases_form_b_is_protected_without_a_database_foreign_key(ctx):
    """Form B is partitioned by province on PostgreSQL (decision 0037): the case's reference to it is
    Django's only, and PROTECT still refuses to delete a form B a case names."""
    from django.db.models import ProtectedError

    assert ReviewCase._meta.get_field("assessment").db_constraint is False
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    form_b_record(actor=ctx.officer, case=case, data=form_b_data(ctx.campaign, deprived=DEPRIVED), today=TODAY)
    case.refresh_from_db()
    assert case.assessment.province_key == "2025:38"
    with pytest.raises(ProtectedError):
        case.assessment.delete()
    assert Assessment.objects.filter(pk=case.assessment_id).exists()


def test_campaign_period_is_the_2025_review(ctx):
    assert ctx.campaign.period_start == date(2025, 9, 1) and ctx.campaign.period_end == date(2025, 12, 14)


def test_form_b_records_assessment_and_provisional_class(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    result = form_b_record(actor=ctx.officer, case=case, data=form_b_data(ctx.campaign, deprived=DEPRIVED), today=TODAY)
    assert result.state == "surveyed"
    case.refresh_from_db()
    assert case.state == "surveyed" and case.provisional_class == "poor"
    assert case.assessment.household == ctx.poor and case.assessment.standard == ctx.campaign.standard
    codes = [i.code for i in ctx.campaign.standard.spec().indicators]
    assert case.deprivations == sorted(DEPRIVED, key=codes.index)
    assert case.provisional_reasons and case.surveyed_on == SURVEY_DAY and case.surveyed_by == ctx.officer
    [event] = events(ReviewsEventType.FORM_B_RECORDED)
    assert event.changes["old"]["state"] == "surveying"
    assert event.changes["new"]["provisional_class"] == "poor"
    assert event.changes["new"]["assessment"] == case.assessment_id
    assert event.changes["new"]["reasons"]


def test_form_b_does_not_change_the_official_class(ctx):
    case = case_at(ctx.campaign, ctx.near, "surveying")
    form_b_record(actor=ctx.officer, case=case, data=form_b_data(ctx.campaign, deprived=DEPRIVED), today=TODAY)
    case.refresh_from_db()
    ctx.near.refresh_from_db()
    assert case.provisional_class == "poor"
    assert ctx.near.poverty_class == "near_poor"


def test_form_b_near_poor_and_not_poor(ctx):
    near = case_at(ctx.campaign, ctx.near, "surveying")
    form_b_record(actor=ctx.officer, case=near, data=form_b_data(ctx.campaign), today=TODAY)
    rich = case_at(ctx.campaign, ctx.poor, "surveying")
    form_b_record(actor=ctx.officer, case=rich, data=form_b_data(ctx.campaign, income=5_000_000), today=TODAY)
    near.refresh_from_db()
    rich.refresh_from_db()
    assert near.provisional_class == "near_poor" and near.deprivations == []
    assert rich.provisional_class in ("not_poor", "average")


def test_form_b_defaults_survey_date_to_today(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    form_b_record(actor=ctx.officer, case=case, data=form_b_data(ctx.campaign, assessed_on=None), today=TODAY)
    case.refresh_from_db()
    assert case.surveyed_on == TODAY and case.assessment.assessed_on == TODAY


def test_form_b_incomplete_names_missing_indicators_and_writes_nothing(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    data = form_b_data(ctx.campaign)
    data.answers.pop("nutrition")
    error = assert_refused(ApplicationError, lambda: form_b_record(actor=ctx.officer, case=case, data=data,
                                                                  today=TODAY))  # fmt: skip
    assert error.code == "classification_incomplete"
    assert "nutrition" in error.details["missing"]
    assert "Dinh dưỡng" in error.message
    assert Assessment.objects.count() == 0


def test_form_b_refused_when_not_surveying(ctx):
    for state in ("listed", "surveyed", "met"):
        case = case_at(ctx.campaign, ctx.poor, state) if state == "listed" else None
        if case is None:
            ReviewCase.objects.filter(household=ctx.poor).update(state=state)
            case = ReviewCase.objects.get(household=ctx.poor)
        error = assert_refused(ApplicationError, lambda case=case: form_b_record(
            actor=ctx.officer, case=case, data=form_b_data(ctx.campaign), today=TODAY))  # fmt: skip
        assert error.code == "invalid_transition"


def test_form_b_refused_without_permission_or_out_of_area(ctx, users):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    data = form_b_data(ctx.campaign)
    assert_refused(PermissionDenied, lambda: form_b_record(actor=users.supervisor, case=case, data=data, today=TODAY))
    assert_refused(PermissionDenied, lambda: form_b_record(actor=users.commune_officer_dl, case=case, data=data,
                                                           today=TODAY))  # fmt: skip
    # The village head records cases but may not classify households (poverty's own check).
    assert_refused(PermissionDenied, lambda: form_b_record(actor=users.village_head, case=case, data=data,
                                                           today=TODAY))  # fmt: skip


def test_form_b_refused_with_bad_facts(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    data = replace(form_b_data(ctx.campaign), income_per_capita=None)
    error = assert_refused(ValidationError, lambda: form_b_record(actor=ctx.officer, case=case, data=data, today=TODAY))
    assert "income_per_capita" in error.message_dict


def test_form_b_refused_when_campaign_closed(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    campaign_close(actor=ctx.users.province_officer, campaign=ctx.campaign)
    error = assert_refused(ApplicationError, lambda: form_b_record(
        actor=ctx.officer, case=case, data=form_b_data(ctx.campaign), today=TODAY))  # fmt: skip
    assert error.code == "campaign_not_open"


def test_form_b_refused_when_results_locked(ctx):
    case = case_at(ctx.campaign, ctx.poor, "surveying")
    UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.tho_xuan, level="commune", state="approved",
                                unit_path=ctx.units.tho_xuan.path)  # fmt: skip
    error = assert_refused(ApplicationError, lambda: form_b_record(
        actor=ctx.officer, case=case, data=form_b_data(ctx.campaign), today=TODAY))  # fmt: skip
    assert error.code == "results_locked"


# -- re-survey -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["surveyed", "met"])
def test_resurvey_sends_back_to_phieu_b(ctx, state):
    case = surveyed_case(ctx.campaign, ctx.poor, state=state)
    result = case_resurvey(actor=ctx.officer, case=case, reason="Sai thu nhập")
    assert result.state == "surveying"
    case.refresh_from_db()
    assert case.state == "surveying" and case.meeting is None and case.provisional_class == "poor"
    [event] = events(ReviewsEventType.CASE_RESURVEY)
    assert event.changes["old"]["state"] == state and event.changes["reason"] == "Sai thu nhập"


def test_resurvey_refusals(ctx, users):
    case = surveyed_case(ctx.campaign, ctx.poor)
    error = assert_refused(ValidationError, lambda: case_resurvey(actor=ctx.officer, case=case, reason="  "))
    assert "reason" in error.message_dict
    assert_refused(PermissionDenied, lambda: case_resurvey(actor=users.supervisor, case=case, reason="x"))
    assert_refused(PermissionDenied, lambda: case_resurvey(actor=users.commune_officer_dl, case=case, reason="x"))
    for state in ("surveying", "posted", "listed"):
        ReviewCase.objects.filter(pk=case.pk).update(state=state)
        error = assert_refused(ApplicationError, lambda: case_resurvey(actor=ctx.officer, case=case, reason="x"))
        assert error.code == "invalid_transition"


# -- the village meeting ------------------------------------------------------------------------


def meeting_data(**extra) -> MeetingData:
    values = {
        "held_on": MEETING_DAY, "place": "Nhà văn hóa Thôn 1", "chair": "Lê Văn Trưởng", "secretary": "Phạm Thị Thư",
        "attendees": ["Lê Văn Trưởng — Trưởng thôn", "Phạm Thị Thư — Chi hội phụ nữ"], "attendee_count": 20,
        "signatories": [{"name": "Nguyễn Văn An", "role": "Đại diện hộ"}],
    }  # fmt: skip
    values.update(extra)
    return MeetingData(**values)


def record(ctx, results, *, actor=None, village=None, **extra):
    return meeting_record(actor=actor or ctx.officer, campaign=ctx.campaign, village=village or ctx.units.t1,
                          data=meeting_data(**extra), results=results, today=TODAY)  # fmt: skip


def test_meeting_passed_rule():
    assert meeting_passed(10, 20) and meeting_passed(11, 21) is True and meeting_passed(5, 9) is True
    assert meeting_passed(4, 9) is False and meeting_passed(10, 21) is False
    assert meeting_passed(0, 1) is False and meeting_passed(1, 1) is True and meeting_passed(0, 0) is False


def test_meeting_records_results_passed_and_failed(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor, klass="poor")
    b = surveyed_case(ctx.campaign, ctx.near, klass="near_poor")
    meeting = record(ctx, [(a, 10), (b, 9)])
    assert meeting.unit_path == ctx.units.t1.path and meeting.village == ctx.units.t1
    assert meeting.attendee_count == 20 and meeting.signatories == [{"name": "Nguyễn Văn An", "role": "Đại diện hộ"}]
    results = {r.case_id: r for r in meeting.results.all()}
    assert results[a.pk].passed and results[a.pk].proposed_class == "poor" and results[a.pk].agreeing == 10
    assert not results[b.pk].passed and results[b.pk].proposed_class == "near_poor"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == "met" and a.meeting == meeting
    assert b.state == "surveying" and b.meeting is None and b.provisional_class == "near_poor"
    [event] = events(ReviewsEventType.MEETING_RECORDED)
    assert event.unit_path == ctx.units.t1.path
    assert {r["case"]: r["passed"] for r in event.changes["new"]["results"]} == {a.pk: True, b.pk: False}
    [back] = events(ReviewsEventType.CASE_RESURVEY)
    assert back.changes["reason"] == "dưới 50% người dự họp đồng ý" and back.changes["meeting"] == meeting.pk


def test_meeting_village_head_may_record(ctx, users):
    a = surveyed_case(ctx.campaign, ctx.poor)
    meeting = record(ctx, [(a, 20)], actor=users.village_head)
    assert meeting.created_by == users.village_head


def test_meeting_refuses_below_half_claimed_as_passed(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor)
    error = assert_refused(ValidationError, lambda: record(ctx, [(a, 9)], passes={a.pk: True}))
    assert "50%" in " ".join(error.message_dict["results"])
    # A true claim is accepted.
    meeting = record(ctx, [(a, 10)], passes={a.pk: True})
    assert meeting.results.get().passed


def test_meeting_refuses_false_failed_claim(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor)
    assert_refused(ValidationError, lambda: record(ctx, [(a, 15)], passes={a.pk: False}))


def test_meeting_refuses_without_permission_or_out_of_area(ctx, users):
    a = surveyed_case(ctx.campaign, ctx.poor)
    assert_refused(PermissionDenied, lambda: record(ctx, [(a, 10)], actor=users.supervisor))
    assert_refused(PermissionDenied, lambda: record(ctx, [(a, 10)], actor=users.commune_officer_dl))
    # The village head of Thôn 1 may not record Thôn 2's meeting.
    c = surveyed_case(ctx.campaign, ctx.other_village)
    assert_refused(PermissionDenied, lambda: record(ctx, [(c, 10)], actor=users.village_head, village=ctx.units.t2))


def test_meeting_refuses_village_outside_campaign(ctx, units, users):
    dl = dak_lak_campaign(ctx, open_=True)
    a = surveyed_case(ctx.campaign, ctx.poor)
    error = assert_refused(
        ValidationError,
        lambda: meeting_record(
            actor=users.commune_officer_dl, campaign=dl, village=units.b1, data=meeting_data(), results=[], today=TODAY
        ),
    )
    assert "results" in error.message_dict
    error = assert_refused(ValidationError, lambda: record(ctx, [(a, 10)], village=units.tho_xuan))
    assert "village" in error.message_dict
    error = assert_refused(ValidationError, lambda: meeting_record(
        actor=users.commune_officer_dl, campaign=ctx.campaign, village=units.b1, data=meeting_data(),
        results=[(a, 10)], today=TODAY))  # fmt: skip
    assert "village" in error.message_dict


def test_meeting_refuses_campaign_not_open_or_locked(ctx, users):
    a = surveyed_case(ctx.campaign, ctx.poor)
    UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.tho_xuan, level="commune", state="approved",
                                unit_path=ctx.units.tho_xuan.path)  # fmt: skip
    assert assert_refused(ApplicationError, lambda: record(ctx, [(a, 10)])).code == "results_locked"
    UnitApproval.objects.all().delete()
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert assert_refused(ApplicationError, lambda: record(ctx, [(a, 10)])).code == "campaign_not_open"


def test_meeting_refuses_bad_results(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor)
    other = surveyed_case(ctx.campaign, ctx.other_village)
    assert "results" in assert_refused(ValidationError, lambda: record(ctx, [])).message_dict
    assert_refused(ValidationError, lambda: record(ctx, [(a, 21)]))
    assert_refused(ValidationError, lambda: record(ctx, [(a, -1)]))
    assert_refused(ValidationError, lambda: record(ctx, [(a, 10), (a, 12)]))
    error = assert_refused(ValidationError, lambda: record(ctx, [(a, 10), (other, 10)]))
    assert "Thôn 1" in " ".join(error.message_dict["results"])


def test_meeting_refuses_case_not_surveyed(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor, state="surveying")
    b = surveyed_case(ctx.campaign, ctx.near, state="met")
    assert_refused(ValidationError, lambda: record(ctx, [(a, 10)]))
    assert_refused(ValidationError, lambda: record(ctx, [(b, 10)]))


def test_meeting_refuses_case_of_another_campaign(ctx, units, users):
    from ansinh.reviews.models import Campaign

    other = Campaign.objects.get(pk=ctx.campaign.pk)
    other.pk = None
    other.name = "Rà soát khác"
    other.save()
    a = surveyed_case(other, ctx.poor)
    assert_refused(ValidationError, lambda: record(ctx, [(a, 10)]))


@pytest.mark.parametrize("field,value", [
    ("chair", " "), ("secretary", ""), ("attendee_count", 0), ("held_on", None), ("held_on", date(2025, 10, 21)),
    ("held_on", date(2025, 8, 31)), ("held_on", date(2025, 9, 30)),
])  # fmt: skip
def test_meeting_refuses_bad_minutes(ctx, field, value):
    a = surveyed_case(ctx.campaign, ctx.poor)
    error = assert_refused(ValidationError, lambda: record(ctx, [(a, 0)], **{field: value}))
    key = "results" if value == date(2025, 9, 30) else field
    assert key in error.message_dict


def test_meeting_refuses_signatory_without_name(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor)
    error = assert_refused(ValidationError, lambda: record(ctx, [(a, 10)], signatories=[{"name": "", "role": "Hộ"}]))
    assert "signatories" in error.message_dict


def test_meeting_then_resurvey_then_meet_again(ctx):
    a = surveyed_case(ctx.campaign, ctx.poor)
    record(ctx, [(a, 5)])
    a.refresh_from_db()
    assert a.state == "surveying"
    form_b_record(actor=ctx.officer, case=a, data=form_b_data(ctx.campaign, deprived=DEPRIVED,
                                                              assessed_on=date(2025, 10, 16)), today=TODAY)  # fmt: skip
    a.refresh_from_db()
    assert a.state == "surveyed"
    record(ctx, [(a, 18)], held_on=date(2025, 10, 18))
    a.refresh_from_db()
    assert a.state == "met" and a.meeting.held_on == date(2025, 10, 18)
    assert MeetingResult.objects.filter(case=a).count() == 2
