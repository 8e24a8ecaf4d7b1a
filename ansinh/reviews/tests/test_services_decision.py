from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.registry.models import Household
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import (
    Campaign,
    Certificate,
    CommuneDecision,
    Complaint,
    Reinspection,
    ReinspectionSample,
    ReviewCase,
)
from ansinh.reviews.selectors_decision import decision_list_visible, decision_lists
from ansinh.reviews.services import campaign_cancel
from ansinh.reviews.services_decision import certificates_issue, decision_record
from ansinh.reviews.tests.factories import case_at, classified_household, make_campaign
from ansinh.reviews.tests.helpers_decision import TODAY, build_posted, decision_data, posted_case

EVENT = ReviewsEventType.DECISION_RECORDED


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    build_posted(c)
    return c


def record(ctx, data=None, *, actor=None, commune=None, campaign=None, today=TODAY):
    return decision_record(
        actor=actor or ctx.users.commune_chair,
        campaign=campaign or ctx.campaign,
        commune=commune or ctx.units.tho_xuan,
        data=data or decision_data(),
        today=today,
    )


def assert_refused(exc_type, call, *, event_type=EVENT):
    before = (
        CommuneDecision.objects.count(),
        Certificate.objects.count(),
        list(ReviewCase.objects.order_by("pk").values_list("state", "final_class")),
        list(Household.objects.order_by("pk").values_list("poverty_class", flat=True)),
        AuditEvent.objects.filter(event_type=event_type).count(),
    )
    with pytest.raises(exc_type) as info:
        call()
    after = (
        CommuneDecision.objects.count(),
        Certificate.objects.count(),
        list(ReviewCase.objects.order_by("pk").values_list("state", "final_class")),
        list(Household.objects.order_by("pk").values_list("poverty_class", flat=True)),
        AuditEvent.objects.filter(event_type=event_type).count(),
    )
    assert after == before
    return info.value


def test_decision_decides_every_posted_case_and_counts_the_lists(ctx):
    decision = record(ctx)
    assert decision.counts == {
        "poor": 2,
        "near_poor": 1,
        "escaped_poverty": 1,
        "escaped_near_poverty": 1,
        "average": 1,
        "newly_poor": 1,
        "newly_near_poor": 1,
    }
    cases = {c.household.code: c for c in ReviewCase.objects.filter(campaign=ctx.campaign)}
    assert {c.state for c in cases.values()} == {"decided"}
    assert cases["H3"].final_class == "near_poor" and cases["H3"].decision == decision
    h2 = Household.objects.get(pk=cases["H2"].household_id)
    assert (h2.poverty_class, h2.poverty_standard, h2.poverty_classified_on, h2.poverty_class_source) == (
        "not_poor",
        "2022-2025",
        date(2025, 11, 20),
        "decision",  # recognised: a later classification under this standard does not replace it
    )
    event = AuditEvent.objects.get(event_type=EVENT)
    assert event.changes["new"]["counts"] == decision.counts and "amended" not in event.changes
    assert event.unit_path == ctx.units.tho_xuan.path
    assert ctx.case_out.__class__.objects.get(pk=ctx.case_out.pk).state == "posted"  # the other commune untouched
    lists = {item.key: [c.household.code for c in item.cases] for item in decision_lists(decision)}
    assert lists == {
        "poor": ["H1", "H4"],
        "near_poor": ["H3"],
        "escaped_poverty": ["H3"],
        "escaped_near_poverty": ["H2"],
        "average": ["H5"],
    }


def test_decision_list_visible_is_scoped(ctx):
    decision = record(ctx)
    assert list(decision_list_visible(ctx.users.commune_officer, ctx.campaign)) == [decision]
    assert list(decision_list_visible(ctx.users.commune_officer_dl, ctx.campaign)) == []
    assert list(decision_list_visible(ctx.users.helping_agency_member, ctx.campaign)) == []


def test_refusals_of_permission_area_and_commune(ctx, units, users):
    assert_refused(PermissionDenied, lambda: record(ctx, actor=users.supervisor))
    assert_refused(PermissionDenied, lambda: record(ctx, actor=users.commune_officer_dl))
    assert_refused(ValidationError, lambda: record(ctx, actor=users.system_admin, commune=units.mdrak))
    assert_refused(ValidationError, lambda: record(ctx, decision_data(number=" ")))


def test_refused_while_a_case_is_before_the_posting(ctx, units, users):
    household = classified_household(
        units.tho_xuan, village=units.t1, code="H9", klass="poor", actor=users.commune_officer
    )
    case_at(ctx.campaign, household, "surveyed")
    error = assert_refused(ApplicationError, lambda: record(ctx))
    assert error.code == "cases_pending" and "Đã chấm điểm phiếu B: 1" in error.message


