"""What a partition conversion must keep of a table (PostgreSQL): its constraints and index names."""

from django.db import connection


def table_shape(table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(constraint name and kind, for primary, unique, foreign and check) and index names, sorted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('p', 'u', 'f', 'c') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        return constraints, [row[0] for row in cursor.fetchall()]
