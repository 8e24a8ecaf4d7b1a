"""Permission-matrix cases of the review step 'decision' (collected by tests/matrix.py)."""

CASES = []