def test_refused_without_cases_or_posted_cases(ctx, units, users):
    error = assert_refused(ApplicationError, lambda: record(ctx, actor=users.system_admin, commune=units.hac_thanh))
    assert error.code == "no_cases"
    record(ctx)
    error = assert_refused(ApplicationError, lambda: record(ctx, decision_data(number="126/QĐ-UBND")))
    assert error.code == "nothing_to_decide"


@pytest.mark.parametrize(
    "signed_on,today", [(date(2025, 11, 5), TODAY), (date(2025, 12, 5), TODAY), (date(2026, 1, 5), date(2026, 2, 1))]
)
def test_refused_on_wrong_dates(ctx, signed_on, today):
    error = assert_refused(ValidationError, lambda: record(ctx, decision_data(signed_on=signed_on), today=today))
    assert "signed_on" in error.message_dict


def test_refused_with_an_open_on_time_complaint_but_not_a_late_one(ctx):
    case = ctx.cases["H1"]
    complaint = Complaint.objects.create(
        campaign=ctx.campaign,
        case=case,
        posting=ctx.posting,
        complainant_name="A",
        content="x",
        channel="letter",
        received_on=date(2025, 11, 4),
        unit_path=case.unit_path,
    )
    error = assert_refused(ApplicationError, lambda: record(ctx))
    assert error.code == "open_complaints"
    complaint.late = True
    complaint.save()
    assert record(ctx).counts["poor"] == 2


def test_refused_with_an_unresolved_discrepancy(ctx, units):
    case = ctx.cases["H1"]
    reinspection = Reinspection.objects.create(
        campaign=ctx.campaign,
        unit=units.tho_xuan,
        ordered_by_unit=units.th,
        ordered_on=date(2025, 11, 10),
        unit_path=units.tho_xuan.path,
    )
    sample = ReinspectionSample.objects.create(
        reinspection=reinspection, case=case, discrepancy=True, unit_path=case.unit_path
    )
    error = assert_refused(ApplicationError, lambda: record(ctx))
    assert error.code == "open_discrepancies"
    sample.resolved_on = date(2025, 11, 12)
    sample.save()
    assert record(ctx).pk


def test_refused_when_the_number_is_used_in_the_same_commune_and_year(ctx, units, users):
    record(ctx)
    other = make_campaign(
        users.province_officer,
        units.th,
        [units.tho_xuan],
        open_=True,
        kind_code="periodic",
        plan_number="99/KH-UBND",
        name="Rà soát bổ sung",
    )
    posted_case(
        other, units.tho_xuan, village=units.t1, code="M1", previous="", provisional="poor", actor=users.commune_officer
    )
    error = assert_refused(ValidationError, lambda: record(ctx, campaign=other))
    assert "number" in error.message_dict
    assert record(ctx, decision_data(number="130/QĐ-UBND"), campaign=other).counts["poor"] == 1


def test_refused_when_the_campaign_is_not_open(ctx, users):
    campaign_cancel(actor=users.province_officer, campaign=ctx.campaign, reason="Thay kế hoạch")
    error = assert_refused(ApplicationError, lambda: record(ctx))
    assert error.code == "campaign_not_open"


def test_recording_again_amends_the_decision(ctx, units, users):
    decision = record(ctx)
    new = posted_case(
        ctx.campaign,
        units.tho_xuan,
        village=units.t2,
        code="H6",
        previous="near_poor",
        provisional="near_poor",
        actor=users.commune_officer,
    )
    amended = record(ctx, decision_data(number="140/QĐ-UBND", signed_on=date(2025, 11, 25)))
    assert amended.pk == decision.pk and CommuneDecision.objects.count() == 1
    assert (amended.number, amended.signed_on) == ("140/QĐ-UBND", date(2025, 11, 25))
    assert amended.counts["near_poor"] == 2 and amended.counts["newly_near_poor"] == 1
    new.refresh_from_db()
    assert (new.state, new.decision_id) == ("decided", decision.pk)
    event = AuditEvent.objects.filter(event_type=EVENT).order_by("-id").first()
    assert event.changes["amended"] is True and event.changes["old"]["number"] == "125/QĐ-UBND"


# -- certificates ---------------------------------------------------------------------------------


