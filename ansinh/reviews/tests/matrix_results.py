"""Permission-matrix cases of the review step 'results' (collected by tests/matrix.py)."""

CASES = []
