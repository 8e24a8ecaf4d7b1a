"""Permission-matrix cases for the reports pages. The dashboard is for every signed-in user."""

from ansinh.core.testing.matrix import Case

CASES = [
    Case("reports:dashboard", user="commune_officer", wrong_role=None),
]
