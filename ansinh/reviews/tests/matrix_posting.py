"""Permission-matrix cases of the review step 'posting' (collected by tests/matrix.py)."""

CASES = []
