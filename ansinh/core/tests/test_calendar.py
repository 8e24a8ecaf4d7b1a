from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansinh.core.calendar import add_working_days, is_working_day, working_days_between


def test_weekend_is_not_a_working_day():
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert is_working_day(date(2026, 11, 23))


def test_national_day_and_tet_are_holidays():
    assert not is_working_day(date(2026, 9, 2))  # Quốc khánh
    assert not is_working_day(date(2026, 2, 17))  # Mùng 1 Tết Bính Ngọ


def test_three_working_days_from_monday_end_on_wednesday():
    assert add_working_days(date(2026, 12, 7), 3) == date(2026, 12, 9)


def test_vietnam_culture_day_is_skipped():
    # 24/11 (Ngày Văn hóa Việt Nam) is a day off in the holidays data from 2025 on.
    assert add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)


def test_period_over_a_weekend():
    assert add_working_days(date(2026, 11, 26), 3) == date(2026, 11, 30)  # Thu, Fri, Mon


def test_start_on_a_holiday_moves_to_next_working_day():
    assert add_working_days(date(2026, 9, 2), 1) == date(2026, 9, 3)


def test_count_must_be_positive():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 0)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=1, max_value=30))
def test_add_and_count_agree(start, count):
    end = add_working_days(start, count)
    assert is_working_day(end)
    assert working_days_between(start, end) == count
    assert end - start >= timedelta(days=count - 1)
