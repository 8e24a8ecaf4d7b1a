from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.registry.models import Household
from ansinh.registry.services import HouseholdData, MemberData
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import FormAChecklist, ReviewCase
from ansinh.reviews.services import campaign_close
from ansinh.reviews.services_cases import (
    NewHouseholdData,
    application_record,
    case_start_survey,
    cases_list_current,
    form_a_edit,
    form_a_load,
    form_a_record,
)
from ansinh.reviews.tests.factories import (
    application,
    cases_context,
    dak_lak_campaign,
    no_answers,
)

TODAY = date(2025, 10, 1)


@pytest.fixture
def ctx(units, users):
    return cases_context(units, users, "poor", "near", "other", "unclassified")


def events(event_type) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def assert_refused(exc_type, call, *, event_type, households=None):
    cases, total = ReviewCase.objects.count(), AuditEvent.objects.filter(event_type=event_type).count()
    n_households = Household.objects.count()
    with pytest.raises(exc_type) as info:
        call()
    assert ReviewCase.objects.count() == cases
    assert AuditEvent.objects.filter(event_type=event_type).count() == total
    assert Household.objects.count() == (households if households is not None else n_households)
    return info.value


# -- listing -------------------------------------------------------------------------------------


def test_listing_adds_poor_and_near_poor_once_with_one_event(ctx):
    counts = cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    assert counts == {"added": 2, "already": 0, "in_other_campaign": 0, "poor": 1, "near_poor": 1}
    cases = {c.household_id: c for c in ReviewCase.objects.all()}
    assert cases[ctx.poor.pk].previous_class == "poor" and cases[ctx.near.pk].previous_class == "near_poor"
    assert set(cases) == {ctx.poor.pk, ctx.near.pk}
    assert cases[ctx.poor.pk].origin == "poor_list" and cases[ctx.near.pk].origin == "near_poor_list"
    assert {c.state for c in cases.values()} == {"listed"}
    assert cases[ctx.poor.pk].unit_path == ctx.poor.unit_path
    event = AuditEvent.objects.get(event_type=ReviewsEventType.CASES_LISTED)
    assert event.changes["new"]["added"] == 2 and event.unit_path == ctx.units.tho_xuan.path
    again = cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    assert again == {"added": 0, "already": 2, "in_other_campaign": 0, "poor": 0, "near_poor": 0}
    assert ReviewCase.objects.count() == 2


def test_listing_a_village_takes_only_its_households(ctx):
    counts = cases_list_current(actor=ctx.users.village_head, campaign=ctx.campaign, unit=ctx.units.t1)
    assert counts["added"] == 1 and ReviewCase.objects.get().household == ctx.poor


def test_listing_refusals_write_nothing(ctx, units, users):
    event = ReviewsEventType.CASES_LISTED
    assert_refused(PermissionDenied, lambda: cases_list_current(actor=users.supervisor, campaign=ctx.campaign,
                                                               unit=units.tho_xuan), event_type=event)  # fmt: skip
    assert_refused(PermissionDenied, lambda: cases_list_current(actor=users.village_head, campaign=ctx.campaign,
                                                               unit=units.t2), event_type=event)  # fmt: skip
    assert_refused(ValidationError, lambda: cases_list_current(actor=users.province_officer, campaign=ctx.campaign,
                                                              unit=units.th), event_type=event)  # fmt: skip
    dl = dak_lak_campaign(ctx, open_=True)
    assert_refused(ValidationError, lambda: cases_list_current(actor=users.commune_officer, campaign=dl,
                                                              unit=units.tho_xuan), event_type=event)  # fmt: skip
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    error = assert_refused(ApplicationError, lambda: cases_list_current(
        actor=users.commune_officer, campaign=ctx.campaign, unit=units.tho_xuan), event_type=event)  # fmt: skip
    assert error.code == "campaign_not_open"


# -- applications --------------------------------------------------------------------------------


