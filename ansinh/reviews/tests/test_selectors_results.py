from datetime import date

import pytest
from django.http import Http404

from ansinh.reviews.choices import Transition
from ansinh.reviews.models import MilestoneCompletion, ReviewCase
from ansinh.reviews.selectors_results import (
    PROGRESS_COLUMNS,
    case_progress_counts,
    households_of_class,
    progress_by_unit,
    progress_unit,
    results_frozen,
    results_visible_to,
    transition_counts,
)
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.tests import helpers_results as hr


@pytest.fixture
def ctx(units, users):
    return hr.final_cases(hr.base_ctx(units, users))


def freeze(ctx):
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


# -- households_of_class --------------------------------------------------------------------------


def test_households_of_class_before_freezing_reads_decided_cases(ctx):
    province = ctx.units.th
    assert not results_frozen(ctx.campaign)
    user = ctx.users.province_officer
    assert codes(households_of_class(user=user, klass="poor", unit=province, campaign=ctx.campaign)) == {
        "H1", "H5", "H7", "K2"}  # fmt: skip
    # A case not decided yet does not count, even with a provisional class.
    hh = hr.household(ctx, "P9", "poor", village=ctx.units.t1)
    hr.case_at(ctx.campaign, hh, "posted", final_class="poor")
    assert "P9" not in codes(households_of_class(user=user, klass="poor", unit=province, campaign=ctx.campaign))


def test_households_of_class_after_freezing_reads_frozen_results(ctx):
    freeze(ctx)
    user = ctx.users.province_officer
    campaign = ctx.campaign
    assert codes(households_of_class(user=user, klass="poor", unit=ctx.units.th, campaign=campaign)) == {
        "H1", "H5", "H7", "K2"}  # fmt: skip
    assert codes(households_of_class(user=user, klass="near_poor", unit=ctx.units.th, campaign=campaign)) == {
        "H6", "K1"}  # fmt: skip
    assert codes(households_of_class(user=user, klass="poor", unit=ctx.units.t2, campaign=campaign)) == {"H5", "H7"}
    # Frozen means frozen: a later change of the case does not move the household.
    ReviewCase.objects.filter(pk=ctx.cases["H1"].pk).update(final_class="near_poor")
    assert "H1" in codes(households_of_class(user=user, klass="poor", unit=ctx.units.th, campaign=campaign))


def test_households_of_class_is_scoped_to_the_reader(ctx):
    freeze(ctx)
    commune = households_of_class(user=ctx.users.commune_officer, klass="poor", unit=ctx.units.th,
                                  campaign=ctx.campaign)  # fmt: skip
    assert codes(commune) == {"H1", "H5", "H7"}  # not Hạc Thành's K2
    assert not households_of_class(user=ctx.users.commune_officer_dl, klass="poor", unit=ctx.units.th,
                                   campaign=ctx.campaign).exists()  # fmt: skip
    assert not households_of_class(user=ctx.users.helping_agency_member, klass="poor", unit=ctx.units.th,
                                   campaign=ctx.campaign).exists()  # fmt: skip


# -- transition_counts and the results list --------------------------------------------------------


def test_transition_counts_match_the_database_and_are_scoped(ctx):
    assert set(transition_counts(user=ctx.users.province_officer, campaign=ctx.campaign).values()) == {0}
    freeze(ctx)
    counts = transition_counts(user=ctx.users.province_officer, campaign=ctx.campaign)
    assert list(counts) == Transition.values
    for code, n in counts.items():
        assert n == ctx.campaign.results.filter(transition=code).count()
    assert sum(counts.values()) == 10
    commune = transition_counts(user=ctx.users.commune_officer, campaign=ctx.campaign)
    assert sum(commune.values()) == 7 and commune["newly_poor"] == 0 and commune["re_poor"] == 1
    village = transition_counts(user=ctx.users.province_officer, campaign=ctx.campaign, unit=ctx.units.t1)
    assert {k: n for k, n in village.items() if n} == {"remained_poor": 1, "escaped_near_poverty": 1, "not_poor": 1,
                                                       "moved_away": 1}  # fmt: skip
    assert sum(transition_counts(user=ctx.users.commune_officer_dl, campaign=ctx.campaign).values()) == 0