def test_certificates_are_numbered_per_commune_and_year_and_idempotent(ctx, units, users):
    decision = record(ctx)
    issued = certificates_issue(actor=users.commune_officer, decision=decision, today=TODAY)
    assert [(c.case.household.code, c.number, c.klass) for c in issued] == [
        ("H1", "0001/2025/GCN-HN.HCN", "poor"),
        ("H3", "0002/2025/GCN-HN.HCN", "near_poor"),
        ("H4", "0003/2025/GCN-HN.HCN", "poor"),
    ]
    assert issued[0].issued_on == TODAY
    event = AuditEvent.objects.get(event_type=ReviewsEventType.CERTIFICATES_ISSUED)
    assert event.changes["new"]["numbers"] == [c.number for c in issued]
    assert certificates_issue(actor=users.commune_officer, decision=decision, today=TODAY) == []
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.CERTIFICATES_ISSUED).count() == 1
    # another campaign of the same commune and year continues the numbers
    other = make_campaign(
        users.province_officer, units.th, [units.tho_xuan], open_=True, plan_number="99/KH-UBND", name="Rà soát bổ sung"
    )
    posted_case(
        other,
        units.tho_xuan,
        village=units.t1,
        code="M1",
        previous="",
        provisional="near_poor",
        actor=users.commune_officer,
    )
    second = record(ctx, decision_data(number="130/QĐ-UBND"), campaign=other)
    assert [c.number for c in certificates_issue(actor=users.commune_chair, decision=second, today=TODAY)] == [
        "0004/2025/GCN-HN.HCN"
    ]
    # a separate sequence per commune
    out = decision_record(
        actor=users.commune_officer_dl,
        campaign=ctx.campaign_out,
        commune=units.mdrak,
        data=decision_data(),
        today=TODAY,
    )
    assert [c.number for c in certificates_issue(actor=users.commune_officer_dl, decision=out, today=TODAY)] == [
        "0001/2025/GCN-HN.HCN"
    ]


def test_certificate_refusals_write_nothing(ctx, users):
    decision = record(ctx)
    event = ReviewsEventType.CERTIFICATES_ISSUED
    assert_refused(
        PermissionDenied,
        lambda: certificates_issue(actor=users.supervisor, decision=decision, today=TODAY),
        event_type=event,
    )
    assert_refused(
        PermissionDenied,
        lambda: certificates_issue(actor=users.commune_officer_dl, decision=decision, today=TODAY),
        event_type=event,
    )
    assert_refused(
        ValidationError,
        lambda: certificates_issue(
            actor=users.commune_chair, decision=decision, issued_on=date(2025, 11, 1), today=TODAY
        ),
        event_type=event,
    )
    assert_refused(
        ValidationError,
        lambda: certificates_issue(
            actor=users.commune_chair, decision=decision, issued_on=date(2025, 12, 2), today=TODAY
        ),
        event_type=event,
    )
    # A campaign with a decision is no longer cancelled (`campaign_cancel`); one cancelled before that
    # rule still refuses certificates.
    Campaign.objects.filter(pk=ctx.campaign.pk).update(status="cancelled")
    error = assert_refused(
        ApplicationError,
        lambda: certificates_issue(actor=users.commune_chair, decision=decision, today=TODAY),
        event_type=event,
    )
    assert error.code == "campaign_cancelled"


def test_certificates_after_the_campaign_closed(ctx, users):
    from ansinh.reviews.services import campaign_close

    decision = record(ctx)
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert len(certificates_issue(actor=users.commune_chair, decision=decision, today=TODAY)) == 3


def test_the_migration_marks_classes_that_decisions_gave(ctx):
    """reviews/0006 fills the class source of households classified before it existed."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ansinh.reviews.migrations.0006_household_class_source_backfill")
    record(ctx)
    decided = {c.household_id for c in ReviewCase.objects.filter(campaign=ctx.campaign, decision__isnull=False)}
    Household.objects.update(poverty_class_source="")
    migration.backfill(apps, None)
    sources = dict(Household.objects.exclude(poverty_class="").values_list("pk", "poverty_class_source"))
    assert decided and all(sources[pk] == "decision" for pk in decided)
    assert all(source == "classification" for pk, source in sources.items() if pk not in decided)
    assert not Household.objects.filter(poverty_class="").exclude(poverty_class_source="").exists()


def test_a_campaign_with_a_recognition_decision_is_closed_not_cancelled(ctx, client):
    from django.urls import reverse

    from ansinh.reviews.services import campaign_close

    record(ctx)
    officer = ctx.users.province_officer
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as info:
        campaign_cancel(actor=officer, campaign=ctx.campaign, reason="Lập kế hoạch lại")
    assert info.value.code == "campaign_has_decisions"
    assert Campaign.objects.get(pk=ctx.campaign.pk).status == "open" and AuditEvent.objects.count() == events
    client.force_login(officer)
    page = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:campaign_cancel", args=[ctx.campaign.pk]) not in page
    assert reverse("reviews:campaign_close", args=[ctx.campaign.pk]) in page
    assert campaign_close(actor=officer, campaign=ctx.campaign).status == "closed"
