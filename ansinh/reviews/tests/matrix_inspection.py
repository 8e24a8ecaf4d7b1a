"""Permission-matrix cases of the review step 'inspection' (collected by tests/matrix.py)."""

CASES = []
