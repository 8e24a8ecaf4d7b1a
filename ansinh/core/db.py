"""Database helpers that migrations and services share."""

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone


def run_sql_per_vendor(statements_by_vendor: dict[str, list[str]]):
    """A RunPython callable executing the statements listed for the current database vendor."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids for the model's table, taken as an insert without ids would take them."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])  # fmt: skip
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - only the two supported databases
            raise NotImplementedError(connection.vendor)
        # AUTOINCREMENT tables: the next id is above both the largest id and sqlite_sequence (ids
        # of deleted rows are never reused). Writing sqlite_sequence first takes the database's
        # write lock, so no other connection can take the same ids before this transaction ends.
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT max({column}) FROM {table}")  # noqa: S608 - the model's own names
        first = max(row[0] if row else 0, cursor.fetchone()[0] or 0) + 1
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + count - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first + count - 1])
        return list(range(first, first + count))


# Fields whose stored value is the attribute itself (validated text, numbers, flags, foreign key
# ids); every other field (dates, decimals, JSON, auto timestamps) is prepared by Django.
_AS_IS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.ForeignKey)
# Fields whose prepared value depends on the value only (no `pre_save` work, no mutable values):
# prepared once per distinct value in a call.
_REMEMBERED = (models.DateField, models.DecimalField)


def _remembered(field, db) -> Callable[[Any], Any]:
    """`field.get_db_prep_save` for a date or decimal field, remembered per value in one call
    (a Decimal by its text too: 1.0 and 1.00 are equal but may not be stored alike)."""
    prepare, known = field.get_db_prep_save, {}

    def prep(value):
        key = (type(value), value, str(value))
        try:
            return known[key]
        except KeyError:
            result = known[key] = prepare(value, db)
            return result

    return prep


def _row_values(model: type[models.Model], objs: list[models.Model]) -> tuple[list, Callable[[models.Model], list]]:
    """The model's concrete fields in the order `row` gives their values, and `row` (an object → the
    values to store), as Django's save would prepare them; automatic timestamps are set on every
    object to one "now".

    The attributes stored as they are are read with one ``attrgetter``; the connection is looked up
    once (not through the ``connection`` proxy for every value).
    """
    db = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    as_is, constant, prepared = [], [], []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
            constant.append((field, field.get_db_prep_save(now, db)))
        elif isinstance(field, _AS_IS):
            as_is.append(field)
        else:
            prepared.append(field)
    fields = [*as_is, *(f for f, _v in constant), *prepared]
    read = attrgetter(*(f.attname for f in as_is)) if as_is else (lambda obj: ())
    if len(as_is) == 1:
        single = read
        read = lambda obj: (single(obj),)  # noqa: E731 - attrgetter of one name gives the value, not a tuple
    constants = [value for _f, value in constant]
    getters = []
    for field in prepared:
        if isinstance(field, _REMEMBERED) and not getattr(field, "auto_now", False):
            getters.append((attrgetter(field.attname), _remembered(field, db)))
        else:
            getters.append((None, (lambda obj, f=field: f.get_db_prep_save(f.pre_save(obj, True), db))))

    def row(obj: models.Model) -> list:
        values = [*read(obj), *constants]
        for attribute, prep in getters:
            values.append(prep(attribute(obj)) if attribute is not None else prep(obj))
        return values

    return fields, row


def insert_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert the objects (ids set, from `reserve_ids`) into the model's table, in the caller's
    transaction: ``COPY`` on PostgreSQL with psycopg 3, one ``executemany`` otherwise.

    For bulk writers that have validated every row already: no ``save()``, no signals. Values are
    prepared as Django prepares them; automatic timestamps are set to one "now" for all rows.
    """
    fields, row = _row_values(model, objs)
    rows = (row(obj) for obj in objs)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if _can_copy():
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _can_copy() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3  # psycopg 2 has no ``cursor.copy``: it takes the executemany path


def analyze_tables(*models_: type[models.Model]) -> None:
    """Refresh the planner's statistics of the tables a bulk writer has just filled.

    Without them PostgreSQL plans a freshly loaded million-row table as if it were empty (a
    member lookup by household became a sequential scan: 0.4 s per 500 households instead of a
    few milliseconds) until autovacuum gets round to it. Cheap: a sample, seconds at 1M rows.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def lock_values(namespace: str, values) -> None:
    """Hold, until the current transaction ends, a lock on each of `values` within `namespace`.

    For rules no unique constraint can express (a CCCD may be held twice with an officer's reason):
    two transactions checking the same value then run one after the other, and the second sees what
    the first committed. PostgreSQL transaction-level advisory locks, taken in sorted order so two
    callers cannot deadlock; nothing on SQLite, where a writing transaction already excludes every other.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted({f"{namespace}:{value}" for value in values if value})
    if not keys:
        return
    with connection.cursor() as cursor:  # one round trip for any number of values (an import chunk)
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) "
            "FROM (SELECT k FROM unnest(%s::text[]) AS k ORDER BY k) AS ordered",
            [keys],
        )