def test_results_list_filters_sorts_and_scopes(ctx):
    freeze(ctx)
    user = ctx.users.province_officer
    rows = list(results_visible_to(user=user, campaign=ctx.campaign))
    assert [r.household.code for r in rows] == ["H1", "H2", "H3", "H4", "H5", "H6", "H7", "K1", "K2", "K3"]
    assert [r.unit_path for r in rows] == sorted(r.unit_path for r in rows)
    only = results_visible_to(
        user=user, campaign=ctx.campaign, filters={"klass": "poor", "unit": ctx.units.tho_xuan.pk}
    )
    assert [r.household.code for r in only] == ["H1", "H5", "H7"]
    left = results_visible_to(user=user, campaign=ctx.campaign, filters={"klass": "none"})
    assert {r.household.code for r in left} == {"H3", "H4", "K3"}
    died = results_visible_to(user=user, campaign=ctx.campaign, filters={"transition": "died"})
    assert [r.household.code for r in died] == ["K3"]
    assert results_visible_to(user=ctx.users.commune_officer, campaign=ctx.campaign).count() == 7
    assert results_visible_to(user=ctx.users.village_head, campaign=ctx.campaign).count() == 4  # Thôn 1


# -- the progress dashboard -------------------------------------------------------------------------


def direct_counts(campaign, path) -> dict[str, int]:
    cases = ReviewCase.objects.filter(campaign=campaign, unit_path__startswith=path)
    return {key: cases.count() if states is None else cases.filter(state__in=states).count()
            for key, states in PROGRESS_COLUMNS.items()}  # fmt: skip


@pytest.fixture
def progress_ctx(ctx):
    return hr.in_progress_cases(ctx)


def test_province_level_rows_are_communes_with_direct_counts(progress_ctx):
    ctx = progress_ctx
    progress = progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    assert progress.unit == ctx.units.th and [u.pk for u in progress.breadcrumb] == [ctx.units.th.pk]
    assert [r.unit for r in progress.rows] == [ctx.units.hac_thanh, ctx.units.tho_xuan]
    for row in progress.rows:
        assert row.counts == direct_counts(ctx.campaign, row.unit.path)
        assert row.can_drill
    assert progress.totals.counts == direct_counts(ctx.campaign, ctx.units.th.path)
    tho_xuan = progress.rows[1]
    assert tho_xuan.counts == {"listed": 11, "surveyed": 8, "met": 7, "posted": 6, "decided": 5, "approved": 2,
                               "screened_out": 1, "withdrawn": 1}  # fmt: skip
    cells = {c.key: c for c in tho_xuan.cells}
    assert cells["decided"].percent == round(100 * 5 / 11, 1) and cells["listed"].percent == 100.0


def test_commune_level_rows_are_villages(progress_ctx):
    ctx = progress_ctx
    progress = progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan,
                                today=hr.TODAY)  # fmt: skip
    assert [r.unit for r in progress.rows] == [ctx.units.t1, ctx.units.t2]
    assert [u.pk for u in progress.breadcrumb] == [ctx.units.th.pk, ctx.units.tho_xuan.pk]
    for row in progress.rows:
        assert row.counts == direct_counts(ctx.campaign, row.unit.path) and not row.can_drill
    assert progress.totals.counts == direct_counts(ctx.campaign, ctx.units.tho_xuan.path)


def test_cases_placed_on_the_commune_itself_get_their_own_row(progress_ctx):
    ctx = progress_ctx
    progress = progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, unit=ctx.units.hac_thanh,
                                today=hr.TODAY)  # fmt: skip
    assert [r.unit for r in progress.rows] == [None]
    assert progress.rows[0].counts == direct_counts(ctx.campaign, ctx.units.hac_thanh.path)
    assert progress.totals.counts["listed"] == 4


def test_one_aggregate_query_per_level(progress_ctx, django_assert_max_num_queries):
    ctx = progress_ctx
    from ansinh.core.scoping import scope_of

    scope_of(ctx.users.province_officer, "reviews.view_reviewcase")  # warm the role cache
    with django_assert_max_num_queries(8):
        progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)


def test_commune_user_sees_only_their_commune(progress_ctx):
    ctx = progress_ctx
    progress = progress_by_unit(user=ctx.users.commune_officer, campaign=ctx.campaign, today=hr.TODAY)
    assert [r.unit for r in progress.rows] == [ctx.units.tho_xuan]
    assert progress.totals.counts == direct_counts(ctx.campaign, ctx.units.tho_xuan.path)
    village = progress_by_unit(user=ctx.users.village_head, campaign=ctx.campaign, unit=ctx.units.tho_xuan,
                               today=hr.TODAY)  # fmt: skip
    assert [r.unit for r in village.rows] == [ctx.units.t1]
    assert village.totals.counts == direct_counts(ctx.campaign, ctx.units.t1.path)


