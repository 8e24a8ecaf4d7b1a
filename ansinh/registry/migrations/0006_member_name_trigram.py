"""A trigram index on the folded member name (PostgreSQL only): the household search.

`selectors.households_search` matches ``name_folded LIKE '%text%'`` (any part of a name, accents
folded); a B-tree cannot serve a leading wildcard, so at 100,000 households the search read the
whole member table (245 ms for a name, 1.1 s for a CCCD typed in the search box, whose digits are
also matched as a name). `pg_trgm` is a trusted extension (PostgreSQL 13+): the database owner
may create it. SQLite keeps its scan (no such index there).
"""

from django.db import migrations

from ansinh.core.migration_ops import postgresql_only

INDEX = "registry_member_name_trgm"


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_household_list_order")]

    operations = [
        postgresql_only(
            [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_member USING gin (name_folded gin_trgm_ops)",
            ],
            [f"DROP INDEX IF EXISTS {INDEX}"],
        )  # fmt: skip
    ]
