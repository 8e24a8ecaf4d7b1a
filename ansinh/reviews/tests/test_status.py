from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansinh.reviews.status import milestone_status

DEADLINE = date(2019, 9, 30)  # KH 6828/KH-UBND (Đắk Lắk): district preliminary report before 30/9


@pytest.mark.parametrize(
    ("done_on", "today", "window", "expected"),
    [
        (DEADLINE, DEADLINE, 7, "done_on_time"),  # done on the deadline day itself
        (DEADLINE - timedelta(days=1), DEADLINE + timedelta(days=30), 7, "done_on_time"),
        (DEADLINE + timedelta(days=1), DEADLINE + timedelta(days=1), 7, "done_late"),  # one day late
        (DEADLINE + timedelta(days=1), DEADLINE - timedelta(days=5), 7, "done_late"),  # the date decides, not today
        (None, DEADLINE, 7, "due_soon"),  # the deadline day, not done yet
        (None, DEADLINE + timedelta(days=1), 7, "overdue"),  # the day after
        (None, DEADLINE - timedelta(days=7), 7, "due_soon"),  # the window's edge is inside
        (None, DEADLINE - timedelta(days=8), 7, "pending"),  # one day before the window
        (None, DEADLINE - timedelta(days=1), 0, "pending"),  # no window: only the deadline day is due soon
        (None, DEADLINE, 0, "due_soon"),
    ],
)
def test_milestone_status_at_the_boundaries(done_on, today, window, expected):
    assert milestone_status(DEADLINE, done_on, today, window) == expected


def test_negative_window_is_refused():
    with pytest.raises(ValueError, match="negative"):
        milestone_status(DEADLINE, None, DEADLINE, -1)


days = st.dates(min_value=date(2016, 1, 1), max_value=date(2035, 12, 31))


@given(deadline=days, offset=st.integers(-400, 400), today=days, window=st.integers(0, 60))
def test_done_is_on_time_exactly_when_not_after_the_deadline(deadline, offset, today, window):
    done_on = deadline + timedelta(days=offset)
    state = milestone_status(deadline, done_on, today, window)
    assert state == ("done_on_time" if offset <= 0 else "done_late")


@given(deadline=days, distance=st.integers(-400, 400), window=st.integers(0, 60))
def test_not_done_state_follows_the_distance_to_the_deadline(deadline, distance, window):
    today = deadline - timedelta(days=distance)  # distance > 0: the deadline is still ahead
    state = milestone_status(deadline, None, today, window)
    if distance < 0:
        assert state == "overdue"
    elif distance <= window:
        assert state == "due_soon"
    else:
        assert state == "pending"


@given(deadline=days, today=days, window=st.integers(0, 60))
def test_a_wider_window_never_turns_due_soon_back_to_pending(deadline, today, window):
    if milestone_status(deadline, None, today, window) == "due_soon":
        assert milestone_status(deadline, None, today, window + 1) == "due_soon"
