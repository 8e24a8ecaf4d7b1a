"""The campaign count table (`CaseCount`, decision 0015): kept by database triggers, checked and rebuilt
by `services_counts` and `reviews_recount`. (Every other reviews test also checks it: tests/conftest.py.)"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import CaseCount, ReviewCase
from ansinh.reviews.selectors_results import PROGRESS_COLUMNS, case_progress_counts
from ansinh.reviews.services_counts import Difference, case_counts_diff, case_counts_rebuild, triggers_missing
from ansinh.reviews.tests import helpers_results as hr


@pytest.fixture
def ctx(units, users):
    ctx = hr.base_ctx(units, users)
    t1, t2 = units.t1, units.t2
    ctx.cases = {
        code: hr.case_at(ctx.campaign, hr.household(ctx, code, klass, village=village), state)
        for code, klass, village, state in (
            ("A1", "poor", t1, "listed"), ("A2", "poor", t1, "listed"), ("A3", "near_poor", t1, "surveying"),
            ("B1", "poor", t2, "listed"), ("B2", "near_poor", t2, "met"),
        )
    }  # fmt: skip
    return ctx


def stored(campaign) -> dict[tuple[str, str], int]:
    """{(unit path, state): n} of the campaign's count rows."""
    return {(r.unit_path, r.state): r.n for r in CaseCount.objects.filter(campaign=campaign)}


def test_the_triggers_are_installed(db):
    assert triggers_missing() == []


def test_creating_cases_counts_them_per_place_and_state(ctx):
    t1, t2 = ctx.units.t1.path, ctx.units.t2.path
    assert stored(ctx.campaign) == {(t1, "listed"): 2, (t1, "surveying"): 1, (t2, "listed"): 1, (t2, "met"): 1}


def test_a_state_change_moves_one_count_and_drops_rows_that_reach_zero(ctx):
    t1, t2 = ctx.units.t1.path, ctx.units.t2.path
    case = ctx.cases["B1"]
    case.state = "surveying"
    case.save(update_fields=["state", "updated_at"])
    assert stored(ctx.campaign) == {(t1, "listed"): 2, (t1, "surveying"): 1, (t2, "surveying"): 1, (t2, "met"): 1}
    # Saving other fields leaves the counts alone.
    case.provisional_class = "poor"
    case.save(update_fields=["provisional_class", "updated_at"])
    assert stored(ctx.campaign)[(t2, "surveying")] == 1


def test_bulk_updates_moves_and_deletions_keep_the_counts(ctx):
    t1, t2 = ctx.units.t1.path, ctx.units.t2.path
    # One UPDATE over several cases (as services_approval does).
    ReviewCase.objects.filter(campaign=ctx.campaign, state="listed").update(state="surveying")
    assert stored(ctx.campaign) == {(t1, "surveying"): 3, (t2, "surveying"): 1, (t2, "met"): 1}
    # A case placed elsewhere (its paths rewritten) moves its count with it.
    ReviewCase.objects.filter(pk=ctx.cases["A1"].pk).update(unit_path=t2)
    assert stored(ctx.campaign) == {(t1, "surveying"): 2, (t2, "surveying"): 2, (t2, "met"): 1}
    ReviewCase.objects.filter(pk__in=[ctx.cases["B2"].pk, ctx.cases["A2"].pk]).delete()
    assert stored(ctx.campaign) == {(t1, "surveying"): 1, (t2, "surveying"): 2}
    assert case_counts_diff() == []


def test_the_dashboard_counts_equal_the_visible_cases_for_every_reader(ctx):
    """Scoping by the count rows' two paths gives exactly the counts of the cases each reader may see,
    including a case that a reader sees only through its successor path (legacy commune → 2025 one)."""
    legacy = ctx.units.xuan_hong
    ReviewCase.objects.filter(pk=ctx.cases["A3"].pk).update(unit_path=legacy.path, successor_path=ctx.units.t1.path)
    for name, user in vars(ctx.users).items():
        cases = ReviewCase.objects.visible_to(user, perm="reviews.view_reviewcase").filter(campaign=ctx.campaign)
        expected = cases.aggregate(**{
            key: Count("pk") if states is None else Count("pk", filter=Q(state__in=list(states)))
            for key, states in PROGRESS_COLUMNS.items()
        })  # fmt: skip
        assert case_progress_counts(user=user, campaign=ctx.campaign) == expected, name
    district = case_progress_counts(user=ctx.users.district_officer, campaign=ctx.campaign)
    assert district["listed"] == 1  # only the case placed in the legacy commune


def test_diff_finds_a_wrong_count_and_rebuild_repairs_it_with_an_audit_event(ctx):
    t1 = ctx.units.t1.path
    CaseCount.objects.filter(campaign=ctx.campaign, unit_path=t1, state="listed").update(n=7)
    CaseCount.objects.filter(campaign=ctx.campaign, state="met").delete()
    found = case_counts_diff(campaign=ctx.campaign)
    assert [(d.unit_path, d.state, d.stored, d.actual) for d in found] == [
        (t1, "listed", 7, 2), (ctx.units.t2.path, "met", 0, 1)]  # fmt: skip
    assert all(isinstance(d, Difference) and d.campaign_id == ctx.campaign.pk for d in found)
    report = case_counts_rebuild(actor=ctx.users.system_admin, campaign=ctx.campaign)
    assert report == {"campaigns": 1, "rows": 4, "differences": 2}
    assert case_counts_diff() == []
    event = AuditEvent.objects.get(event_type=ReviewsEventType.CASE_COUNTS_REBUILT)
    assert event.changes == {"old": {"differences": 2, "rows": 7}, "new": {"rows": 3}}
    # Nothing to repair: nothing rewritten, no event.
    assert case_counts_rebuild(actor=None)["differences"] == 0
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.CASE_COUNTS_REBUILT).count() == 1


def test_recount_command_checks_and_rebuilds(ctx):
    out = io.StringIO()
    call_command("reviews_recount", "--check", stdout=out)
    assert '"differences": 0' in out.getvalue()
    CaseCount.objects.filter(campaign=ctx.campaign, state="surveying").update(n=0)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("reviews_recount", "--check", f"--campaign={ctx.campaign.pk}", stdout=out)
    assert exit_.value.code == 1
    assert '"state": "surveying", "stored": 0, "actual": 1' in out.getvalue()
    out = io.StringIO()
    call_command("reviews_recount", f"--campaign={ctx.campaign.pk}", stdout=out)
    assert '"differences": 1' in out.getvalue()
    assert case_counts_diff() == []
    with pytest.raises(CommandError, match="Không có đợt rà soát"):
        call_command("reviews_recount", "--campaign=999999", stdout=io.StringIO())
