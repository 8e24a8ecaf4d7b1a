"""The review procedure as a transition map: every pair of states, allowed or refused (QĐ 24/2021 Điều 4)."""

import itertools

import pytest

from ansinh.reviews.choices import CASE_TRANSITIONS, CaseState, case_can_move

S = CaseState
ALLOWED = {
    (S.LISTED, S.SCREENED_OUT), (S.LISTED, S.SURVEYING), (S.LISTED, S.WITHDRAWN),
    (S.SURVEYING, S.SURVEYED), (S.SURVEYING, S.WITHDRAWN),
    (S.SURVEYED, S.MET), (S.SURVEYED, S.SURVEYING), (S.SURVEYED, S.WITHDRAWN),
    (S.MET, S.POSTED), (S.MET, S.SURVEYING), (S.MET, S.WITHDRAWN),
    (S.POSTED, S.DECIDED), (S.POSTED, S.SURVEYING), (S.POSTED, S.WITHDRAWN),
    (S.DECIDED, S.APPROVED), (S.DECIDED, S.SURVEYING), (S.APPROVED, S.DECIDED),
}  # fmt: skip


def test_every_state_has_an_entry():
    assert set(CASE_TRANSITIONS) == set(CaseState)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(CaseState, CaseState)))
def test_transition(old, new):
    assert case_can_move(old, new) is ((old, new) in ALLOWED)


@pytest.mark.parametrize("terminal", [S.SCREENED_OUT, S.WITHDRAWN])
def test_terminal_states_go_nowhere(terminal):
    assert CASE_TRANSITIONS[terminal] == set()
