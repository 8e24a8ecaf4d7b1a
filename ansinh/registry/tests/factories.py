"""Households for tests, created through the services (never by setting fields)."""

from datetime import date

from ansinh.registry.services import HouseholdData, MemberData, household_register


def head(name="Nguyễn Văn An", *, sex="male", birth_date=date(1975, 3, 2), id_number="", **extra) -> MemberData:
    return MemberData(full_name=name, sex=sex, relation="head", birth_date=birth_date, id_number=id_number, **extra)


def member(name="Lê Thị Bình", *, sex="female", relation="spouse", birth_year=1978, **extra) -> MemberData:
    return MemberData(full_name=name, sex=sex, relation=relation, birth_year=birth_year, **extra)


def make_household(commune, *, village=None, code="H001", actor=None, members=None, **facts):
    """A registered household (head + spouse by default) in `commune`."""
    data = HouseholdData(code=code, village=village, ethnicity_code=facts.pop("ethnicity_code", "01"), facts=facts)
    return household_register(actor=actor, commune=commune, data=data, members=members or [head(), member()])
