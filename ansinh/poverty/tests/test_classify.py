"""Classification at every boundary: lines, one đồng above, 3 vs 2 deprivations, areas, periods,
farming, proxy scores, the low-income flag and the local standard. Pure: no database."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansinh.poverty.classify import (
    AVERAGE,
    NEAR_POOR,
    NOT_POOR,
    POOR,
    PROXY_SCORE,
    ClassificationInputError,
    Facts,
    classify,
)
from ansinh.poverty.standard import StandardSpec

DATA = Path(__file__).resolve().parents[1] / "data" / "standards"


def spec(code: str) -> StandardSpec:
    return StandardSpec.from_dict(json.loads((DATA / f"{code}.json").read_text(encoding="utf-8")))


S2016, S2022, S2027, HCM = spec("2016-2020"), spec("2022-2025"), spec("2027-2030"), spec("hcm-2021-2025")
THREE_2022 = frozenset({"employment", "water", "latrine"})
TWO_2022 = frozenset({"employment", "water"})
THREE_2016 = frozenset({"health_insurance", "water", "latrine"})
TWO_2016 = frozenset({"health_insurance", "water"})


def run(standard, area, income, deps, farming=False, on_date=None):
    return classify(Facts(area=area, deprivations=deps, farming=farming, income_per_capita=income,
                          on_date=on_date), standard)  # fmt: skip


@pytest.mark.parametrize(
    ("standard", "area", "income", "deps", "farming", "expected"),
    [
        # 2022–2025: single line 1.5M rural / 2.0M urban, 3 of 12 deprivations.
        (S2022, "rural", 1_500_000, THREE_2022, False, POOR),
        (S2022, "rural", 1_500_000, TWO_2022, False, NEAR_POOR),
        (S2022, "rural", 1_500_001, THREE_2022, False, NOT_POOR),
        (S2022, "rural", 1_500_001, THREE_2022, True, AVERAGE),
        (S2022, "rural", 2_250_000, frozenset(), True, AVERAGE),
        (S2022, "rural", 2_250_001, frozenset(), True, NOT_POOR),
        (S2022, "rural", 0, frozenset(), False, NEAR_POOR),
        (S2022, "urban", 2_000_000, THREE_2022, False, POOR),
        (S2022, "urban", 2_000_000, TWO_2022, False, NEAR_POOR),
        (S2022, "urban", 2_000_001, THREE_2022, False, NOT_POOR),
        (S2022, "urban", 1_999_999, frozenset(), False, NEAR_POOR),
        (S2022, "urban", 3_000_000, frozenset(), True, AVERAGE),
        (S2022, "urban", 3_000_001, frozenset(), True, NOT_POOR),
        # 2016–2020: two tiers 700k/1.0M rural, 900k/1.3M urban.
        (S2016, "rural", 700_000, frozenset(), False, POOR),
        (S2016, "rural", 700_001, THREE_2016, False, POOR),
        (S2016, "rural", 700_001, TWO_2016, False, NEAR_POOR),
        (S2016, "rural", 1_000_000, THREE_2016, False, POOR),
        (S2016, "rural", 1_000_000, TWO_2016, False, NEAR_POOR),
        (S2016, "rural", 1_000_001, THREE_2016, False, NOT_POOR),
        (S2016, "rural", 1_500_000, frozenset(), True, AVERAGE),
        (S2016, "urban", 900_000, frozenset(), False, POOR),
        (S2016, "urban", 900_001, TWO_2016, False, NEAR_POOR),
        (S2016, "urban", 1_300_000, THREE_2016, False, POOR),
        (S2016, "urban", 1_300_001, THREE_2016, False, NOT_POOR),
        (S2016, "urban", 1_950_000, frozenset(), True, AVERAGE),
        # 2027–2030: single line 2.2M rural / 2.8M urban, no average band.
        (S2027, "rural", 2_200_000, THREE_2022, False, POOR),
        (S2027, "rural", 2_200_000, TWO_2022, False, NEAR_POOR),
        (S2027, "rural", 2_200_001, THREE_2022, True, NOT_POOR),
        (S2027, "urban", 2_800_000, THREE_2022, False, POOR),
        (S2027, "urban", 2_800_001, frozenset(), False, NOT_POOR),
        # Hồ Chí Minh City 2021–2025: 36M / 46M per person per YEAR (3.0M / 3,833,333.3 a month).
        (HCM, "urban", 3_000_000, frozenset({"employment", "water", "latrine"}), False, POOR),
        (HCM, "urban", 3_000_000, frozenset({"employment", "water"}), False, NEAR_POOR),
        (HCM, "urban", 3_000_001, frozenset({"employment", "water", "latrine"}), False, NEAR_POOR),
        (HCM, "urban", 3_833_333, frozenset(), False, NEAR_POOR),
        (HCM, "urban", 3_833_334, frozenset(), False, NOT_POOR),
    ],
)
def test_boundaries(standard, area, income, deps, farming, expected):
    assert run(standard, area, income, deps, farming).klass == expected


def test_low_income_worker_flag_follows_nd_30_2025():
    # Not poor or near-poor, income at or below 2.25M rural / 3.0M urban, from 24/02/2025.
    assert run(S2022, "rural", 2_250_000, frozenset(), on_date=date(2025, 3, 1)).flags == ("low_income",)
    assert run(S2022, "rural", 2_250_001, frozenset(), on_date=date(2025, 3, 1)).flags == ()
    assert run(S2022, "urban", 3_000_000, frozenset(), on_date=date(2025, 3, 1)).flags == ("low_income",)
    assert run(S2022, "rural", 2_000_000, frozenset(), on_date=date(2025, 2, 23)).flags == ()
    assert run(S2022, "rural", 1_500_000, frozenset(), on_date=date(2025, 3, 1)).flags == ()  # near-poor: no flag
    assert run(S2016, "rural", 1_200_000, frozenset()).flags == ()  # not part of 2016–2020


def test_proxy_score_uses_140_and_175_points():
    def score(area, points, deps, farming=False):
        facts = Facts(area=area, deprivations=deps, farming=farming, income_source=PROXY_SCORE, income_score=points)
        return classify(facts, S2022)

    assert score("rural", 140, THREE_2022).klass == POOR
    assert score("rural", 140, TWO_2022).klass == NEAR_POOR
    assert score("rural", 141, THREE_2022).klass == NOT_POOR
    assert score("urban", 175, THREE_2022).klass == POOR
    assert score("urban", 176, frozenset()).klass == NOT_POOR
    result = score("rural", 200, frozenset(), farming=True)
    assert result.klass == NOT_POOR
    assert {"code": "average_needs_income"} in result.reasons
    with pytest.raises(ClassificationInputError):
        classify(Facts(area="rural", deprivations=frozenset(), income_source=PROXY_SCORE, income_score=100), S2016)


def test_reasons_name_the_standard_the_line_and_the_deprivations():
    result = run(S2022, "rural", 1_400_000, THREE_2022)
    codes = [r["code"] for r in result.reasons]
    assert codes == ["standard", "deprivations", "income_within", "rule_poor"]
    assert "07/2021/NĐ-CP" in result.reasons[0]["legal_basis"]
    assert result.reasons[1] == {"code": "deprivations", "count": 3, "threshold": 3,
                                 "indicators": ["employment", "water", "latrine"]}  # fmt: skip
    assert result.reasons[2]["line"] == 1_500_000


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (Facts(area="city", deprivations=frozenset(), income_per_capita=1), "rural"),
        (Facts(area="rural", deprivations=frozenset({"bogus"}), income_per_capita=1), "bogus"),
        (Facts(area="rural", deprivations=frozenset(), income_per_capita=-1), "âm"),
        (Facts(area="rural", deprivations=frozenset(), income_per_capita=None), "thiếu"),
        (Facts(area="rural", deprivations=frozenset(), income_per_capita=1.5), "số nguyên"),
    ],
)
def test_bad_facts_are_refused(facts, message):
    with pytest.raises(ClassificationInputError, match=message):
        classify(facts, S2022)


deprivation_sets = st.sets(st.sampled_from(sorted(S2022.indicator_codes))).map(frozenset)
incomes = st.integers(min_value=0, max_value=10_000_000)


@given(area=st.sampled_from(["rural", "urban"]), income=incomes, deps=deprivation_sets, farming=st.booleans())
def test_single_line_rule_properties(area, income, deps, farming):
    result = run(S2022, area, income, deps, farming)
    line = S2022.lines[area].poor
    if income <= line:
        assert result.klass == (POOR if len(deps) >= 3 else NEAR_POOR)
    else:
        assert result.klass in (AVERAGE, NOT_POOR)
        assert (result.klass == AVERAGE) == (farming and income <= S2022.lines[area].average)
    assert result.deprivation_count == len(deps)


@given(area=st.sampled_from(["rural", "urban"]), income=incomes, deps=deprivation_sets)
def test_more_income_never_makes_a_household_poorer(area, income, deps):
    order = {POOR: 0, NEAR_POOR: 1, AVERAGE: 2, NOT_POOR: 3}
    assert order[run(S2022, area, income + 1, deps).klass] >= order[run(S2022, area, income, deps).klass]
    assert (
        order[run(S2016, area, income + 1, deps & S2016.indicator_codes).klass]
        >= order[run(S2016, area, income, deps & S2016.indicator_codes).klass]
    )


@given(area=st.sampled_from(["rural", "urban"]), income=incomes, deps=deprivation_sets)
def test_more_deprivations_never_make_a_household_less_poor(area, income, deps):
    order = {POOR: 0, NEAR_POOR: 1, AVERAGE: 2, NOT_POOR: 3}
    fewer = frozenset(sorted(deps)[:-1]) if deps else deps
    assert order[run(S2022, area, income, deps).klass] <= order[run(S2022, area, income, fewer).klass]
