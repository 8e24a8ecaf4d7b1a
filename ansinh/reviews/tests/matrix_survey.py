"""Permission-matrix cases of the review step 'survey' (collected by tests/matrix.py)."""

CASES = []
