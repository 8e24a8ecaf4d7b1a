import copy
import json
from datetime import date
from pathlib import Path

import pytest

from ansinh.poverty.standard import StandardDefinitionError, StandardSpec

DATA = Path(__file__).resolve().parents[1] / "data" / "standards"


def raw(code="2022-2025"):
    return json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_standard_is_valid_and_named_by_its_code(path):
    spec = StandardSpec.from_dict(json.loads(path.read_text(encoding="utf-8")))
    assert spec.code == path.stem
    assert spec.legal_basis
    for indicator in spec.indicators:
        assert indicator.name and indicator.name_en and indicator.threshold and indicator.source


def test_shipped_standards_carry_the_legal_facts():
    s2022, s2016, s2027, hcm = (StandardSpec.from_dict(raw(c)) for c in ("2022-2025", "2016-2020", "2027-2030",
                                                                           "hcm-2021-2025"))  # fmt: skip
    assert len(s2022.indicators) == 12 and len(s2016.indicators) == 10 and len(hcm.indicators) == 10
    assert (s2022.lines["rural"].poor, s2022.lines["urban"].poor) == (1_500_000, 2_000_000)
    assert (s2022.lines["rural"].average, s2022.lines["urban"].average) == (2_250_000, 3_000_000)
    assert s2022.valid_to == date(2026, 12, 31)  # extended by NĐ 351/2025
    assert s2022.low_income_from == date(2025, 2, 24)
    assert (s2016.lines["rural"].poor, s2016.lines["rural"].near_poor) == (700_000, 1_000_000)
    assert (s2016.lines["urban"].poor, s2016.lines["urban"].near_poor) == (900_000, 1_300_000)
    assert s2016.valid_to == date(2021, 12, 31)  # also applied in 2021
    assert (s2027.lines["rural"].poor, s2027.lines["urban"].poor) == (2_200_000, 2_800_000)
    assert s2027.provisional and s2027.lines["rural"].average is None
    assert "information_means" not in s2027.indicator_codes and "waste" in s2027.indicator_codes
    assert hcm.income_period == "year" and hcm.lines["urban"].poor == 36_000_000 and hcm.is_local
    assert s2022.proxy_score.income_thresholds == {"rural": 140, "urban": 175}


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d.pop("code"), "'code' is missing"),
        (lambda d: d.update(rule="three_tier"), "'rule' must be one of"),
        (lambda d: d.update(valid_to="2020-01-01"), "'valid_to' is before"),
        (lambda d: d["lines"]["rural"].update(poor=-5), "positive whole number"),
        (lambda d: d["lines"]["rural"].update(average=1_000_000), "poor < near_poor < average"),
        (lambda d: d["lines"].pop("urban"), "lines.urban is missing"),
        (lambda d: d["lines"]["rural"].update(near_poor=1_800_000), "no meaning under the 'single_line'"),
        (lambda d: d["dimensions"][0]["indicators"].append(dict(d["dimensions"][0]["indicators"][0])), "used twice"),
        (lambda d: d["dimensions"][1]["indicators"][1]["derivation"].update(rule="guess"), "unknown rule"),
        (lambda d: d["dimensions"][1]["indicators"][1]["derivation"]["params"].update(max_age=9), "does not take"),
        (lambda d: d.update(legal_basis=[]), "at least one legal text"),
        (lambda d: d.update(jurisdiction=["79"]), "unit paths"),
        (lambda d: d.update(deprivation_threshold=13), "larger than the number of indicators"),
    ],
)
def test_malformed_definitions_are_refused_with_the_problem(mutate, problem):
    data = copy.deepcopy(raw())
    mutate(data)
    with pytest.raises(StandardDefinitionError) as excinfo:
        StandardSpec.from_dict(data)
    assert any(problem in p for p in excinfo.value.problems), excinfo.value.problems


def test_two_tier_needs_an_upper_line():
    data = raw("2016-2020")
    del data["lines"]["urban"]["near_poor"]
    with pytest.raises(StandardDefinitionError, match="near_poor is required"):
        StandardSpec.from_dict(data)
