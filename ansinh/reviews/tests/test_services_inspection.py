from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Reinspection, ReinspectionSample, ReviewCase, UnitApproval
from ansinh.reviews.services import campaign_close
from ansinh.reviews.services_inspection import (
    discrepancy_resolve,
    finding_record,
    ordering_unit,
    reinspection_close,
    reinspection_order,
)
from ansinh.reviews.tests.factories import case_at, classified_household, load_reference_data
from ansinh.reviews.tests.helpers_inspection import TODAY, find, inspection_ctx, order, with_discrepancy

E = ReviewsEventType


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return inspection_ctx(units, users)


def _state():
    samples = list(ReinspectionSample.objects.order_by("pk").values())
    return (Reinspection.objects.count(), list(Reinspection.objects.order_by("pk").values("status", "closed_on")),
            samples, list(ReviewCase.objects.order_by("pk").values("state", "meeting", "posting")),
            AuditEvent.objects.count())  # fmt: skip


def assert_refused(exc_type, call):
    before = _state()
    with pytest.raises(exc_type) as info:
        call()
    assert _state() == before
    return info.value


def events(event_type) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


# -- ordering ----------------------------------------------------------------------------------


def test_order_named_cases_keeps_the_commune_result_and_records_one_event(ctx):
    reinspection = order(ctx, reasons=["Tỷ lệ nghèo giảm bất thường", "  ", "3 khiếu nại"])
    assert reinspection.status == "open" and reinspection.ordered_on == TODAY
    assert reinspection.unit == ctx.units.tho_xuan and reinspection.ordered_by_unit == ctx.units.th
    assert reinspection.unit_path == ctx.units.tho_xuan.path and reinspection.created_by == ctx.users.inspector
    assert [r["text"] for r in reinspection.reasons] == ["Tỷ lệ nghèo giảm bất thường", "3 khiếu nại"]
    samples = list(reinspection.samples.order_by("case_id"))
    assert [s.case_id for s in samples] == [ctx.cases[0].pk, ctx.cases[1].pk]
    assert [s.commune_class for s in samples] == ["poor", "near_poor"]
    assert samples[0].unit_path == ctx.cases[0].unit_path
    event = AuditEvent.objects.get(event_type=E.REINSPECTION_ORDERED)
    assert event.changes["new"]["cases"] == [ctx.cases[0].pk, ctx.cases[1].pk]
    assert event.changes["new"]["ordered_by"] == ctx.units.th.path


def test_order_keeps_the_decided_class_when_decided(ctx):
    home = classified_household(ctx.units.tho_xuan, village=ctx.units.t2, code="X9", klass="poor",
                                actor=ctx.users.commune_officer)  # fmt: skip
    decided = case_at(ctx.campaign, home, "decided", provisional_class="poor", final_class="near_poor")
    reinspection = order(ctx, cases=[decided])
    assert reinspection.samples.get().commune_class == "near_poor"


def test_order_reason_codes_follow_the_suspicious_reasons(ctx):
    from ansinh.reviews.selectors_inspection import commune_reasons

    # Thọ Xuân: 2 poor of 4 before, 1 now (−25 points); it is the only commune with households, so the
    # campaign moves as much and nothing is flagged: the reason is the officer's own.
    assert commune_reasons(ctx.campaign, ctx.units.tho_xuan) == []
    reinspection = order(ctx, reasons=["Chọn ngẫu nhiên"])
    assert reinspection.reasons == [{"code": "other", "text": "Chọn ngẫu nhiên"}]


def test_random_sample_is_reproducible_with_its_seed(ctx):
    first = reinspection_order(actor=ctx.users.inspector, campaign=ctx.campaign, commune=ctx.units.tho_xuan,
                               reasons=["Ngẫu nhiên"], sample_size=2, seed=7, today=TODAY)  # fmt: skip
    picked = sorted(first.samples.values_list("case_id", flat=True))
    assert len(picked) == 2 and set(picked) <= {c.pk for c in ctx.cases}
    assert AuditEvent.objects.get(event_type=E.REINSPECTION_ORDERED).changes["new"]["seed"] == 7
    reinspection_close_all(ctx, first)
    again = reinspection_order(actor=ctx.users.inspector, campaign=ctx.campaign, commune=ctx.units.tho_xuan,
                               reasons=["Ngẫu nhiên"], sample_size=2, seed=7, today=TODAY)  # fmt: skip
    assert sorted(again.samples.values_list("case_id", flat=True)) == picked


