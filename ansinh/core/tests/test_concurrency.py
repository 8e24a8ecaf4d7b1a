"""The concurrency harness itself: callables start together, outcomes keep their order, errors are outcomes."""

import threading
import time

import pytest

from ansinh.core.exceptions import ApplicationError
from ansinh.core.testing.concurrency import Outcome, outcome_codes, run_together


def test_callables_start_together_and_outcomes_keep_their_order():
    started: list[float] = []
    lock = threading.Lock()

    def work(value):
        def run():
            with lock:
                started.append(time.monotonic())
            time.sleep(0.05)
            return value

        return run

    outcomes = run_together(work("a"), work("b"), work("c"))
    assert [o.value for o in outcomes] == ["a", "b", "c"]
    assert all(o.ok for o in outcomes)
    # Released by one barrier: all three start well within one sleep of each other.
    assert max(started) - min(started) < 0.05


def test_exceptions_are_outcomes_with_their_code():
    def refuse():
        raise ApplicationError("đã có", code="id_duplicate")

    def crash():
        raise KeyError("x")

    outcomes = run_together(lambda: 1, refuse, crash)
    assert outcome_codes(outcomes) == ["KeyError", "id_duplicate", "ok"]
    assert isinstance(outcomes[2].error, KeyError)
    assert Outcome(index=0).code == "ok"


def test_a_stuck_callable_fails_the_test_instead_of_hanging():
    release = threading.Event()
    with pytest.raises(AssertionError, match="still running"):
        run_together(lambda: None, lambda: release.wait(5), timeout=0.3)
    release.set()


def test_one_callable_is_not_a_race():
    with pytest.raises(ValueError, match="at least two"):
        run_together(lambda: None)
