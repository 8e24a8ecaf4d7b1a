"""Step 10 through the services: the rows, submit → approve up the chain (2025 and legacy), every
refusal writing nothing, approval locking the data, and return for revision unlocking it."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import ReviewCase, UnitApproval
from ansinh.reviews.services import campaign_close
from ansinh.reviews.services_approval import approvals_ensure, results_approve, results_return, results_submit
from ansinh.reviews.services_cases import case_start_survey
from ansinh.reviews.services_common import lock_case
from ansinh.reviews.tests.factories import (
    case_at,
    classified_household,
    dak_lak_campaign,
    load_reference_data,
    thanh_hoa_campaign,
)
from ansinh.reviews.tests.helpers_approval import (
    decided_commune,
    decision,
    discrepancy,
    legacy_campaign,
    open_complaint,
    rows,
)
from conftest import make_user

EVENTS = (ReviewsEventType.RESULTS_SUBMITTED, ReviewsEventType.RESULTS_APPROVED, ReviewsEventType.RESULTS_RETURNED)


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.tx_cases = decided_commune(c.campaign, units.tho_xuan, village=units.t1, prefix="X", actor=officer)
    c.ht_cases = decided_commune(c.campaign, units.hac_thanh, prefix="H", actor=None)
    c.rows = rows(c.campaign)
    c.tx, c.ht, c.prov = c.rows["16000"], c.rows["16001"], c.rows["38"]
    return c


@pytest.fixture
def ht_chair(roles, units):
    return make_user("ht_chair", role="commune_chair", unit=units.hac_thanh, roles=roles)


@pytest.fixture
def ht_officer(roles, units):
    return make_user("ht_officer", role="commune_officer", unit=units.hac_thanh, roles=roles)


def snapshot():
    return (
        sorted(UnitApproval.objects.values_list("pk", "state", "submitted_by", "approved_by", "accepted_at",
                                                "returned_reason")),
        sorted(ReviewCase.objects.values_list("pk", "state")),
        AuditEvent.objects.filter(event_type__in=EVENTS).count(),
    )  # fmt: skip


def assert_refused(exc_type, call, *, code=None):
    before = snapshot()
    with pytest.raises(exc_type) as info:
        call()
    assert snapshot() == before
    if code:
        assert info.value.code == code
    return info.value


def fresh(row):
    return UnitApproval.objects.select_related("unit", "parent", "campaign").get(pk=row.pk)


def approve_commune(c, row, *, submitter, approver):
    results_submit(actor=submitter, approval=fresh(row))
    return results_approve(actor=approver, approval=fresh(row))


# -- the rows -------------------------------------------------------------------------------------


def test_rows_follow_the_2025_chain_and_ensure_is_idempotent(ctx):
    assert {r.level for r in ctx.rows.values()} == {"commune", "province"}
    assert set(ctx.rows) == {"16000", "16001", "38"}
    assert ctx.prov.parent_id is None and ctx.prov.unit == ctx.units.th
    assert ctx.tx.parent_id == ctx.prov.pk and ctx.ht.parent_id == ctx.prov.pk
    assert ctx.tx.unit_path == ctx.units.tho_xuan.path and ctx.tx.state == "waiting"
    count = UnitApproval.objects.count()
    assert len(approvals_ensure(ctx.campaign)) == count == 3
    assert UnitApproval.objects.count() == 3


def test_rows_follow_the_legacy_chain(ctx):
    legacy = legacy_campaign(ctx)
    assert legacy.approval_chain == ["commune", "district", "province"]
    r = rows(legacy)
    assert set(r) == {"15850", "393", "38"}
    assert r["15850"].parent_id == r["393"].pk and r["393"].parent_id == r["38"].pk and r["38"].parent_id is None
    assert r["15850"].successor_path == ctx.units.tho_xuan.path
    assert r["38"].unit == ctx.units.th_old


# -- 2025 chain: commune → province -----------------------------------------------------------------


def test_happy_path_commune_to_province(ctx, ht_chair, ht_officer):
    users = ctx.users
    row = results_submit(actor=users.commune_officer, approval=fresh(ctx.tx))
    assert row.state == "ready" and row.submitted_by == users.commune_officer and row.submitted_at
    row = results_approve(actor=users.commune_chair, approval=fresh(ctx.tx))
    assert row.state == "approved" and row.approved_by == users.commune_chair
    assert {c.state for c in ReviewCase.objects.filter(pk__in=[c.pk for c in ctx.tx_cases])} == {"approved"}
    assert {c.state for c in ReviewCase.objects.filter(pk__in=[c.pk for c in ctx.ht_cases])} == {"decided"}
    # tier order: the province waits for Hạc Thành
    err = assert_refused(ApplicationError, lambda: results_submit(actor=users.province_officer,
                                                                  approval=fresh(ctx.prov)),
                         code="children_not_approved")  # fmt: skip
    assert "Phường Hạc Thành" in err.message and "Xã Thọ Xuân" not in err.message
    approve_commune(ctx, ctx.ht, submitter=ht_officer, approver=ht_chair)
    prov = results_submit(actor=users.province_officer, approval=fresh(ctx.prov))
    assert prov.state == "ready"
    prov = results_approve(actor=users.province_approver, approval=fresh(ctx.prov))
    assert prov.state == "approved" and prov.approved_by == users.province_approver
    assert fresh(ctx.tx).state == "accepted" and fresh(ctx.tx).accepted_at is not None
    assert fresh(ctx.ht).state == "accepted"
    events = list(
        AuditEvent.objects.filter(event_type__in=EVENTS).order_by("id").values_list("event_type", "unit_path")
    )
    assert events == [
        (ReviewsEventType.RESULTS_SUBMITTED, ctx.tx.unit_path), (ReviewsEventType.RESULTS_APPROVED, ctx.tx.unit_path),
        (ReviewsEventType.RESULTS_SUBMITTED, ctx.ht.unit_path), (ReviewsEventType.RESULTS_APPROVED, ctx.ht.unit_path),
        (ReviewsEventType.RESULTS_SUBMITTED, ctx.prov.unit_path),
        (ReviewsEventType.RESULTS_APPROVED, ctx.prov.unit_path),
    ]  # fmt: skip
    approved = AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_APPROVED).order_by("id").first()
    assert approved.changes["new"]["cases_approved"] == 2


# -- legacy chain: commune → district → province -----------------------------------------------------


def test_happy_path_legacy_commune_district_province(ctx, roles):
    users, units = ctx.users, ctx.units
    legacy = legacy_campaign(ctx)
    cases = decided_commune(legacy, units.xuan_hong, prefix="L", actor=None)
    r = rows(legacy)
    commune, district, province = r["15850"], r["393"], r["38"]
    district_approver = make_user("district_approver", role="district_officer", unit=units.tho_xuan_district,
                                  roles=roles)  # fmt: skip
    # The district may not be submitted before its commune is approved (tier order).
    assert_refused(ApplicationError, lambda: results_submit(actor=users.district_officer, approval=fresh(district)),
                   code="children_not_approved")  # fmt: skip
    approve_commune(ctx, commune, submitter=users.commune_officer, approver=users.commune_chair)
    assert {c.state for c in ReviewCase.objects.filter(pk__in=[c.pk for c in cases])} == {"approved"}
    # A province approver does not approve the district's own results.
    results_submit(actor=users.district_officer, approval=fresh(district))
    assert_refused(PermissionDenied, lambda: results_approve(actor=users.province_approver, approval=fresh(district)))
    results_approve(actor=district_approver, approval=fresh(district))
    assert fresh(commune).state == "accepted" and fresh(district).state == "approved"
    results_submit(actor=users.province_officer, approval=fresh(province))
    results_approve(actor=users.province_approver, approval=fresh(province))
    assert [fresh(x).state for x in (commune, district, province)] == ["accepted", "accepted", "approved"]


def test_legacy_return_cascades_down_the_chain(ctx, roles):
    users, units = ctx.users, ctx.units
    legacy = legacy_campaign(ctx)
    cases = decided_commune(legacy, units.xuan_hong, prefix="L", actor=None)
    r = rows(legacy)
    commune, district, province = r["15850"], r["393"], r["38"]
    district_approver = make_user("district_approver", role="district_officer", unit=units.tho_xuan_district,
                                  roles=roles)  # fmt: skip
    approve_commune(ctx, commune, submitter=users.commune_officer, approver=users.commune_chair)
    results_submit(actor=users.district_officer, approval=fresh(district))
    results_approve(actor=district_approver, approval=fresh(district))
    results_submit(actor=users.province_officer, approval=fresh(province))
    # The district may not return its commune while the district itself is approved.
    assert_refused(ApplicationError, lambda: results_return(actor=district_approver, approval=fresh(commune),
                                                            reason="Sai hộ L1"), code="parent_locked")  # fmt: skip
    # The province (ready) returns the district: the province waits again, the commune is approved again.
    results_return(actor=users.province_approver, approval=fresh(district), reason="Huyện báo cáo thiếu")
    assert (fresh(province).state, fresh(district).state, fresh(commune).state) == ("waiting", "returned", "approved")
    # Now the district returns the commune; the commune's cases are unlocked.
    results_return(actor=district_approver, approval=fresh(commune), reason="Sai hộ L1")
    assert fresh(commune).state == "returned"
    assert {c.state for c in ReviewCase.objects.filter(pk__in=[c.pk for c in cases])} == {"decided"}
    with transaction.atomic():
        assert lock_case(cases[0], "surveying").pk == cases[0].pk


# -- submit refusals ----------------------------------------------------------------------------------


def test_submit_refused_without_decision_with_counts_of_unfinished_cases(ctx, units, users):
    legacy = legacy_campaign(ctx)
    r = rows(legacy)
    for i, state in enumerate(("surveying", "surveying", "posted", "withdrawn", "screened_out"), start=1):
        household = classified_household(units.xuan_hong, village=None, code=f"S{i}", klass="poor", actor=None)
        case_at(legacy, household, state)
    err = assert_refused(ApplicationError, lambda: results_submit(actor=users.commune_officer,
                                                                  approval=fresh(r["15850"])),
                         code="commune_not_ready")  # fmt: skip
    assert "chưa có quyết định công nhận" in err.message
    assert "còn 3 hộ chưa có quyết định công nhận" in err.message
    assert err.details["cases_not_decided"] == {"surveying": 2, "posted": 1}


def test_submit_refused_with_open_complaint_but_not_late_or_closed_one(ctx, users):
    complaint = open_complaint(ctx.campaign, ctx.tx_cases[0])
    err = assert_refused(ApplicationError, lambda: results_submit(actor=users.commune_officer, approval=fresh(ctx.tx)),
                         code="commune_not_ready")  # fmt: skip
    assert "1 khiếu nại đang xác minh" in err.message
    complaint.late = True
    complaint.save()
    assert results_submit(actor=users.commune_officer, approval=fresh(ctx.tx)).state == "ready"


def test_submit_refused_with_unresolved_discrepancy(ctx, users, units):
    sample = discrepancy(ctx.campaign, ctx.tx_cases[0], units.tho_xuan, units.th)
    err = assert_refused(ApplicationError, lambda: results_submit(actor=users.commune_officer, approval=fresh(ctx.tx)),
                         code="commune_not_ready")  # fmt: skip
    assert "1 sai lệch phúc tra chưa xử lý" in err.message
    sample.resolved_on, sample.resolution = date(2025, 11, 30), "Xã rà soát lại, giữ kết quả"
    sample.save()
    assert results_submit(actor=users.commune_officer, approval=fresh(ctx.tx)).state == "ready"


def test_submit_refusals_role_area_state_campaign(ctx, users):
    assert_refused(PermissionDenied, lambda: results_submit(actor=users.supervisor, approval=fresh(ctx.tx)))
    assert_refused(PermissionDenied, lambda: results_submit(actor=users.commune_officer_dl, approval=fresh(ctx.tx)))
    # a commune officer has no right over the province's row
    assert_refused(PermissionDenied, lambda: results_submit(actor=users.commune_officer, approval=fresh(ctx.prov)))
    results_submit(actor=users.commune_officer, approval=fresh(ctx.tx))
    assert_refused(ApplicationError, lambda: results_submit(actor=users.commune_officer, approval=fresh(ctx.tx)),
                   code="invalid_state")  # fmt: skip
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert_refused(ApplicationError, lambda: results_submit(actor=users.province_officer, approval=fresh(ctx.ht)),
                   code="campaign_not_open")  # fmt: skip


# -- approve refusals ---------------------------------------------------------------------------------


def test_self_approval_refused(ctx, users, roles, units):
    both = make_user("both", roles=roles)
    from ansinh.accounts.services import role_assignment_create

    for code in ("commune_officer", "commune_chair"):
        role_assignment_create(actor=None, user=both, role=roles[code], unit=units.tho_xuan,
                               valid_from=date(2025, 7, 1))  # fmt: skip
    results_submit(actor=both, approval=fresh(ctx.tx))
    err = assert_refused(ApplicationError, lambda: results_approve(actor=both, approval=fresh(ctx.tx)),
                         code="self_approval")  # fmt: skip
    assert "không tự phê duyệt" in err.message
    assert results_approve(actor=users.commune_chair, approval=fresh(ctx.tx)).state == "approved"


def test_approve_refused_at_the_wrong_level(ctx, users):
    results_submit(actor=users.commune_officer, approval=fresh(ctx.tx))
    # the province approver holds approve_results over the commune, but not at the commune's level
    err = assert_refused(PermissionDenied, lambda: results_approve(actor=users.province_approver,
                                                                   approval=fresh(ctx.tx)))  # fmt: skip
    assert "cấp của Xã Thọ Xuân" in str(err)
    assert_refused(PermissionDenied, lambda: results_approve(actor=users.commune_officer, approval=fresh(ctx.tx)))
    assert_refused(PermissionDenied, lambda: results_approve(actor=users.province_officer_dl, approval=fresh(ctx.tx)))


def test_approve_refused_unless_ready_and_children_approved(ctx, users, ht_officer):
    assert_refused(ApplicationError, lambda: results_approve(actor=users.commune_chair, approval=fresh(ctx.tx)),
                   code="invalid_state")  # fmt: skip
    # force the province ready with a child not approved (e.g. data changed behind the page): still refused
    UnitApproval.objects.filter(pk=ctx.prov.pk).update(state="ready", submitted_by=users.province_officer)
    err = assert_refused(ApplicationError, lambda: results_approve(actor=users.province_approver,
                                                                   approval=fresh(ctx.prov)),
                         code="children_not_approved")  # fmt: skip
    assert "Xã Thọ Xuân" in err.message and "Phường Hạc Thành" in err.message


def test_approve_refused_when_a_discrepancy_appears_after_submission(ctx, users, units):
    results_submit(actor=users.commune_officer, approval=fresh(ctx.tx))
    discrepancy(ctx.campaign, ctx.tx_cases[1], units.tho_xuan, units.th)
    assert_refused(ApplicationError, lambda: results_approve(actor=users.commune_chair, approval=fresh(ctx.tx)),
                   code="commune_not_ready")  # fmt: skip


def test_second_approver_with_a_stale_row_is_refused(ctx, users, roles, units):
    other_chair = make_user("other_chair", role="commune_chair", unit=units.tho_xuan, roles=roles)
    results_submit(actor=users.commune_officer, approval=fresh(ctx.tx))
    stale_a, stale_b = fresh(ctx.tx), fresh(ctx.tx)
    results_approve(actor=users.commune_chair, approval=stale_a)
    assert stale_b.state == "ready"
    err = assert_refused(ApplicationError, lambda: results_approve(actor=other_chair, approval=stale_b),
                         code="invalid_state")  # fmt: skip
    assert "đã được phê duyệt" in err.message
    assert fresh(ctx.tx).approved_by == users.commune_chair
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_APPROVED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvers_exactly_one_succeeds(units, users, roles):
    import threading

    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    campaign = thanh_hoa_campaign(c, open_=True)
    decided_commune(campaign, units.tho_xuan, village=units.t1, prefix="X", actor=users.commune_officer)
    tx = rows(campaign)["16000"]
    other_chair = make_user("other_chair", role="commune_chair", unit=units.tho_xuan, roles=roles)
    results_submit(actor=users.commune_officer, approval=fresh(tx))
    barrier, outcomes = threading.Barrier(2), []

    def approve(user):
        try:
            barrier.wait()
            results_approve(actor=user, approval=fresh(tx))
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (users.commune_chair, other_chair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["invalid_state", "ok"]
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_APPROVED).count() == 1


# -- locking ------------------------------------------------------------------------------------------


def test_approval_locks_the_communes_cases(ctx, users, units):
    approve_commune(ctx, ctx.tx, submitter=users.commune_officer, approver=users.commune_chair)
    late = classified_household(units.tho_xuan, village=units.t2, code="Z9", klass="poor", actor=users.commune_officer)
    listed = case_at(ctx.campaign, late, "listed")
    before = snapshot()
    with pytest.raises(ApplicationError) as info:
        case_start_survey(actor=users.commune_officer, case=listed)
    assert info.value.code == "results_locked" and snapshot() == before
    with pytest.raises(ApplicationError) as info, transaction.atomic():
        lock_case(ctx.tx_cases[0], "decided")
    assert info.value.code == "results_locked"
    # Hạc Thành is not approved: not locked
    with transaction.atomic():
        lock_case(ctx.ht_cases[0], "surveying")


# -- return for revision ------------------------------------------------------------------------------


def test_return_unlocks_the_commune_and_it_can_be_approved_again(ctx, users, ht_chair, ht_officer):
    approve_commune(ctx, ctx.tx, submitter=users.commune_officer, approver=users.commune_chair)
    approve_commune(ctx, ctx.ht, submitter=ht_officer, approver=ht_chair)
    results_submit(actor=users.province_officer, approval=fresh(ctx.prov))
    row = results_return(actor=users.province_approver, approval=fresh(ctx.tx), reason="Hộ X1 có xe ô tô")
    assert row.state == "returned" and row.returned_reason == "Hộ X1 có xe ô tô" and row.approved_by is None
    assert fresh(ctx.prov).state == "waiting"
    assert {c.state for c in ReviewCase.objects.filter(pk__in=[c.pk for c in ctx.tx_cases])} == {"decided"}
    event = AuditEvent.objects.get(event_type=ReviewsEventType.RESULTS_RETURNED)
    assert event.changes["reason"] == "Hộ X1 có xe ô tô" and event.changes["new"]["cases_reopened"] == 2
    with transaction.atomic():  # unlocked: the household can be re-surveyed
        lock_case(ctx.tx_cases[0], "surveying")
    # submitted and approved again, then the province
    approve_commune(ctx, ctx.tx, submitter=users.commune_officer, approver=users.commune_chair)
    assert fresh(ctx.tx).returned_reason == ""
    results_submit(actor=users.province_officer, approval=fresh(ctx.prov))
    assert results_approve(actor=users.province_approver, approval=fresh(ctx.prov)).state == "approved"


def test_return_refusals(ctx, users, ht_chair, ht_officer):
    approve_commune(ctx, ctx.tx, submitter=users.commune_officer, approver=users.commune_chair)
    assert_refused(ValidationError, lambda: results_return(actor=users.province_approver, approval=fresh(ctx.tx),
                                                           reason="  "))  # fmt: skip
    # the commune chair is not at the province's level
    assert_refused(PermissionDenied, lambda: results_return(actor=users.commune_chair, approval=fresh(ctx.tx),
                                                            reason="x"))  # fmt: skip
    assert_refused(PermissionDenied, lambda: results_return(actor=users.supervisor, approval=fresh(ctx.tx),
                                                            reason="x"))  # fmt: skip
    # not approved
    assert_refused(ApplicationError, lambda: results_return(actor=users.province_approver, approval=fresh(ctx.ht),
                                                            reason="x"), code="invalid_state")  # fmt: skip
    # the top of the chain has nobody above it
    assert_refused(ApplicationError, lambda: results_return(actor=users.province_approver, approval=fresh(ctx.prov),
                                                            reason="x"), code="no_parent")  # fmt: skip
    # the province approved: its children are accepted and can't be returned any more
    approve_commune(ctx, ctx.ht, submitter=ht_officer, approver=ht_chair)
    results_submit(actor=users.province_officer, approval=fresh(ctx.prov))
    results_approve(actor=users.province_approver, approval=fresh(ctx.prov))
    assert_refused(ApplicationError, lambda: results_return(actor=users.province_approver, approval=fresh(ctx.tx),
                                                            reason="x"), code="parent_locked")  # fmt: skip


def test_other_area_rows_are_independent(ctx, users):
    dl = dak_lak_campaign(ctx, open_=True)
    r = rows(dl)
    assert set(r) == {"24000", "66"}
    assert_refused(PermissionDenied, lambda: results_submit(actor=users.commune_officer, approval=fresh(r["24000"])))
    assert decision  # helper also used by the view tests
