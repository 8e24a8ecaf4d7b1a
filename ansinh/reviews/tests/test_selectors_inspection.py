from datetime import date
from types import SimpleNamespace

import pytest

from ansinh.reviews.models import Complaint
from ansinh.reviews.selectors_inspection import (
    campaign_communes,
    eligible_cases,
    open_discrepancies,
    rate_gap_points,
    reinspection_list,
    suspicious_units,
)
from ansinh.reviews.services_inspection import discrepancy_resolve
from ansinh.reviews.tests.factories import (
    case_at,
    classified_household,
    load_reference_data,
    make_campaign,
    thanh_hoa_campaign,
)
from ansinh.reviews.tests.helpers_inspection import TODAY, with_discrepancy


@pytest.fixture
def ctx(units, users):
    """Thọ Xuân: 8 active households, 6 poor before the review and 3 poor now (−37,5 points);
    Hạc Thành: 4 households, 1 poor before and now, one complaint; campaign-wide 7 → 4 of 12 (−25 points)."""
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer, u = users.system_admin, units

    def home(commune, code, klass, village=None):
        return classified_household(commune, village=village, code=code, klass=klass, actor=officer,
                                    name=f"Chủ hộ {code}")  # fmt: skip

    tx = [home(u.tho_xuan, f"H{i}", k, u.t1) for i, k in enumerate(
        ["poor", "poor", "poor", "poor", "near_poor", "poor", "poor", "not_poor"], start=1)]  # fmt: skip
    c.tx_cases = [
        case_at(c.campaign, tx[0], "posted", provisional_class="poor"),
        case_at(c.campaign, tx[1], "posted", provisional_class="near_poor"),
        case_at(c.campaign, tx[2], "met", provisional_class="near_poor"),
        case_at(c.campaign, tx[3], "surveyed", provisional_class="not_poor"),
        case_at(c.campaign, tx[4], "decided", provisional_class="near_poor", final_class="poor"),
        case_at(c.campaign, tx[5], "listed"),  # not surveyed yet: still counted poor now
        case_at(c.campaign, tx[6], "withdrawn", provisional_class="poor"),  # left the review: not poor now
    ]
    ht = [home(u.hac_thanh, f"K{i}", k) for i, k in enumerate(["poor", "near_poor", "not_poor", "not_poor"], 1)]
    c.ht_cases = [case_at(c.campaign, ht[0], "posted", provisional_class="poor"),
                  case_at(c.campaign, ht[1], "posted", provisional_class="near_poor")]  # fmt: skip
    Complaint.objects.create(
        campaign=c.campaign, case=c.ht_cases[1], complainant_name="Lê Văn Tư", content="Hộ có xe ô tô",
        channel="letter", received_on=date(2025, 10, 10), unit_path=c.ht_cases[1].unit_path,
    )  # fmt: skip
    return c


def _rows(result):
    return {row.unit.code: row for row in result.rows}


def test_threshold_comes_from_the_data_file():
    assert rate_gap_points() == 2.0


def test_rates_changes_and_flags_with_reasons(ctx):
    result = suspicious_units(user=ctx.users.province_officer, campaign=ctx.campaign)
    assert (result.households, result.poor_before, result.poor_now) == (12, 7, 4)
    assert result.change == pytest.approx(-25.0) and result.gap_points == 2.0
    rows = _rows(result)
    assert sorted(rows) == ["16000", "16001"]
    tx, ht = rows["16000"], rows["16001"]
    assert (tx.households, tx.cases, tx.poor_before, tx.poor_now) == (8, 7, 6, 3)
    assert tx.rate_before == pytest.approx(75.0) and tx.rate_now == pytest.approx(37.5)
    assert tx.change == pytest.approx(-37.5)
    assert tx.reason_texts == ["Tỷ lệ nghèo giảm 37,5 điểm %, toàn tỉnh giảm 25,0 điểm %"]
    assert (ht.households, ht.cases, ht.poor_before, ht.poor_now, ht.complaints) == (4, 2, 1, 1, 1)
    assert ht.change == pytest.approx(0.0)
    assert ht.reason_texts == ["Tỷ lệ nghèo không đổi, toàn tỉnh giảm 25,0 điểm %", "1 khiếu nại"]
    assert [r["code"] for r in ht.reasons] == ["rate_gap", "complaints"]
    assert sorted(r.unit.code for r in result.flagged) == ["16000", "16001"]