def test_application_for_a_registered_household(ctx):
    case = application_record(actor=ctx.users.enumerator, campaign=ctx.campaign, household=ctx.other,
                              application=application(channel="post", reason="Chồng mất"), today=TODAY)  # fmt: skip
    assert (case.origin, case.state, case.channel, case.received_on) == ("applied", "listed", "post",
                                                                         date(2025, 9, 20))  # fmt: skip
    assert case.applicant_name == "Trần Văn Cường" and case.reason == "Chồng mất"
    event = AuditEvent.objects.get(event_type=ReviewsEventType.APPLICATION_RECORDED)
    assert event.target_id == str(case.pk) and event.changes["new"]["new_household"] is False


def test_application_from_outside_the_registry_registers_the_household_first(ctx, units, users):
    new = NewHouseholdData(
        commune=units.tho_xuan, household=HouseholdData(code="M01", village=units.t2),
        members=[MemberData(full_name="Hoàng Văn Em", sex="male", relation="head", birth_year=1980)],
    )  # fmt: skip
    case = application_record(actor=users.commune_officer, campaign=ctx.campaign, household=None,
                              application=application(channel="online"), new_household=new, today=TODAY)  # fmt: skip
    household = Household.objects.get(code="M01")
    assert case.household == household and household.village == units.t2 and case.applicant_name == "Hoàng Văn Em"
    assert AuditEvent.objects.filter(target_type="registry.household", target_id=str(household.pk)).exists()


def test_application_refusals_write_nothing(ctx, units, users):
    event = ReviewsEventType.APPLICATION_RECORDED

    def record(actor=users.commune_officer, household=ctx.other, campaign=None, **data):
        return lambda: application_record(actor=actor, campaign=campaign or ctx.campaign, household=household,
                                          application=application(**data), today=TODAY)  # fmt: skip

    assert_refused(PermissionDenied, record(actor=users.supervisor), event_type=event)
    assert_refused(PermissionDenied, record(actor=users.commune_officer_dl), event_type=event)
    error = assert_refused(ValidationError, record(received_on=date(2025, 10, 2)), event_type=event)
    assert "tương lai" in str(error)
    error = assert_refused(ValidationError, record(received_on=date(2025, 8, 31)), event_type=event)
    assert "thời gian của đợt" in str(error)
    assert_refused(ValidationError, record(channel="fax"), event_type=event)
    dl = dak_lak_campaign(ctx, open_=True)
    assert_refused(ValidationError, record(campaign=dl), event_type=event)
    record()()
    error = assert_refused(ApplicationError, record(), event_type=event)
    assert error.code == "duplicate_application"
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    error = assert_refused(ApplicationError, record(household=ctx.unclassified), event_type=event)
    assert error.code == "campaign_not_open"


def test_a_new_household_the_registry_refuses_is_not_half_written(ctx, units, users):
    EVENT = ReviewsEventType.APPLICATION_RECORDED
    count = Household.objects.count()
    new = NewHouseholdData(
        commune=units.tho_xuan, household=HouseholdData(code="H1", village=units.t1),  # code already used
        members=[MemberData(full_name="Hoàng Văn Em", sex="male", relation="head", birth_year=1980)],
    )  # fmt: skip
    assert_refused(ApplicationError, lambda: application_record(
        actor=users.commune_officer, campaign=ctx.campaign, household=None, application=application(),
        new_household=new, today=TODAY), event_type=EVENT, households=count)  # fmt: skip
    new.household.code = "M02"
    # An enumerator may record applications but the registry lets only officers register households.
    assert_refused(PermissionDenied, lambda: application_record(
        actor=users.enumerator, campaign=ctx.campaign, household=None, application=application(),
        new_household=new, today=TODAY), event_type=EVENT, households=count)  # fmt: skip
    new.household.code = "M03"
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert_refused(ApplicationError, lambda: application_record(
        actor=users.commune_officer, campaign=ctx.campaign, household=None, application=application(),
        new_household=new, today=TODAY), event_type=EVENT, households=count)  # fmt: skip
    with pytest.raises(ValidationError):
        application_record(actor=users.commune_officer, campaign=ctx.campaign, household=ctx.other,
                           application=application(), new_household=new, today=TODAY)  # fmt: skip


