"""Run callables at the same moment in separate threads, each on its own database connection.

For race tests on PostgreSQL (SQLite serialises every writer, so races cannot happen there):

    @requires_postgresql
    @pytest.mark.django_db(transaction=True)
    def test_two_approvers(...):
        outcomes = run_together(lambda: approve(a), lambda: approve(b))
        assert outcome_codes(outcomes) == ["invalid_state", "ok"]

The test must be transactional (``transaction=True``): the rows it prepares have to be committed
for the other connections to see them. Every thread waits at one barrier, so the callables start
together; each closes its connection at the end (Django opens one per thread). An exception is an
outcome, not a failure of the harness; a thread still running after `timeout` seconds (a deadlock
the database did not break) fails the test.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, connections

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need concurrent writers: run with DATABASE_URL=postgres://… (SQLite serialises all writes)",
)


@dataclass
class Outcome:
    """What one callable did: its return value, or the exception it raised."""

    index: int
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def code(self) -> str:
        """``"ok"``, else the error's ``code`` (ApplicationError, ValidationError) or its class name."""
        if self.error is None:
            return "ok"
        return getattr(self.error, "code", None) or type(self.error).__name__


def run_together(*callables: Callable[[], Any], timeout: float = 60.0) -> list[Outcome]:
    """Start every callable at once, each in its own thread and connection; their outcomes in order."""
    if len(callables) < 2:
        raise ValueError("run_together needs at least two callables")
    barrier = threading.Barrier(len(callables), timeout=timeout)
    outcomes = [Outcome(index=i) for i in range(len(callables))]

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index].value = work()
        except BaseException as exc:
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    if stuck:
        raise AssertionError(f"callables {stuck} still running after {timeout} s: a deadlock?")
    return outcomes


def outcome_codes(outcomes: list[Outcome]) -> list[str]:
    """The outcomes' codes, sorted: order-independent assertions such as ``["id_duplicate", "ok"]``."""
    return sorted(o.code for o in outcomes)