def test_random_sample_without_seed_records_the_seed_used(ctx):
    r = reinspection_order(actor=ctx.users.province_officer, campaign=ctx.campaign, commune=ctx.units.tho_xuan,
                           reasons=["Ngẫu nhiên"], sample_size=4, today=TODAY)  # fmt: skip
    assert r.samples.count() == 4
    assert isinstance(AuditEvent.objects.get(event_type=E.REINSPECTION_ORDERED).changes["new"]["seed"], int)


def reinspection_close_all(ctx, reinspection):
    for sample in reinspection.samples.all():
        find(sample, sample.commune_class, actor=ctx.users.inspector)
    reinspection_close(actor=ctx.users.inspector, reinspection=reinspection, today=TODAY)


def test_ordering_unit_is_the_nearest_unit_above_the_commune(ctx):
    u = ctx.units
    assert ordering_unit(ctx.users.inspector, u.tho_xuan) == u.th
    assert ordering_unit(ctx.users.district_officer, u.xuan_hong) == u.tho_xuan_district
    assert ordering_unit(ctx.users.province_officer, u.xuan_hong) == u.th  # through its 2025 successor
    assert ordering_unit(ctx.users.commune_officer, u.tho_xuan) is None
    assert ordering_unit(ctx.users.system_admin, u.tho_xuan) is None  # national: no unit above to name


def test_order_refusals_write_nothing(ctx):
    u, users = ctx.units, ctx.users
    assert_refused(PermissionDenied, lambda: order(ctx, actor=users.commune_officer))  # no reinspect perm
    assert_refused(PermissionDenied, lambda: order(ctx, actor=users.province_officer_dl))  # out of area
    assert_refused(PermissionDenied, lambda: order(ctx, actor=users.system_admin))  # from no unit above
    exc = assert_refused(ValidationError, lambda: order(ctx, commune=u.t1))
    assert "commune" in exc.message_dict
    assert_refused(ValidationError, lambda: order(ctx, reasons=["", "  "]))
    assert_refused(ValidationError, lambda: order(ctx, cases=[]))
    assert_refused(ValidationError, lambda: order(ctx, cases=[ctx.cases_out[0]]))  # not of the commune
    assert_refused(ValidationError, lambda: order(ctx, sample_size=2))  # both cases and sample size
    assert_refused(
        ValidationError,
        lambda: reinspection_order(
            actor=users.inspector, campaign=ctx.campaign, commune=u.tho_xuan, reasons=["x"], today=TODAY
        ),
    )  # neither
    for size in (0, 5):  # 4 households have a provisional result
        assert_refused(ValidationError, lambda size=size: reinspection_order(
            actor=users.inspector, campaign=ctx.campaign, commune=u.tho_xuan, reasons=["x"], sample_size=size,
            today=TODAY))  # fmt: skip
    # a household without a provisional result, screened out, withdrawn
    home = classified_household(u.tho_xuan, village=u.t2, code="S1", klass="", actor=users.commune_officer)
    surveying = case_at(ctx.campaign, home, "surveying")
    assert_refused(ValidationError, lambda: order(ctx, cases=[surveying]))
    home2 = classified_household(u.tho_xuan, village=u.t2, code="S2", klass="poor", actor=users.commune_officer)
    withdrawn = case_at(ctx.campaign, home2, "withdrawn", provisional_class="poor")
    assert_refused(ValidationError, lambda: order(ctx, cases=[withdrawn]))
    # Hạc Thành has no household with a provisional result
    exc = assert_refused(ApplicationError, lambda: reinspection_order(
        actor=users.inspector, campaign=ctx.campaign, commune=u.hac_thanh, reasons=["x"], sample_size=1,
        today=TODAY))  # fmt: skip
    assert exc.code == "nothing_to_sample"


def test_order_refused_while_one_is_open_or_when_the_campaign_is_closed(ctx):
    order(ctx)
    exc = assert_refused(ApplicationError, lambda: order(ctx, cases=ctx.cases[2:]))
    assert exc.code == "reinspection_already_open"
    campaign_close(actor=ctx.users.province_officer, campaign=ctx.campaign)
    exc = assert_refused(ApplicationError, lambda: order(ctx, commune=ctx.units.hac_thanh, sample_size=1, cases=None))
    assert exc.code == "campaign_not_open"


def test_district_officer_orders_for_a_legacy_commune(ctx, users, units):
    from ansinh.reviews.tests.factories import make_campaign

    legacy = make_campaign(users.province_officer, units.th_old, [units.tho_xuan_district], open_=True, year=2019,
                           plan_date=date(2019, 8, 21))  # fmt: skip
    home = classified_household(units.xuan_hong, village=None, code="L1", klass="poor", actor=users.system_admin)
    case = case_at(legacy, home, "posted", provisional_class="poor")
    r = reinspection_order(actor=users.district_officer, campaign=legacy, commune=units.xuan_hong,
                           reasons=["Khiếu nại"], cases=[case], today=date(2019, 10, 1))  # fmt: skip
    assert r.ordered_by_unit == units.tho_xuan_district and r.samples.get().case == case


