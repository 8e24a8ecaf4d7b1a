"""Permission-matrix cases of the registry, one list per area (see ansinh/core/testing/matrix.py)."""

from .matrix_duplicates import CASES as DUPLICATE_CASES
from .matrix_households import CASES as HOUSEHOLD_CASES
from .matrix_imports import CASES as IMPORT_CASES
from .matrix_life import CASES as LIFE_CASES

CASES = [*HOUSEHOLD_CASES, *LIFE_CASES, *IMPORT_CASES, *DUPLICATE_CASES]