# -- phiếu A and the survey ------------------------------------------------------------------------


def applied(ctx, household=None):
    return application_record(actor=ctx.users.enumerator, campaign=ctx.campaign, household=household or ctx.other,
                              application=application(), today=TODAY)  # fmt: skip


def test_form_a_with_no_criterion_goes_to_survey(ctx):
    case = form_a_record(actor=ctx.users.enumerator, case=applied(ctx), answers=no_answers(), today=TODAY)
    assert case.state == "surveying" and case.screened_out_reason == [] and case.form_a.version == "2021.1"
    assert AuditEvent.objects.get(event_type=ReviewsEventType.FORM_A_RECORDED).changes["new"]["state"] == "surveying"


def test_form_a_matching_a_criterion_screens_out_with_the_reason(ctx):
    answers = no_answers() | {"car": True}
    case = form_a_record(actor=ctx.users.enumerator, case=applied(ctx), answers=answers, today=TODAY)
    assert case.state == "screened_out" and [r["code"] for r in case.screened_out_reason] == ["car"]
    assert case.form_a_answers["car"] is True


def test_form_a_refusals_write_nothing(ctx, users):
    event = ReviewsEventType.FORM_A_RECORDED
    case = applied(ctx)

    def record(actor=users.enumerator, case=case, answers=None):
        return lambda: form_a_record(actor=actor, case=case, answers=no_answers() if answers is None else answers,
                                     today=TODAY)  # fmt: skip

    assert_refused(PermissionDenied, record(actor=users.supervisor), event_type=event)
    assert_refused(PermissionDenied, record(actor=users.commune_officer_dl), event_type=event)
    assert_refused(ValidationError, record(answers={"car": True}), event_type=event)
    assert_refused(ValidationError, record(answers=no_answers() | {"yacht": False}), event_type=event)
    cases_list_current(actor=users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    listed = ReviewCase.objects.get(household=ctx.poor)
    assert assert_refused(ApplicationError, record(case=listed), event_type=event).code == "form_a_not_needed"
    record()()
    case.refresh_from_db()
    assert assert_refused(ApplicationError, record(), event_type=event).code == "invalid_transition"
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    other = ReviewCase.objects.get(household=ctx.poor)
    assert ReviewCase.objects.get(pk=case.pk).state == "surveying" and other.state == "listed"


def test_form_a_refused_when_campaign_closed(ctx, users):
    case = applied(ctx)
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    error = assert_refused(ApplicationError, lambda: form_a_record(actor=users.enumerator, case=case,
                                                                   answers=no_answers(), today=TODAY),
                           event_type=ReviewsEventType.FORM_A_RECORDED)  # fmt: skip
    assert error.code == "campaign_not_open"
    assert ReviewCase.objects.get(pk=case.pk).state == "listed"


def test_listed_case_starts_the_survey_without_form_a(ctx, users):
    cases_list_current(actor=users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    listed = ReviewCase.objects.get(household=ctx.poor)
    event = ReviewsEventType.CASE_SURVEY_STARTED
    assert_refused(PermissionDenied, lambda: case_start_survey(actor=users.supervisor, case=listed), event_type=event)
    assert case_start_survey(actor=users.village_head, case=listed).state == "surveying"
    assert events(event) == 1
    error = assert_refused(ApplicationError, lambda: case_start_survey(actor=users.village_head, case=listed),
                           event_type=event)  # fmt: skip
    assert error.code == "invalid_transition"
    applicant = applied(ctx)
    error = assert_refused(ApplicationError, lambda: case_start_survey(actor=users.enumerator, case=applicant),
                           event_type=event)  # fmt: skip
    assert error.code == "form_a_required"


@pytest.mark.parametrize("state", ["surveyed", "met", "posted", "decided"])
def test_listing_steps_never_send_a_later_case_back(ctx, users, state):
    """The map lets later steps send a case back to phiếu B; the start of the survey and phiếu A,
    which begin at the listing, must not."""
    from ansinh.reviews.tests.factories import case_at

    case = case_at(ctx.campaign, ctx.poor, state)
    error = assert_refused(ApplicationError, lambda: case_start_survey(actor=users.commune_officer, case=case),
                           event_type=ReviewsEventType.CASE_SURVEY_STARTED)  # fmt: skip
    assert error.code == "invalid_transition"
    applicant = case_at(ctx.campaign, ctx.other, state, origin="applied")
    error = assert_refused(ApplicationError, lambda: form_a_record(actor=users.commune_officer, case=applicant,
                                                                   answers=no_answers(), today=TODAY),
                           event_type=ReviewsEventType.FORM_A_RECORDED)  # fmt: skip
    assert error.code == "invalid_transition"
    assert ReviewCase.objects.get(pk=case.pk).state == state


# -- phiếu A as data ----------------------------------------------------------------------------


def test_form_a_file_loads_once_and_marks_provisional_criteria(ctx):
    checklist = FormAChecklist.objects.get(version="2021.1")
    assert checklist.criteria and all(c["source"] and c["provisional"] for c in checklist.criteria)
    assert form_a_load() == {"created": [], "updated": [], "unchanged": ["2021.1"], "kept": []}


def test_form_a_load_refuses_a_bad_file_whole(db, tmp_path):
    bad = tmp_path / "form_a.json"
    bad.write_text('{"checklists": [{"version": "x", "name": "x", "valid_from": "2021-01-01", "criteria": '
                   '[{"code": "a", "text": "A"}, {"code": "a", "text": "B"}]}]}', encoding="utf-8")  # fmt: skip
    with pytest.raises(ApplicationError):
        form_a_load(path=bad)
    assert not FormAChecklist.objects.exists()


def test_admin_edit_is_audited_and_kept_on_reload(ctx, users):
    checklist = FormAChecklist.objects.get(version="2021.1")
    land = {"code": "land", "text": "Có nhiều đất", "source": "QĐ tỉnh", "provisional": False}
    criteria = [*checklist.criteria, land]
    with pytest.raises(PermissionDenied):
        form_a_edit(actor=users.commune_officer, checklist=checklist, criteria=criteria, reason="x")
    with pytest.raises(ValidationError):
        form_a_edit(actor=users.system_admin, checklist=checklist, criteria=criteria, reason=" ")
    edited = form_a_edit(actor=users.system_admin, checklist=checklist, criteria=criteria, reason="Văn bản mới")
    assert edited.edited_by_admin and edited.criteria[-1]["code"] == "land"
    assert events(ReviewsEventType.FORM_A_EDITED) == 1
    FormAChecklist.objects.filter(pk=checklist.pk).update(file_checksum="old")
    assert form_a_load()["kept"] == ["2021.1"]


def test_a_household_is_in_one_open_campaign_of_a_kind_at_most(ctx, units, users):
    from ansinh.reviews.tests.factories import make_campaign

    officer = users.commune_officer
    cases_list_current(actor=officer, campaign=ctx.campaign, unit=units.tho_xuan)
    second = make_campaign(users.province_officer, units.th, [units.tho_xuan], open_=True, plan_number="99/KH-UBND")
    counts = cases_list_current(actor=officer, campaign=second, unit=units.tho_xuan)
    assert counts["added"] == 0 and counts["in_other_campaign"] == 2
    assert not second.cases.exists()
    error = assert_refused(
        ApplicationError,
        lambda: application_record(actor=officer, campaign=second, household=ctx.poor, application=application(),
                                   today=TODAY),
        event_type=ReviewsEventType.APPLICATION_RECORDED,
    )  # fmt: skip
    assert error.code == "household_in_open_campaign" and ctx.campaign.name in str(error)


# -- a campaign whose results are approved or frozen takes no more households ----------------------


def _lock(ctx, *, commune_state="approved", top_state="ready"):
    """The approval rows of the campaign: Thọ Xuân's results in `commune_state` under the province."""
    from ansinh.reviews.models import UnitApproval

    top = UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.th, level="province", state=top_state,
                                      unit_path=ctx.units.th.path)  # fmt: skip
    UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.tho_xuan, level="commune", parent=top,
                                state=commune_state, unit_path=ctx.units.tho_xuan.path)  # fmt: skip
    return top


