"""Exit 0 when the CI PostgreSQL server answers (127.0.0.1:5432, trust auth, database `test`)."""

import sys

import psycopg

try:
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    print(f"PostgreSQL not ready: {exc}", file=sys.stderr)
    sys.exit(1)
