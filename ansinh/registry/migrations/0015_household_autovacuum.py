"""PostgreSQL: autovacuum and autoanalyze of the households at 2 % of their rows changed instead of the
server's 20 %. A province's bulk classification rewrites the class of its households (at most about 11 %
of a national table, 3M of 27M); at the server's threshold no vacuum followed, and the next reads of those
households went through their dead versions too (the next preview of 1,000,000 households 4.95 → 6.2 s,
docs/benchmarks.md, "Answers read as text"). A storage parameter of the table only. SQLite: nothing."""

from django.db import migrations

from ansinh.core.migration_ops import postgresql_only

OPTIONS = ("autovacuum_vacuum_scale_factor", "autovacuum_analyze_scale_factor")


class Migration(migrations.Migration):
    dependencies = [("registry", "0014_importbatch_message_entry")]

    operations = [
        postgresql_only(
            [f"ALTER TABLE registry_household SET ({', '.join(f'{option} = 0.02' for option in OPTIONS)})"],
            [f"ALTER TABLE registry_household RESET ({', '.join(OPTIONS)})"],
        )
    ]
