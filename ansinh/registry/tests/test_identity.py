from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from ansinh.registry.identity import IdKind, mask_id_number, validate_id_number


def test_valid_cccd_of_a_woman_born_1985_in_thanh_hoa():
    identity = validate_id_number("038185000123", sex="female", birth_year=1985)
    assert identity.kind == IdKind.CCCD
    assert identity.number == "038185000123"


def test_spaces_and_dots_are_dropped():
    assert validate_id_number("038 185.000-123", sex="female", birth_year=1985).number == "038185000123"


def test_legacy_cmnd_is_accepted_and_marked():
    assert validate_id_number("172345678").kind == IdKind.CMND


def test_empty_is_none():
    assert validate_id_number("  ") is None


@pytest.mark.parametrize(
    ("number", "sex", "year", "code"),
    [
        ("03818500012", "female", 1985, "id_length"),
        ("0381850001234", "female", 1985, "id_length"),
        ("003185000123", "female", 1985, "id_province"),  # 003 was never a province code
        ("097185000123", "female", 1985, "id_province"),
        ("038085000123", "female", 1985, "id_sex"),  # 0 = man born in the 1900s
        ("038285000123", "male", 1985, "id_century"),  # 2 = man born in the 2000s
        ("038186000123", "female", 1985, "id_year"),
        ("03818500012a", "female", 1985, "id_not_digits"),
    ],
)
def test_invalid_numbers_name_the_problem(number, sex, year, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(number, sex=sex, birth_year=year)
    assert excinfo.value.code == code


def test_birth_date_wins_over_year():
    validate_id_number("066303000001", sex="female", birth_date=date(2003, 5, 1))


@given(st.integers(min_value=1900, max_value=2099), st.sampled_from(["male", "female"]))
def test_a_number_built_from_the_rules_is_valid(year, sex):
    digit = (0 if year < 2000 else 2) + (1 if sex == "female" else 0)
    number = f"038{digit}{year % 100:02d}123456"
    assert validate_id_number(number, sex=sex, birth_year=year).number == number


def test_mask_keeps_last_three_digits():
    assert mask_id_number("038185000123") == "•••••••••123"
    assert mask_id_number("") == ""
