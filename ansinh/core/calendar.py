"""Vietnamese working days: weekends and public holidays (Tết included) do not count.

Posting periods, appraisal windows and report deadlines in the legal texts are counted in
working days (ngày làm việc). Holidays come from the `holidays` package (Vietnam), which follows
Bộ luật Lao động 2019 Điều 112 including the lunar Tết days.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date on which a period of `count` working days that starts on `start` ends.

    The start day counts as the first day when it is a working day (a posting that begins on
    Monday for 3 working days ends on Wednesday). `count` must be at least 1.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    remaining = count - 1
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included (0 when end is before start)."""
    total = 0
    day = start
    while day <= end:
        total += is_working_day(day)
        day += timedelta(days=1)
    return total
