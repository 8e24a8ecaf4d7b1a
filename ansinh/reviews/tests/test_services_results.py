from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Campaign, CampaignResult
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.tests import helpers_results as hr
from ansinh.reviews.tests.factories import case_at


@pytest.fixture
def ctx(units, users):
    return hr.final_cases(hr.base_ctx(units, users))


def frozen_events() -> int:
    return AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_FROZEN).count()


def assert_refused(exc_type, call, code=None):
    results, events = CampaignResult.objects.count(), frozen_events()
    with pytest.raises(exc_type) as info:
        call()
    assert CampaignResult.objects.count() == results
    assert frozen_events() == events
    if code:
        assert info.value.code == code
    return info.value


def test_freeze_writes_one_result_per_case_with_its_transition(ctx):
    n = results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    assert n == 10
    results = {r.household.code: r for r in CampaignResult.objects.filter(campaign=ctx.campaign)
               .select_related("household")}  # fmt: skip
    assert {code: r.transition for code, r in results.items()} == hr.EXPECTED
    h1, h3, h4 = results["H1"], results["H3"], results["H4"]
    assert (h1.previous_class, h1.final_class, h1.decided_on) == ("poor", "poor", hr.DECIDED_ON)
    assert h1.case == ctx.cases["H1"] and h1.standard_code == ctx.campaign.standard.code
    assert h1.unit_path == ctx.units.t1.path and results["K1"].decided_on == date(2025, 11, 25)
    assert (h3.previous_class, h3.final_class, h3.decided_on) == ("", "", None)  # screened out: unchanged
    assert (h4.previous_class, h4.final_class) == ("poor", "")  # withdrawn
    assert results["H2"].final_class == "not_poor" and results["K3"].final_class == ""
    assert h1.frozen_at.date() == hr.TODAY


def test_freeze_records_one_audit_event_with_counts(ctx):
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    event = AuditEvent.objects.get(event_type=ReviewsEventType.RESULTS_FROZEN)
    new = event.changes["new"]
    assert new["results"] == 10
    assert new["transitions"] == {t: 1 for t in hr.EXPECTED.values()}
    assert new["classes"] == {"poor": 4, "near_poor": 2, "not_poor": 1, "none": 3}
    assert event.unit_path == ctx.campaign.unit_path and event.target_id == str(ctx.campaign.pk)


def test_screened_out_household_keeps_its_class(ctx):
    hh = hr.household(ctx, "H9", "near_poor", village=ctx.units.t1)
    case_at(ctx.campaign, hh, "screened_out")
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    result = CampaignResult.objects.get(household=hh)
    assert (result.final_class, result.transition) == ("near_poor", "remained_near_poor")


def test_earlier_result_wins_over_classification_history(ctx):
    # H5 had a frozen result (poor); an older near-poor classification does not matter for it, and a
    # household with only a non-poor earlier result is newly poor even with an old poor classification.
    hh = hr.household(ctx, "H8", "not_poor", village=ctx.units.t2)
    hr.earlier_result(ctx, ctx.earlier, hh, "not_poor")
    hr.classification(hh, "poor", date(2022, 5, 1))
    case_at(ctx.campaign, hh, "decided", final_class="poor")
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    assert CampaignResult.objects.get(campaign=ctx.campaign, household=hh).transition == "newly_poor"


def test_classification_after_the_campaign_start_is_not_history(ctx):
    hh = hr.household(ctx, "H8", "not_poor", village=ctx.units.t2)
    hr.classification(hh, "poor", date(2025, 10, 1))
    case_at(ctx.campaign, hh, "decided", final_class="poor")
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    assert CampaignResult.objects.get(campaign=ctx.campaign, household=hh).transition == "newly_poor"


def test_freeze_in_batches(ctx, monkeypatch):
    from ansinh.reviews import services_results

    monkeypatch.setattr(services_results, "BATCH_SIZE", 3)
    assert results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY) == 10
    assert CampaignResult.objects.filter(campaign=ctx.campaign).count() == 10


def test_freeze_with_the_top_of_the_chain_approved(ctx):
    hr.approvals(ctx, top_state="approved")
    assert results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY) == 10


# -- refusals -------------------------------------------------------------------------------------


def test_refused_when_already_frozen(ctx):
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    exc = assert_refused(
        ApplicationError,
        lambda: results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign),
        "results_already_frozen",
    )
    assert "đã được chốt" in exc.message


def test_refused_when_the_top_is_not_approved(ctx):
    hr.approvals(ctx, top_state="ready")
    exc = assert_refused(
        ApplicationError,
        lambda: results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign),
        "results_not_approved",
    )
    assert "Tỉnh Thanh Hóa" in exc.message and "chưa được phê duyệt" in exc.message


def test_refused_while_households_are_in_the_procedure(ctx):
    hr.in_progress_cases(ctx)
    exc = assert_refused(
        ApplicationError,
        lambda: results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign),
        "cases_not_final",
    )
    assert "Còn 5 hộ" in exc.message and "Đã thống nhất tại họp dân: 1" in exc.message


def test_refused_without_households(units, users):
    ctx = hr.base_ctx(units, users)
    assert_refused(ApplicationError, lambda: results_freeze(actor=users.province_officer, campaign=ctx.campaign),
                   "no_cases")  # fmt: skip


def test_refused_for_a_cancelled_campaign(ctx):
    # Its communes decided, so it can no longer be cancelled (`campaign_cancel`): one cancelled before
    # that rule is still refused.
    Campaign.objects.filter(pk=ctx.campaign.pk).update(status="cancelled")
    ctx.campaign.refresh_from_db()
    assert_refused(ApplicationError, lambda: results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign),
                   "campaign_cancelled")  # fmt: skip


@pytest.mark.parametrize("user", ["commune_officer", "commune_chair", "province_officer_dl", "no_role"])
def test_refused_without_manage_over_the_campaign_unit(ctx, user):
    assert_refused(PermissionDenied, lambda: results_freeze(actor=getattr(ctx.users, user), campaign=ctx.campaign))


def test_frozen_results_have_no_update_service():
    from ansinh.reviews import services_results

    writers = [name for name in dir(services_results) if name.startswith("results_") and callable(
        getattr(services_results, name))]  # fmt: skip
    assert writers == ["results_freeze"]
