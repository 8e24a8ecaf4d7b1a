from datetime import date
from decimal import Decimal

import pytest

from ansinh.poverty.derivation import HouseholdSnapshot, Person, age_on, check, derive


def adult(**extra):
    base = {"age": 40, "health_insurance": "yes", "schooling": "none", "diploma": "upper_secondary",
            "labour_status": "self_employed"}  # fmt: skip
    return Person(**{**base, **extra})


def snap(*members, **facts):
    return HouseholdSnapshot(members=tuple(members), **facts)


def test_age_from_date_or_year():
    assert age_on(date(2026, 3, 1), birth_date=date(2010, 3, 2), birth_year=None) == 15
    assert age_on(date(2026, 3, 2), birth_date=date(2010, 3, 2), birth_year=None) == 16
    assert age_on(date(2026, 3, 1), birth_date=None, birth_year=2010) == 16
    assert age_on(date(2026, 3, 1), birth_date=None, birth_year=None) is None


def test_health_insurance_from_age_six():
    rule = ("member_without_health_insurance", {"min_age": 6})
    assert derive(*rule, snap(adult(), adult(age=5, health_insurance="no"))).value is False
    assert derive(*rule, snap(adult(), adult(age=6, health_insurance="no"))).value is True
    assert derive(*rule, snap(adult(health_insurance=""))).value is None  # not recorded: ask on form B


def test_housing_area_below_eight_square_metres_per_person():
    rule = ("housing_area_per_person_below", {"min_m2": 8})
    assert derive(*rule, snap(adult(), adult(), housing_area_m2=Decimal("16"))).value is False
    result = derive(*rule, snap(adult(), adult(), housing_area_m2=Decimal("15.9")))
    assert result.value is True and result.facts == {"m2_per_person": 8.0}
    assert derive(*rule, snap(adult(), housing_area_m2=None)).value is None


def test_dependants_above_half():
    rule = ("dependants_share_above", {"share": 0.5, "child_under": 16, "elderly_from": 60,
                                       "disabilities": ["severe"]})  # fmt: skip
    assert derive(*rule, snap(adult(), adult(age=10))).value is False  # exactly half
    assert derive(*rule, snap(adult(), adult(age=10), adult(age=70))).value is True
    assert derive(*rule, snap(adult(), adult(disability="severe"), adult(age=3))).value is True
    draft = ("dependants_share_above", {"share": 0.5, "child_under": 16, "elderly_from": 60, "disabilities": [],
                                        "require_allowance": ["social_allowance"]})  # fmt: skip
    assert derive(*draft, snap(adult(), adult(age=70), adult(age=75))).value is False  # no allowance
    assert derive(*draft, snap(adult(), adult(age=70, allowance="social_allowance"),
                               adult(age=75, allowance="social_allowance"))).value is True  # fmt: skip


def test_employment_and_education_and_school():
    employment = ("member_labour_status_in", {"min_age": 15, "max_age": 60, "statuses": ["unemployed"]})
    assert derive(*employment, snap(adult(), adult(labour_status="unemployed"))).value is True
    assert derive(*employment, snap(adult(), adult(age=70, labour_status="unemployed"))).value is False
    assert derive(*employment, snap(adult(labour_status=""))).value is None
    school = ("child_not_in_school", {"min_age": 3, "max_age": 15})
    assert derive(*school, snap(adult(), adult(age=8, schooling="primary"))).value is False
    assert derive(*school, snap(adult(), adult(age=8, schooling="none"))).value is True
    education = ("adult_without_expected_diploma", {"min_age": 16, "max_age": 30, "expected": [
        {"to_age": 18, "diplomas": ["lower_secondary", "upper_secondary"]},
        {"to_age": 30, "diplomas": ["upper_secondary"]}]})  # fmt: skip
    assert derive(*education, snap(adult(age=17, diploma="lower_secondary"))).value is False
    assert derive(*education, snap(adult(age=25, diploma="lower_secondary"))).value is True
    assert derive(*education, snap(adult(age=25, diploma="primary", schooling="vocational"))).value is False


def test_housing_water_latrine_devices():
    assert derive("housing_not_durable", {"min_durable_parts": 2},
                  snap(adult(), wall_durability="durable", column_durability="not_durable",
                       roof_durability="not_durable")).value is True  # fmt: skip
    assert derive("housing_not_durable", {"min_durable_parts": 2}, snap(adult())).value is None
    assert derive("water_source_not_in", {"accepted": ["piped"]}, snap(adult(), water_source="unprotected")).value
    assert not derive("latrine_not_in", {"accepted": ["flush"]}, snap(adult(), latrine_type="flush")).value
    devices = ("lacks_all_devices", {"devices": ["tv", "radio"]})
    assert derive(*devices, snap(adult(), info_devices=frozenset({"internet"}))).value is True
    assert derive(*devices, snap(adult(), info_devices=frozenset({"radio"}))).value is False


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("nope", {}, "unknown rule"),
        ("housing_area_per_person_below", {}, "needs min_m2"),
        ("housing_area_per_person_below", {"min_m2": 8, "x": 1}, "does not take x"),
    ],
)
def test_check_refuses_bad_rules(rule, params, message):
    with pytest.raises(ValueError, match=message):
        check(rule, params)
