"""The upper-cased household code index with ``text_pattern_ops`` (PostgreSQL only): code prefixes.

`selectors.households_search` now also finds the codes that start with the typed text
(``upper(code) LIKE 'HG0012%'``). PostgreSQL serves a ``LIKE 'prefix%'`` from a plain B-tree only
when the database collation is "C" ("C.UTF-8" and the usual "vi_VN"/"en_US" collations are not);
an index with the pattern operator class serves it under any collation, and also the ``=`` of the
whole-code match (``code__iexact``) that `registry/0008` added it for. So the index is rebuilt
under the same name with that class rather than a second one added (decision 0019: every index is
paid for on each write of a household). Django's migration state is unchanged
(``Index(Upper("code"))``): an operator class on an expression cannot be written for SQLite, which
keeps its plain index (its ``LIKE`` does not use one anyway).
"""

from django.db import migrations

INDEX = "registry_hh_code_upper"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON registry_household ((upper(code::text)) text_pattern_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON registry_household ((upper(code::text)))")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_household_code_upper_index")]

    operations = [migrations.RunPython(forwards, backwards)]