def test_lateness_of_the_milestones_of_each_level(progress_ctx):
    ctx = progress_ctx
    # 2025 milestones: commune recognition by 14/12; province preliminary by 15/11, official by 20/12.
    recognition = ctx.campaign.milestones.get(code="commune_recognition")
    MilestoneCompletion.objects.create(milestone=recognition, unit=ctx.units.tho_xuan, done_on=date(2025, 12, 16),
                                       unit_path=ctx.units.tho_xuan.path)  # fmt: skip
    progress = progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, today=date(2025, 12, 18))
    rows = {r.unit.pk: r for r in progress.rows}
    tho_xuan, hac_thanh = rows[ctx.units.tho_xuan.pk], rows[ctx.units.hac_thanh.pk]
    assert [(m.milestone.code, m.state) for m in tho_xuan.milestones] == [("commune_recognition", "done_late")]
    assert [(m.milestone.code, m.state) for m in hac_thanh.milestones] == [("commune_recognition", "overdue")]
    assert (tho_xuan.done_late, tho_xuan.overdue, hac_thanh.overdue) == (1, 0, 1)
    assert [(m.milestone.code, m.state) for m in progress.totals.milestones] == [
        ("province_preliminary_ministry", "overdue"), ("province_official_ministry", "due_soon")]  # fmt: skip
    # Villages have no milestones of their own.
    villages = progress_by_unit(user=ctx.users.province_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan,
                                today=hr.TODAY)  # fmt: skip
    assert all(r.milestones == [] for r in villages.rows)


def test_progress_unit_checks_campaign_and_area(progress_ctx):
    ctx = progress_ctx
    user = ctx.users.commune_officer
    assert progress_unit(user=user, campaign=ctx.campaign, unit_id=None) == ctx.campaign.unit
    assert progress_unit(user=user, campaign=ctx.campaign, unit_id=ctx.units.t1.pk) == ctx.units.t1
    for unit in (ctx.units.hac_thanh, ctx.units.mdrak, ctx.units.xuan_hong):
        with pytest.raises(Http404):
            progress_unit(user=user, campaign=ctx.campaign, unit_id=unit.pk)
    with pytest.raises(Http404):
        progress_unit(user=user, campaign=ctx.campaign, unit_id="abc")


def test_case_progress_counts(progress_ctx):
    ctx = progress_ctx
    counts = case_progress_counts(user=ctx.users.province_officer, campaign=ctx.campaign)
    assert counts == direct_counts(ctx.campaign, ctx.units.th.path)
    assert case_progress_counts(user=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.t2) == (
        direct_counts(ctx.campaign, ctx.units.t2.path)
    )


def test_legacy_structure_province_to_districts_to_communes(units, users):
    from ansinh.reviews.tests.factories import make_campaign

    ctx = hr.base_ctx(units, users)
    legacy = make_campaign(users.province_officer, units.th_old, [units.tho_xuan_district, units.xuan_hong],
                           year=2019, plan_date=date(2019, 8, 21))  # fmt: skip
    assert legacy.structure == "legacy"
    for code, state in (("L1", "decided"), ("L2", "surveyed")):
        case = hr.case_at(legacy, hr.household(ctx, code, "poor", village=units.t1), state)
        ReviewCase.objects.filter(pk=case.pk).update(
            unit_path=units.xuan_hong.path, successor_path=units.xuan_hong.successor_path
        )
    user = users.province_officer
    province = progress_by_unit(user=user, campaign=legacy, today=date(2019, 10, 15))
    assert [r.unit for r in province.rows] == [units.tho_xuan_district]
    assert province.rows[0].counts == direct_counts(legacy, units.tho_xuan_district.path)
    assert [m.milestone.code for m in province.rows[0].milestones] == ["district_preliminary", "district_official"]
    assert [m.state for m in province.rows[0].milestones] == ["overdue", "overdue"]
    district = progress_by_unit(user=user, campaign=legacy, unit=units.tho_xuan_district, today=date(2019, 10, 15))
    assert [r.unit for r in district.rows] == [units.xuan_hong]
    assert district.rows[0].counts["listed"] == 2 and district.rows[0].counts["decided"] == 1
    assert [u.pk for u in district.breadcrumb] == [units.th_old.pk, units.tho_xuan_district.pk]
    # A commune officer of the 2025 structure drills down through the legacy district holding their cases.
    officer = users.commune_officer
    assert progress_unit(user=officer, campaign=legacy, unit_id=units.tho_xuan_district.pk) == units.tho_xuan_district
    rows = progress_by_unit(user=officer, campaign=legacy, today=date(2019, 10, 15)).rows
    assert [r.unit for r in rows] == [units.tho_xuan_district] and rows[0].counts["listed"] == 2