@pytest.mark.parametrize("commune_state", ["approved", "accepted"])
def test_an_approved_commune_takes_no_application_nor_listing(ctx, units, users, commune_state):
    _lock(ctx, commune_state=commune_state)
    officer = users.commune_officer
    error = assert_refused(ApplicationError, lambda: application_record(
        actor=officer, campaign=ctx.campaign, household=ctx.other, application=application(), today=TODAY),
        event_type=ReviewsEventType.APPLICATION_RECORDED)  # fmt: skip
    assert error.code == "results_locked" and "Xã Thọ Xuân" in error.message and "thường xuyên" in error.message
    new = NewHouseholdData(commune=units.tho_xuan, household=HouseholdData(code="NEW1", village=units.t2),
                           members=[MemberData(full_name="Hoàng Văn Em", sex="male", relation="head",
                                               birth_year=1980)])  # fmt: skip
    assert_refused(ApplicationError, lambda: application_record(
        actor=officer, campaign=ctx.campaign, household=None, application=application(), new_household=new,
        today=TODAY), event_type=ReviewsEventType.APPLICATION_RECORDED)  # fmt: skip
    assert not Household.objects.filter(code="NEW1").exists()  # the new household is not half written
    for unit in (units.tho_xuan, units.t1):
        error = assert_refused(ApplicationError, lambda u=unit: cases_list_current(actor=officer, campaign=ctx.campaign,
                               unit=u), event_type=ReviewsEventType.CASES_LISTED)  # fmt: skip
        assert error.code == "results_locked"


