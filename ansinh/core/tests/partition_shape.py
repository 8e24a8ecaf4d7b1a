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


# -- helpers the partition tests of each table share (audit, results, form B) --------------------------


class MigrationEditor:
    """What the conversion and backfill migrations' functions use of a schema editor (SQLite's refuses to
    open inside a test's transaction)."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def where_clause(queryset) -> str:
    """The SQL after ``WHERE`` of a queryset ("" without one): what a read adds to prune."""
    sql = str(queryset.query)
    return sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""


def plan_of(queryset) -> str:
    """PostgreSQL's plan of a queryset, as text (which partitions it reads)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def partitions_holding(table: str, ids) -> set[str]:
    """The partitions (tables) of `table` that hold the rows with these ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT tableoid::regclass::text FROM {table} WHERE id = ANY(%s)", [list(ids)])  # noqa: S608 - our table names
        return {row[0] for row in cursor.fetchall()}


# Readers of a province-keyed table and the key their area scope names ("IN (…)"), None when it names
# none: a legacy district is reported under successors it does not name; a national reader reads all.
AREA_READERS = [
    ("province_officer", "2025:38"),
    ("commune_officer", "2025:38"),
    ("village_head", "2025:38"),
    ("province_officer_dl", "2025:66"),
    ("district_officer", None),
    ("auditor", None),
]


def assert_reads_its_province_only_and_exactly(model, user, keys: str | None, perm: str) -> None:
    """A scoped read of `model` names the province key of the reader's area when there is one, and
    selects exactly the rows the area scope alone selects (the key only prunes)."""
    from ansinh.core.scoping import ScopedQuerySet

    rows = model.objects.visible_to(user, perm=perm)
    if keys is None:
        assert "province_key" not in where_clause(rows)
    else:
        assert f'"province_key" IN ({keys})' in where_clause(rows)
    unkeyed = ScopedQuerySet.visible_to(model.objects.all(), user, perm=perm)
    assert set(rows.values_list("pk", flat=True)) == set(unkeyed.values_list("pk", flat=True))
