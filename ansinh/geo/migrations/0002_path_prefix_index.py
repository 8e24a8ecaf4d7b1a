"""PostgreSQL: prefix searches (path LIKE '/2025/38/%') need a pattern-ops index under a non-C collation."""

from django.db import migrations

from ansinh.core.db import run_sql_per_vendor

UP = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS geo_unit_path_prefix ON geo_adminunit (path varchar_pattern_ops);",
        "CREATE INDEX IF NOT EXISTS geo_unit_successor_prefix ON geo_adminunit (successor_path varchar_pattern_ops);",
    ]
}
DOWN = {"postgresql": ["DROP INDEX IF EXISTS geo_unit_path_prefix;", "DROP INDEX IF EXISTS geo_unit_successor_prefix;"]}



class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(run_sql_per_vendor(UP), run_sql_per_vendor(DOWN))]
