"""Deprivation indicators derived from registry facts, as named rules with parameters.

A standard's data file says which rule derives each indicator and with which parameters
(``{"rule": "housing_area_per_person_below", "params": {"min_m2": 8}}``); the rules themselves are
the small pure functions below, over a `HouseholdSnapshot` (no database). Each returns a
`Derived`: True (deprived), False (not deprived) or None (the registry lacks a fact: the
enumerator must answer on form B), with the facts it used, so the result can be explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Person:
    age: int | None
    sex: str = ""
    health_insurance: str = ""
    schooling: str = ""
    diploma: str = ""
    disability: str = "none"
    labour_status: str = ""
    allowance: str = "none"


@dataclass(frozen=True)
class HouseholdSnapshot:
    """The registry facts of a household that the rules read (present members only)."""

    members: tuple[Person, ...]
    housing_area_m2: Decimal | None = None
    wall_durability: str = ""
    column_durability: str = ""
    roof_durability: str = ""
    water_source: str = ""
    latrine_type: str = ""
    info_devices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Derived:
    value: bool | None
    facts: dict[str, Any] = field(default_factory=dict)


def age_on(day: date, *, birth_date: date | None, birth_year: int | None) -> int | None:
    """Full years on `day`; from the year alone when only the year of birth is known."""
    if birth_date:
        return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    if birth_year:
        return day.year - birth_year
    return None


def _in(person: Person, low: int, high: int) -> bool:
    return person.age is not None and low <= person.age <= high


def _unknown_ages(s: HouseholdSnapshot) -> bool:
    return any(p.age is None for p in s.members)


def member_labour_status_in(s: HouseholdSnapshot, *, min_age: int, max_age: int, statuses: list[str]) -> Derived:
    working_age = [p for p in s.members if _in(p, min_age, max_age)]
    hits = [p for p in working_age if p.labour_status in statuses]
    if hits:
        return Derived(True, {"count": len(hits)})
    if any(not p.labour_status for p in working_age) or _unknown_ages(s):
        return Derived(None, {"missing": "labour_status"})
    return Derived(False, {"count": 0, "working_age": len(working_age)})


def dependants_share_above(
    s: HouseholdSnapshot,
    *,
    share: float,
    child_under: int,
    elderly_from: int,
    disabilities: list[str],
    require_allowance: list[str] | None = None,
) -> Derived:
    if not s.members or _unknown_ages(s):
        return Derived(None, {"missing": "age"})

    def dependant(p: Person) -> bool:
        if p.age < child_under:
            return True
        if require_allowance:
            return (p.age >= elderly_from or p.disability not in ("", "none")) and p.allowance in require_allowance
        return p.age >= elderly_from or p.disability in disabilities

    count = sum(1 for p in s.members if dependant(p))
    return Derived(count / len(s.members) > share, {"dependants": count, "members": len(s.members)})


def member_without_health_insurance(s: HouseholdSnapshot, *, min_age: int) -> Derived:
    concerned = [p for p in s.members if p.age is not None and p.age >= min_age]
    without = [p for p in concerned if p.health_insurance == "no"]
    if without:
        return Derived(True, {"count": len(without)})
    if any(not p.health_insurance for p in concerned) or _unknown_ages(s):
        return Derived(None, {"missing": "health_insurance"})
    return Derived(False, {"count": 0})


def adult_without_expected_diploma(
    s: HouseholdSnapshot, *, min_age: int, max_age: int, expected: list[dict[str, Any]]
) -> Derived:
    bands = sorted(expected, key=lambda band: band["to_age"])
    missing = False
    count = 0
    for p in s.members:
        if not _in(p, min_age, max_age):
            continue
        if not p.schooling:
            missing = True
            continue
        if p.schooling != "none":
            continue  # in some kind of education or training
        band = next((b for b in bands if p.age <= b["to_age"]), bands[-1])
        if not p.diploma:
            missing = True
        elif p.diploma not in band["diplomas"]:
            count += 1
    if count:
        return Derived(True, {"count": count})
    if missing or _unknown_ages(s):
        return Derived(None, {"missing": "schooling"})
    return Derived(False, {"count": 0})


def child_not_in_school(s: HouseholdSnapshot, *, min_age: int, max_age: int) -> Derived:
    children = [p for p in s.members if _in(p, min_age, max_age)]
    out = [p for p in children if p.schooling == "none"]
    if out:
        return Derived(True, {"count": len(out)})
    if any(not p.schooling for p in children) or _unknown_ages(s):
        return Derived(None, {"missing": "schooling"})
    return Derived(False, {"count": 0})


def housing_not_durable(s: HouseholdSnapshot, *, min_durable_parts: int) -> Derived:
    parts = (s.wall_durability, s.column_durability, s.roof_durability)
    if not all(parts):
        return Derived(None, {"missing": "durability"})
    durable = sum(1 for part in parts if part == "durable")
    return Derived(durable < min_durable_parts, {"durable_parts": durable})


def housing_area_per_person_below(s: HouseholdSnapshot, *, min_m2: float) -> Derived:
    if s.housing_area_m2 is None or not s.members:
        return Derived(None, {"missing": "housing_area_m2"})
    per_person = Decimal(s.housing_area_m2) / len(s.members)
    return Derived(per_person < Decimal(str(min_m2)), {"m2_per_person": float(round(per_person, 1))})


def water_source_not_in(s: HouseholdSnapshot, *, accepted: list[str]) -> Derived:
    if not s.water_source:
        return Derived(None, {"missing": "water_source"})
    return Derived(s.water_source not in accepted, {"water_source": s.water_source})


def latrine_not_in(s: HouseholdSnapshot, *, accepted: list[str]) -> Derived:
    if not s.latrine_type:
        return Derived(None, {"missing": "latrine_type"})
    return Derived(s.latrine_type not in accepted, {"latrine_type": s.latrine_type})


def lacks_all_devices(s: HouseholdSnapshot, *, devices: list[str]) -> Derived:
    have = sorted(s.info_devices & set(devices))
    return Derived(not have, {"devices": have})


RULES: dict[str, Callable[..., Derived]] = {
    fn.__name__: fn
    for fn in (
        member_labour_status_in,
        dependants_share_above,
        member_without_health_insurance,
        adult_without_expected_diploma,
        child_not_in_school,
        housing_not_durable,
        housing_area_per_person_below,
        water_source_not_in,
        latrine_not_in,
        lacks_all_devices,
    )
}


def check(rule: str | None, params: dict[str, Any]) -> None:
    """Refuse an unknown rule or parameters the rule does not take (ValueError with the reason)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r} (known: {', '.join(sorted(RULES))})")
    if not isinstance(params, dict):
        raise ValueError("params must be an object")
    import inspect

    signature = inspect.signature(RULES[rule])
    accepted = [name for name in signature.parameters if name != "s"]
    unknown = set(params) - set(accepted)
    if unknown:
        raise ValueError(f"rule {rule} does not take {', '.join(sorted(unknown))}")
    required = [n for n in accepted if signature.parameters[n].default is inspect.Parameter.empty]
    missing = [n for n in required if n not in params]
    if missing:
        raise ValueError(f"rule {rule} needs {', '.join(missing)}")


def derive(rule: str, params: dict[str, Any], snapshot: HouseholdSnapshot) -> Derived:
    return RULES[rule](snapshot, **params)
