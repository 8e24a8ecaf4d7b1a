import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansinh.registry.choices import HouseholdStatus, PovertyClass
from ansinh.reviews.choices import Transition
from ansinh.reviews.transitions import transition_of

T = Transition
P, N, A, X = "poor", "near_poor", "average", "not_poor"
CLASSES = ["", P, N, A, X]

# (previous, final) → transition with an active household, never poor / near-poor before.
TABLE = {
    ("", P): T.NEWLY_POOR, (P, P): T.REMAINED_POOR, (N, P): T.NEAR_POOR_TO_POOR, (A, P): T.NEWLY_POOR,
    (X, P): T.NEWLY_POOR,
    ("", N): T.NEWLY_NEAR_POOR, (P, N): T.POOR_TO_NEAR_POOR, (N, N): T.REMAINED_NEAR_POOR,
    (A, N): T.NEWLY_NEAR_POOR, (X, N): T.NEWLY_NEAR_POOR,
    ("", A): T.AVERAGE, (P, A): T.ESCAPED_POVERTY, (N, A): T.ESCAPED_NEAR_POVERTY, (A, A): T.AVERAGE,
    (X, A): T.AVERAGE,
    ("", X): T.NOT_POOR, (P, X): T.ESCAPED_POVERTY, (N, X): T.ESCAPED_NEAR_POVERTY, (A, X): T.OTHER,
    (X, X): T.NOT_POOR,
    ("", ""): T.OTHER, (P, ""): T.OTHER, (N, ""): T.OTHER, (A, ""): T.OTHER, (X, ""): T.OTHER,
}  # fmt: skip


def test_table_covers_every_pair():
    assert set(TABLE) == set(itertools.product(CLASSES, CLASSES))


@pytest.mark.parametrize(("previous", "final"), sorted(TABLE))
def test_every_pair_for_an_active_household(previous, final):
    result = transition_of(previous, final, household_status="active", poor_before=False, near_poor_before=False)
    assert result == TABLE[(previous, final)]


@pytest.mark.parametrize("previous", ["", N, A, X])
def test_poor_again_after_an_earlier_review_is_re_poor(previous):
    expected = T.NEAR_POOR_TO_POOR if previous == N else T.RE_POOR
    assert transition_of(previous, P, household_status="active", poor_before=True, near_poor_before=False) == expected


@pytest.mark.parametrize("previous", ["", P, A, X])
def test_near_poor_again_after_an_earlier_review_is_re_near_poor(previous):
    expected = T.POOR_TO_NEAR_POOR if previous == P else T.RE_NEAR_POOR
    result = transition_of(previous, N, household_status="active", poor_before=False, near_poor_before=True)
    assert result == expected


def test_history_does_not_change_staying_on_a_list():
    assert transition_of(P, P, household_status="active", poor_before=True, near_poor_before=True) == T.REMAINED_POOR
    kwargs = {"household_status": "active", "poor_before": True, "near_poor_before": True}
    assert transition_of(N, N, **kwargs) == T.REMAINED_NEAR_POOR
    # Being near-poor before does not make a newly poor household "re-poor".
    assert transition_of(X, P, household_status="active", poor_before=False, near_poor_before=True) == T.NEWLY_POOR


@pytest.mark.parametrize(
    ("status", "expected"),
    [(HouseholdStatus.MOVED_OUT, T.MOVED_AWAY), (HouseholdStatus.MERGED, T.DIED), (HouseholdStatus.DISSOLVED, T.DIED),
     (HouseholdStatus.ACTIVE, T.OTHER)],
)  # fmt: skip
@pytest.mark.parametrize("previous", CLASSES)
def test_household_that_left(previous, status, expected):
    assert transition_of(previous, "", household_status=status, poor_before=True, near_poor_before=False) == expected


def test_a_class_found_wins_over_the_registry_status():
    # Moved out after the decision: the recognised class is what counts.
    assert transition_of(P, X, household_status="moved_out", poor_before=False, near_poor_before=False) == (
        T.ESCAPED_POVERTY
    )


def test_unknown_codes_are_other():
    assert transition_of("rich", P, household_status="active", poor_before=False, near_poor_before=False) == T.OTHER
    assert transition_of(P, "rich", household_status="active", poor_before=False, near_poor_before=False) == T.OTHER


@given(
    previous=st.one_of(st.sampled_from([*PovertyClass.values, ""]), st.text(max_size=12)),
    final=st.one_of(st.sampled_from([*PovertyClass.values, ""]), st.text(max_size=12)),
    status=st.one_of(st.sampled_from(HouseholdStatus.values), st.text(max_size=12)),
    poor_before=st.booleans(),
    near_poor_before=st.booleans(),
)
def test_total_and_always_a_transition(previous, final, status, poor_before, near_poor_before):
    result = transition_of(previous, final, household_status=status, poor_before=poor_before,
                           near_poor_before=near_poor_before)  # fmt: skip
    assert isinstance(result, Transition)
    if final == "" and status == HouseholdStatus.MOVED_OUT:
        assert result == T.MOVED_AWAY
    if final == P and previous in ("", X, A):
        assert result == (T.RE_POOR if poor_before else T.NEWLY_POOR)