# -- findings ----------------------------------------------------------------------------------


def test_finding_flags_a_discrepancy_and_can_be_corrected(ctx):
    reinspection = order(ctx)
    sample = reinspection.samples.get(case=ctx.cases[1])  # commune: near_poor
    sample = find(sample, "poor", actor=ctx.users.inspector)
    assert sample.discrepancy and sample.found_class == "poor" and sample.inspected_on == TODAY
    assert sample.inspector_name == "Đỗ Văn Kiên"
    sample = find(sample, "near_poor", actor=ctx.users.province_officer, findings="")
    assert not sample.discrepancy and sample.found_class == "near_poor"
    assert events(E.REINSPECTION_FINDING) == 2
    event = AuditEvent.objects.filter(event_type=E.REINSPECTION_FINDING).order_by("id").last()
    assert event.changes["old"]["found_class"] == "poor" and event.changes["new"]["discrepancy"] is False
    assert event.target_id == str(ctx.cases[1].pk)


def test_finding_defaults_the_inspector_name_to_the_actor(ctx):
    sample = order(ctx).samples.order_by("pk").first()
    sample = finding_record(actor=ctx.users.inspector, sample=sample, found_class=sample.commune_class, findings="",
                            inspector_name="", inspected_on=TODAY, today=TODAY)  # fmt: skip
    assert sample.inspector_name == ctx.users.inspector.full_name


def test_finding_refusals_write_nothing(ctx):
    reinspection = order(ctx)
    sample = reinspection.samples.get(case=ctx.cases[1])
    users = ctx.users

    def call(**kw):
        args = {"actor": users.inspector, "sample": sample, "found_class": "poor", "findings": "Thu nhập thấp",
                "inspector_name": "Đỗ Văn Kiên", "inspected_on": TODAY, "today": TODAY} | kw  # fmt: skip
        return lambda: finding_record(**args)

    assert_refused(PermissionDenied, call(actor=users.commune_officer))
    assert_refused(PermissionDenied, call(actor=users.province_officer_dl))
    for kw, key in ((dict(found_class="rich"), "found_class"), (dict(found_class=""), "found_class"),
                    (dict(inspected_on=None), "inspected_on"), (dict(inspected_on=date(2025, 10, 21)), "inspected_on"),
                    (dict(inspected_on=date(2025, 10, 1)), "inspected_on"),
                    (dict(findings=" "), "findings")):  # fmt: skip
        exc = assert_refused(ValidationError, call(**kw))
        assert key in exc.message_dict, kw
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert assert_refused(ApplicationError, call()).code == "campaign_not_open"


def test_finding_refused_after_closing_or_after_the_commune_resolved(ctx):
    reinspection = with_discrepancy(ctx)
    sample = reinspection.samples.get(discrepancy=True)
    discrepancy_resolve(actor=ctx.users.commune_officer, sample=sample, resolution="Xã giải trình", resurvey=False,
                        today=TODAY)  # fmt: skip
    exc = assert_refused(ApplicationError, lambda: find(sample, "near_poor", actor=ctx.users.inspector))
    assert exc.code == "sample_resolved"
    reinspection_close(actor=ctx.users.inspector, reinspection=reinspection, today=TODAY)
    other = reinspection.samples.get(discrepancy=False)
    exc = assert_refused(ApplicationError, lambda: find(other, other.commune_class, actor=ctx.users.inspector))
    assert exc.code == "reinspection_closed"


# -- resolving discrepancies -------------------------------------------------------------------


def test_resolve_with_an_explanation_only(ctx):
    sample = with_discrepancy(ctx).samples.get(discrepancy=True)
    sample = discrepancy_resolve(actor=ctx.users.commune_officer, sample=sample,
                                 resolution="Hộ có con đi làm xa gửi tiền về; giữ kết quả", resurvey=False,
                                 today=TODAY)  # fmt: skip
    assert sample.resolved_on == TODAY and sample.resolved_by == ctx.users.commune_officer
    assert sample.resolution.startswith("Hộ có con")
    assert ReviewCase.objects.get(pk=sample.case_id).state == "posted"
    assert events(E.DISCREPANCY_RESOLVED) == 1 and events(E.CASE_RESURVEY) == 0


