"""The import's fast validation (`import_bulk.household_prepare_fast`) equals the service's rules.

Every case is run through `services.household_prepare` (the validation half of
`household_register`) and the fast path: both must refuse with the same messages on the same
keys, or build the same rows (every concrete field of the household and of each member).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.registry.import_bulk import household_prepare_fast
from ansinh.registry.services import HouseholdData, MemberData, ethnicities_by_code, household_prepare

TODAY = timezone.localdate()
FUTURE = TODAY + timedelta(days=3)


def _head(**kwargs):
    values = {"full_name": "Nguyễn Văn An", "sex": "male", "relation": "head", "birth_date": date(1975, 3, 2),
              "ethnicity_code": "01", "id_number": "038075001234"}  # fmt: skip
    return MemberData(**{**values, **kwargs})


def _child(**kwargs):
    values = {"full_name": "Nguyễn Thị Bình", "sex": "female", "relation": "child", "birth_year": 2001,
              "ethnicity_code": "17"}  # fmt: skip
    return MemberData(**{**values, **kwargs})


MEMBER_CASES = {
    "valid": [_head(), _child()],
    "valid, all coded fields": [
        _head(
            health_insurance="yes",
            schooling="none",
            diploma="lower_secondary",
            disability="none",
            labour_status="self_employed",
            allowance="none",
        ),
        _child(birth_date=date(2001, 5, 6), birth_year=None),
    ],
    "valid, head without ethnicity, CMND": [_head(ethnicity_code="", id_number="123456789"), _child()],
    "dead member": [_head(), _child(death_date=date(2020, 1, 1))],
    "blank name and sex": [_head(full_name="   ", sex="")],
    "spaces in the name": [_head(full_name="  Nguyễn   Văn  An ")],
    "name too long": [_head(full_name="A" * 151)],
    "valid: a name at the limit, a NUL character (the model field allows it)": [
        _head(full_name="A" * 150),
        _child(full_name="Lê\x00Bình"),
    ],
    "future birth date": [_head(birth_date=FUTURE)],
    "no birth date or year": [_head(birth_date=None)],
    "year out of range": [_head(birth_date=None, birth_year=1850, id_number=""), _child(birth_year=TODAY.year + 1)],
    "death before birth and in the future": [
        _head(),
        _child(death_date=date(1990, 1, 1)),
        _child(full_name="Lê C", death_date=FUTURE),
    ],
    "bad CCCD": [_head(id_number="12345")],
    "CCCD sex digit": [_head(sex="female")],
    "CCCD year mismatch": [_head(birth_date=date(1980, 1, 1))],
    "unknown ethnicity": [_head(ethnicity_code="99")],
    "unknown choices": [
        _head(
            sex="x",
            relation="head",
            health_insurance="maybe",
            schooling="??",
            labour_status="pirate",
            allowance="gold",
            disability="",
        )
    ],
    "too long values": [_head(health_insurance="yes-yes")],
    "no head": [_child()],
    "two heads": [_head(), _head(full_name="Trần B", id_number="")],
    "no member": [],
    "several members wrong": [_head(), _child(full_name=""), _child(birth_year=None), _child(sex="other")],
}
HOUSEHOLD_CASES = {
    "facts": {
        "code": "H1",
        "facts": {
            "housing_area_m2": "45.5",
            "water_source": "piped",
            "info_devices": ["tv"],
            "has_meritorious_person": True,
            "address": "Xóm Đông",
        },
    },
    "no code": {"code": " "},
    "long code": {"code": "X" * 31},
    "negative area": {"code": "H1", "facts": {"housing_area_m2": "-1"}},
    "unknown device": {"code": "H1", "facts": {"info_devices": ["radio-x"]}},
    "unknown fact": {"code": "H1", "facts": {"colour": "blue"}},
    "household ethnicity": {"code": "H1", "ethnicity_code": "17"},
    "unknown household ethnicity": {"code": "H1", "ethnicity_code": "98"},
}


def _outcome(prepare, units, users, household: dict, members: list[MemberData]):
    data = HouseholdData(**{"village": units.t1, **household})
    try:
        prepared = prepare(actor=users.commune_officer, commune=units.tho_xuan, data=data, members=members,
                           today=TODAY, ethnicities=ethnicities_by_code())  # fmt: skip
    except ValidationError as exc:
        return ("refused", exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    household_row = {
        f.attname: getattr(prepared.household, f.attname) for f in prepared.household._meta.concrete_fields
    }
    member_rows = [{f.attname: getattr(m, f.attname) for f in m._meta.concrete_fields} for m in prepared.members]
    return ("prepared", household_row, member_rows, prepared.head_index, prepared.changes,
            [m.ethnicity for m in prepared.members])  # fmt: skip


@pytest.mark.parametrize("case", MEMBER_CASES)
def test_members_are_judged_and_built_as_the_service_does(units, users, case):
    members = MEMBER_CASES[case]
    household = {"code": "H1", "facts": {"water_source": "piped"}}
    service = _outcome(household_prepare, units, users, household, members)
    fast = _outcome(household_prepare_fast, units, users, household, members)
    assert fast == service
    assert fast[0] == ("prepared" if case.startswith(("valid", "dead", "spaces")) else "refused")


@pytest.mark.parametrize("case", HOUSEHOLD_CASES)
def test_households_are_judged_and_built_as_the_service_does(units, users, case):
    household = HOUSEHOLD_CASES[case]
    members = MEMBER_CASES["valid"]
    service = _outcome(household_prepare, units, users, household, members)
    fast = _outcome(household_prepare_fast, units, users, household, members)
    assert fast == service
    assert fast[0] == ("prepared" if case in ("facts", "household ethnicity") else "refused")


def test_the_remembered_field_checks_follow_the_language(units, users):
    from django.utils import translation

    members = [_head(sex="x")]
    household = {"code": "H1"}
    for language in ("vi", "en", "vi"):
        with translation.override(language):
            assert _outcome(household_prepare_fast, units, users, household, members) == _outcome(
                household_prepare, units, users, household, members
            )


def test_a_value_read_once_is_read_the_same_on_every_row(units, users):
    """The run remembers each distinct cell value's reading, errors included."""
    from ansinh.registry.importing import parse_upload
    from ansinh.registry.services_import import import_rows

    from .data.import_files import csv_bytes

    rows = [[f"R{i}", "T1", f"Trần Văn {i}", "Chủ hộ", "Nam", "", year, ethnicity, "", "Có", area, ""]
            for i, (year, ethnicity, area) in enumerate([("1970", "Sao Hỏa", "-5"), ("1970", "Sao Hỏa", "-5"),
                                                         ("19x0", "Kinh", "40"), ("19x0", "Kinh", "40")])]  # fmt: skip
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=parse_upload(csv_bytes(rows),
                         "ho.csv"), mode="create", write=False)  # fmt: skip
    errors = {(e["row"], e["column"]): e["message"] for e in result.error_list()}
    assert errors[(2, "Dân tộc")] == errors[(3, "Dân tộc")] and "Sao Hỏa" in errors[(2, "Dân tộc")]
    assert errors[(2, "Diện tích nhà (m²)")] == errors[(3, "Diện tích nhà (m²)")]
    assert errors[(4, "Năm sinh")] == errors[(5, "Năm sinh")]
    assert result.counts["invalid"] == 4
