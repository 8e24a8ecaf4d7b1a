"""Migration steps the apps share."""

from django.db import migrations


def postgresql_only(forwards: list[str], backwards: list[str]) -> migrations.RunPython:
    """A reversible step of SQL statements run on PostgreSQL only (an extension's index, a check with a
    JSON path, a table's storage parameters); on SQLite it does nothing either way."""

    def run(statements: list[str]):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forwards), run(backwards))
