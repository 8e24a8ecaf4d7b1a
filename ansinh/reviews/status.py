"""The state of one milestone for one unit: a pure function, so the board, the API and the tests agree."""

from __future__ import annotations

from datetime import date

from .choices import MilestoneState


def milestone_status(deadline: date, done_on: date | None, today: date, due_soon_days: int) -> str:
    """``done_on_time``, ``done_late``, ``due_soon``, ``overdue`` or ``pending``.

    The deadline day itself is still on time ("trước ngày 30/9" in a plan is read as "by 30/9").
    Not done: overdue from the day after the deadline; due soon when the deadline is at most
    `due_soon_days` calendar days away (0 means only on the deadline day itself); pending before.
    Deadlines in the plans are calendar dates, so working days do not enter here.
    """
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    if done_on is not None:
        return MilestoneState.DONE_ON_TIME.value if done_on <= deadline else MilestoneState.DONE_LATE.value
    if today > deadline:
        return MilestoneState.OVERDUE.value
    if (deadline - today).days <= due_soon_days:
        return MilestoneState.DUE_SOON.value
    return MilestoneState.PENDING.value