def test_a_wider_threshold_leaves_only_the_complaints(ctx):
    result = suspicious_units(user=ctx.users.province_officer, campaign=ctx.campaign, gap_points=30)
    rows = _rows(result)
    assert rows["16000"].reasons == [] and not rows["16000"].flagged  # |−37,5 − (−25)| = 12,5 ≤ 30
    assert rows["16001"].reason_texts == ["1 khiếu nại"]


def test_rising_rate_reads_as_an_increase(ctx):
    from ansinh.reviews.models import ReviewCase

    # Hạc Thành: K3 becomes poor → 2 of 4 now (+25 points) while the campaign goes 7 → 5 of 12.
    home = classified_household(ctx.units.hac_thanh, village=None, code="K9", klass="not_poor",
                                actor=ctx.users.system_admin)  # fmt: skip
    case_at(ctx.campaign, home, "posted", provisional_class="poor")
    assert ReviewCase.objects.filter(campaign=ctx.campaign).count() == 10
    rows = _rows(suspicious_units(user=ctx.users.province_officer, campaign=ctx.campaign))
    assert rows["16001"].reason_texts[0] == "Tỷ lệ nghèo tăng 20,0 điểm %, toàn tỉnh giảm 15,4 điểm %"


def test_rows_are_limited_to_the_readers_area_but_the_campaign_figures_are_not(ctx):
    result = suspicious_units(user=ctx.users.commune_officer, campaign=ctx.campaign)
    assert [r.unit.code for r in result.rows] == ["16000"]
    assert result.change == pytest.approx(-25.0)
    assert suspicious_units(user=ctx.users.province_officer_dl, campaign=ctx.campaign).rows == []
    assert suspicious_units(user=ctx.users.helping_agency_member, campaign=ctx.campaign).rows == []


def test_queries_do_not_grow_with_households(ctx, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        suspicious_units(user=ctx.users.province_officer, campaign=ctx.campaign)


def test_legacy_campaign_expands_covered_districts_to_their_communes(ctx, units, users):
    legacy = make_campaign(users.province_officer, units.th_old, [units.tho_xuan_district], open_=True, year=2019,
                           plan_date=date(2019, 8, 21))  # fmt: skip
    assert list(campaign_communes(legacy)) == [units.xuan_hong]
    assert set(campaign_communes(ctx.campaign)) == {units.tho_xuan, units.hac_thanh}
    result = suspicious_units(user=users.district_officer, campaign=legacy)
    assert [r.unit for r in result.rows] == [units.xuan_hong] and result.scope_label == "toàn tỉnh"
    assert result.rows[0].households == 0 and result.rows[0].change is None and not result.rows[0].flagged


def test_eligible_cases_have_a_provisional_result(ctx):
    eligible = set(eligible_cases(ctx.campaign, ctx.units.tho_xuan).values_list("pk", flat=True))
    assert eligible == {c.pk for c in ctx.tx_cases[:5]}


def test_open_discrepancies_and_the_reinspection_list(ctx):
    users = ctx.users
    ctx.cases = ctx.tx_cases[:2]
    reinspection = with_discrepancy(ctx)
    open_ = open_discrepancies(ctx.campaign, ctx.units.tho_xuan.path)
    assert [s.case_id for s in open_] == [ctx.tx_cases[1].pk]
    assert list(open_discrepancies(ctx.campaign, ctx.units.hac_thanh.path)) == []
    assert list(open_discrepancies(ctx.campaign, ctx.units.t1.path)) == list(open_)  # under a village path too
    row = reinspection_list(user=users.commune_officer, campaign=ctx.campaign).get()
    assert (row.sample_count, row.finding_count, row.discrepancy_count, row.open_discrepancy_count) == (2, 2, 1, 1)
    rates = _rows(suspicious_units(user=users.province_officer, campaign=ctx.campaign))
    assert rates["16000"].reinspections == 1 and rates["16000"].open_discrepancies == 1
    discrepancy_resolve(actor=users.commune_officer, sample=open_[0], resolution="Giải trình", resurvey=False,
                        today=TODAY)  # fmt: skip
    assert not open_discrepancies(ctx.campaign, ctx.units.tho_xuan.path).exists()
    assert reinspection_list(user=users.commune_officer, campaign=ctx.campaign).get().open_discrepancy_count == 0
    assert not reinspection_list(user=users.province_officer_dl, campaign=ctx.campaign).exists()
    assert reinspection_list(user=users.inspector, campaign=ctx.campaign).get() == reinspection
