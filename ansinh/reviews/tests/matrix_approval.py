"""Permission-matrix cases of the review step 'approval' (collected by tests/matrix.py)."""

CASES = []
