"""Database helpers that migrations and services share."""


def run_sql_per_vendor(statements_by_vendor: dict[str, list[str]]):
    """A RunPython callable executing the statements listed for the current database vendor."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run