def test_resolve_with_resurvey_sends_the_case_back_to_form_b(ctx):
    sample = with_discrepancy(ctx).samples.get(discrepancy=True)
    discrepancy_resolve(actor=ctx.users.commune_officer, sample=sample, resolution="Rà soát lại phiếu B",
                        resurvey=True, today=TODAY)  # fmt: skip
    case = ReviewCase.objects.get(pk=sample.case_id)
    assert case.state == "surveying" and case.posting_id is None and case.meeting_id is None
    assert case.provisional_class  # kept until the new phiếu B
    resurvey = AuditEvent.objects.get(event_type=E.CASE_RESURVEY)
    assert resurvey.changes["reason"] == "Rà soát lại phiếu B" and resurvey.changes["sample"] == sample.pk
    assert events(E.DISCREPANCY_RESOLVED) == 1


def test_resolve_refusals_write_nothing(ctx):
    reinspection = with_discrepancy(ctx)
    bad = reinspection.samples.get(discrepancy=True)
    good = reinspection.samples.get(discrepancy=False)
    users = ctx.users

    def call(sample=bad, **kw):
        args = {"actor": users.commune_officer, "sample": sample, "resolution": "Giải trình", "resurvey": False,
                "today": TODAY} | kw  # fmt: skip
        return lambda: discrepancy_resolve(**args)

    assert_refused(PermissionDenied, call(actor=users.inspector))  # inspectors do not resolve
    assert_refused(PermissionDenied, call(actor=users.commune_officer_dl))
    assert "resolution" in assert_refused(ValidationError, call(resolution="  ")).message_dict
    assert assert_refused(ApplicationError, call(sample=good)).code == "no_discrepancy"
    # a step that cannot go back to phiếu B (screened out cannot; approved is locked by the approval)
    ReviewCase.objects.filter(pk=bad.case_id).update(state="screened_out")
    assert assert_refused(ApplicationError, call(resurvey=True)).code == "invalid_transition"
    ReviewCase.objects.filter(pk=bad.case_id).update(state="posted")
    UnitApproval.objects.create(campaign=ctx.campaign, unit=ctx.units.tho_xuan, level="commune", state="approved",
                                unit_path=ctx.units.tho_xuan.path)  # fmt: skip
    assert assert_refused(ApplicationError, call()).code == "results_locked"
    UnitApproval.objects.all().delete()
    discrepancy_resolve(actor=users.commune_officer, sample=bad, resolution="Giải trình", resurvey=False, today=TODAY)
    assert assert_refused(ApplicationError, call()).code == "already_resolved"


def test_resolve_refused_when_the_campaign_is_closed(ctx):
    sample = with_discrepancy(ctx).samples.get(discrepancy=True)
    campaign_close(actor=ctx.users.province_officer, campaign=ctx.campaign)
    exc = assert_refused(ApplicationError, lambda: discrepancy_resolve(
        actor=ctx.users.commune_officer, sample=sample, resolution="x", resurvey=False, today=TODAY))  # fmt: skip
    assert exc.code == "campaign_not_open"


# -- closing -----------------------------------------------------------------------------------


def test_close_needs_every_finding_and_records_one_event(ctx):
    reinspection = order(ctx)
    first, second = reinspection.samples.order_by("pk")
    find(first, "poor", actor=ctx.users.inspector)
    exc = assert_refused(
        ApplicationError, lambda: reinspection_close(actor=ctx.users.inspector, reinspection=reinspection, today=TODAY)
    )
    assert exc.code == "findings_missing" and "H2" in exc.message
    find(second, "poor", actor=ctx.users.inspector)
    closed = reinspection_close(actor=ctx.users.inspector, reinspection=reinspection, today=TODAY)
    assert closed.status == "closed" and closed.closed_on == TODAY
    event = AuditEvent.objects.get(event_type=E.REINSPECTION_CLOSED)
    assert event.changes["new"]["samples"] == 2 and event.changes["new"]["discrepancies"] == 1
    exc = assert_refused(
        ApplicationError, lambda: reinspection_close(actor=ctx.users.inspector, reinspection=closed, today=TODAY)
    )
    assert exc.code == "reinspection_closed"


def test_close_refusals_write_nothing(ctx):
    reinspection = with_discrepancy(ctx)
    users = ctx.users
    assert_refused(PermissionDenied, lambda: reinspection_close(actor=users.commune_officer, reinspection=reinspection,
                                                                today=TODAY))  # fmt: skip
    assert_refused(
        PermissionDenied,
        lambda: reinspection_close(actor=users.province_officer_dl, reinspection=reinspection, today=TODAY),
    )
    assert_refused(ValidationError, lambda: reinspection_close(actor=users.inspector, reinspection=reinspection,
                                                               today=date(2025, 10, 1)))  # fmt: skip
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    exc = assert_refused(
        ApplicationError, lambda: reinspection_close(actor=users.inspector, reinspection=reinspection, today=TODAY)
    )
    assert exc.code == "campaign_not_open"
