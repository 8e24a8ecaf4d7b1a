"""Settings for benchmark steps: production-like (no debug, so no query log growing with the run).

The limits an office upload needs (20 MB, 200,000 rows, 200 MB of unzipped xlsx) are raised: the
benchmark imports 100,000 households (about 350,000 member rows, 217 MB unzipped) as one file, and
1,000,000 households (about 3.5 million rows, 234 MB of csv) to show the import's memory at that size.
"""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-secret"  # noqa: S105 - throw-away databases
ANSINH_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
ANSINH_MAX_IMPORT_ROWS = 4_000_000
ANSINH_MAX_XLSX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