def test_a_commune_only_submitted_or_returned_still_takes_applications(ctx, users):
    top = _lock(ctx, commune_state="ready", top_state="waiting")
    case = application_record(actor=users.commune_officer, campaign=ctx.campaign, household=ctx.other,
                              application=application(), today=TODAY)  # fmt: skip
    assert case.state == "listed"
    top.children.update(state="returned")
    assert cases_list_current(actor=users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)["added"] == 2


def test_a_province_approval_locks_every_commune_under_it(ctx, users):
    from ansinh.reviews.models import UnitApproval

    UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.th, level="province", state="approved",
                                unit_path=ctx.units.th.path)  # fmt: skip
    error = assert_refused(ApplicationError, lambda: application_record(
        actor=users.commune_officer, campaign=ctx.campaign, household=ctx.other, application=application(),
        today=TODAY), event_type=ReviewsEventType.APPLICATION_RECORDED)  # fmt: skip
    assert error.code == "results_locked" and "Tỉnh Thanh Hóa" in error.message


def test_frozen_results_take_no_household_and_no_step(ctx, users):
    from ansinh.reviews.tests.helpers_results import earlier_result

    case = application_record(actor=users.commune_officer, campaign=ctx.campaign, household=ctx.unclassified,
                              application=application(), today=TODAY)  # fmt: skip
    earlier_result(ctx, ctx.campaign, ctx.poor, "poor")  # a result of this campaign: it is frozen
    error = assert_refused(ApplicationError, lambda: application_record(
        actor=users.commune_officer, campaign=ctx.campaign, household=ctx.other, application=application(),
        today=TODAY), event_type=ReviewsEventType.APPLICATION_RECORDED)  # fmt: skip
    assert error.code == "results_frozen"
    error = assert_refused(ApplicationError, lambda: cases_list_current(
        actor=users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan),
        event_type=ReviewsEventType.CASES_LISTED)  # fmt: skip
    assert error.code == "results_frozen"
    with pytest.raises(ApplicationError) as info:  # frozen results lock every step, approval rows or not
        form_a_record(actor=users.enumerator, case=case, answers=no_answers(), today=TODAY)
    assert info.value.code == "results_frozen"
    assert ReviewCase.objects.get(pk=case.pk).state == "listed"
