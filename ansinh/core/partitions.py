"""Tables partitioned by province on PostgreSQL (decisions 0030, 0034).

A partitioned table is ``PARTITION BY LIST (<key column>)``: the rows of one province key (``2025:38``,
`province_key`) live in their own table ``<table>_2025_38``; keys without a table of their own (a legacy
province's ``legacy:38``, the ``national`` key of rows placed nowhere, a province the data set adds later)
live in the default partition ``<table>_default``. A reader that names its keys reads one table; a
province's rows can be vacuumed, backed up, archived or detached on their own.

PostgreSQL requires the partition key in every unique index, so the primary key is ``(id, <key>)``;
ids still come from one sequence (owned by the column, as `pg_get_serial_sequence` and Django's
sequence resets expect: PostgreSQL 15 has no identity column on a partitioned table) and stay unique
across partitions, so Django keeps addressing a row by `id`.

The partitioned tables (`PartitionedTable`) are declared by their apps (`register`, in their
``ready()``): the audit log (`audit.partitions`) and the classification results
(`poverty.partitions`). The administrative-unit load, which sits below the poverty app, gives every
registered table a partition per province it loads (`ensure_registered`) without importing them.

SQLite is not partitioned; every function here does nothing there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

NATIONAL_KEY = "national"
_KEY = re.compile(r"^[A-Za-z0-9:_-]{1,40}$")


# -- the key of a path ------------------------------------------------------------------------------


def province_key(unit_path: str) -> str:
    """The structure and province of a unit path: ``/2025/38/16000/`` → ``2025:38``; a path above the
    provinces (or none) → ``national``. The audit log's chain key (decision 0002) is this."""
    parts = [p for p in (unit_path or "").split("/") if p]
    if len(parts) >= 2:
        return f"{parts[0]}:{parts[1]}"
    return NATIONAL_KEY


def reported_province_key(unit_path: str, successor_path: str = "") -> str:
    """The province a row placed by (`unit_path`, `successor_path`) is reported under: its successor's
    when it has one (only a legacy unit has: the 2025 unit it is reported under), else its own.

    ``("/legacy/38/393/15850/", "/2025/38/16000/")`` → ``2025:38``. `reported_province_key_sql` is the
    same in SQL (the bulk writers and the backfill)."""
    return province_key(successor_path or unit_path)


def reported_province_key_sql(unit_path: str, successor_path: str, *, vendor: str) -> str:
    """`reported_province_key` as an SQL expression over two text columns (``''`` for no successor)."""
    path = f"(CASE WHEN {successor_path} <> '' THEN {successor_path} ELSE {unit_path} END)"
    if vendor == "postgresql":
        structure, province = f"split_part({path}, '/', 2)", f"split_part({path}, '/', 3)"
    else:  # SQLite has no split_part: the text between the first and second, second and third slashes
        rest = f"substr({path}, 2)"
        after = f"substr({rest}, instr({rest}, '/') + 1)"
        structure = f"substr({rest}, 1, instr({rest}, '/') - 1)"
        province = (
            f"(CASE WHEN instr({after}, '/') > 0 THEN substr({after}, 1, instr({after}, '/') - 1) ELSE {after} END)"
        )
    return (
        f"(CASE WHEN substr({path}, 1, 1) = '/' AND {structure} <> '' AND {province} <> '' "
        f"THEN {structure} || ':' || {province} ELSE '{NATIONAL_KEY}' END)"
    )


def province_keys(cursor) -> list[str]:
    """The key of every province of today's structure loaded by `geo_load` (raw SQL: migrations use it).

    Not the 63 legacy provinces: the audit events written about records made before 1 July 2025 stay
    in the default partition, and a legacy unit's results are reported under their 2025 successor.
    Every partition costs every query that cannot be pruned planning time: about 0.25 ms each
    (decision 0030)."""
    cursor.execute("SELECT path FROM geo_adminunit WHERE level = 'province' AND structure = '2025' ORDER BY path")
    return sorted({province_key(path) for (path,) in cursor.fetchall()})


# -- the tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionedTable:
    """A table partitioned by a province key column on PostgreSQL.

    `triggers`: ``(name, CREATE TRIGGER …)`` of the table, dropped before a conversion and made again on
    the new table after it (the trigger functions stay in place)."""

    table: str
    key: str
    triggers: tuple[tuple[str, str], ...] = ()

    @property
    def default_partition(self) -> str:
        return f"{self.table}_default"

    def partition_name(self, key: str) -> str:
        """``2025:38`` → ``<table>_2025_38`` (a key is at most 40 letters, digits and ``:_-``)."""
        if not _KEY.match(key or ""):
            raise ValueError(f"not a chain key: {key!r}")
        return f"{self.table}_{re.sub(r'[^a-z0-9]+', '_', key.lower())}"

    def literal(self, key: str) -> str:
        """The key as an SQL literal; partition bounds take no parameters, so keys are checked first."""
        self.partition_name(key)  # raises on anything but letters, digits and ":_-"
        return f"'{key}'"


_REGISTERED: dict[str, PartitionedTable] = {}


def register(table: PartitionedTable) -> PartitionedTable:
    """Declare a partitioned table (an app's ``ready()``): `ensure_registered` covers it."""
    _REGISTERED[table.table] = table
    return table


def registered() -> list[PartitionedTable]:
    return [_REGISTERED[name] for name in sorted(_REGISTERED)]


def is_partitioned(cursor, spec: PartitionedTable) -> bool:
    if connection.vendor != "postgresql":
        return False
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [spec.table])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions(cursor, spec: PartitionedTable) -> dict[str, str]:
    """``{key: table}`` of the partitions; the default partition under the key ``""``."""
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
        [spec.table],
    )
    found: dict[str, str] = {}
    for name, bound in cursor.fetchall():
        if bound == "DEFAULT":
            found[""] = name
            continue
        for key in re.findall(r"'((?:[^']|'')*)'", bound):
            found[key.replace("''", "'")] = name
    return found


@dataclass
class PartitionReport:
    created: list[str] = field(default_factory=list)
    # Keys whose rows are already in the default partition: they stay there (still correct, read
    # without pruning); moving them needs the conversion (`convert`), not a new partition.
    kept_in_default: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"created": self.created, "kept_in_default": self.kept_in_default}


def ensure_partitions(spec: PartitionedTable, keys: Iterable[str]) -> PartitionReport:
    """A partition of `spec` for each key that has none; nothing on SQLite or an unpartitioned table."""
    report = PartitionReport()
    with connection.cursor() as cursor:
        if not is_partitioned(cursor, spec):
            return report
        existing = partitions(cursor, spec)
        for key in sorted(set(keys) - set(existing)):
            literal = spec.literal(key)
            if "" in existing:
                cursor.execute(f"SELECT 1 FROM {existing['']} WHERE {spec.key} = %s LIMIT 1", [key])  # noqa: S608
                if cursor.fetchone():
                    report.kept_in_default.append(key)
                    continue
            name = spec.partition_name(key)
            cursor.execute(f"CREATE TABLE {name} PARTITION OF {spec.table} FOR VALUES IN ({literal})")
            report.created.append(key)
    return report


def analyze_new(spec: PartitionedTable, keys: Iterable[str]) -> list[str]:
    """``ANALYZE`` the partitions of `keys` that have never been analysed (after a bulk write into them).

    A partition without statistics is planned with PostgreSQL's default guesses, among them that
    ``<key> = '2025:38'`` holds for 0.5 % of its rows: the planner then reads the whole primary key
    ``(id, <key>)`` for the key condition the area scope adds (a commune's count 31 → 61 ms, a household's
    results 0.9 → 5.4 ms right after a first bulk commit, decision 0034) until autovacuum analyses it.
    Once analysed, every row of a partition has its key and the condition costs nothing. A province's
    partition is analysed this way once in its life (1.3–1.7 s at 100,000–200,000 rows, load 7–9); returns
    those tables."""
    if connection.vendor != "postgresql":
        return []
    analysed = []
    with connection.cursor() as cursor:
        if not is_partitioned(cursor, spec):
            return []
        existing = partitions(cursor, spec)
        # A key without a partition of its own is in the default one.
        for table in sorted({existing.get(key, existing.get("")) for key in keys} - {None}):
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
            row = cursor.fetchone()
            if row and row[0] < 0:  # never vacuumed nor analysed
                cursor.execute(f"ANALYZE {table}")
                analysed.append(table)
    return analysed


def ensure_registered(keys: Iterable[str]) -> dict[str, PartitionReport]:
    """`ensure_partitions` of every registered table (`geo_load`, for every province it loads)."""
    keys = sorted(set(keys))
    return {spec.table: ensure_partitions(spec, keys) for spec in registered()}


# -- the conversion ---------------------------------------------------------------------------------


def _definitions(cursor, table: str) -> tuple[list[tuple[str, str, str]], list[str], str]:
    """The table's constraints ``(name, type, definition)``, its other indexes, its id sequence."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f') ORDER BY contype, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return constraints, indexes, cursor.fetchone()[0]


def convert(cursor, spec: PartitionedTable, *, partitioned: bool, keys: Iterable[str] = ()) -> None:
    """Rebuild the table as partitioned by its key (or as one plain table), rows and names kept.

    One transaction (the migration's): the old table is renamed and stripped of its triggers,
    constraints and indexes (so their names are free), the new table is made like it (columns,
    defaults, checks), the rows are copied, then the primary key, the constraints and indexes are made
    under their old names, the id sequence carries on from where the old one stood, the triggers are
    put back, and the old table is dropped. Partitioned: one partition per key present in the rows or
    in `keys`, and the default partition. Nothing may point at the table (a foreign key to it would
    need the key in its columns).
    """
    table, old = spec.table, f"{spec.table}_unpartitioned"
    cursor.execute("SELECT conname FROM pg_constraint WHERE confrelid = to_regclass(%s) AND contype = 'f'", [table])
    pointing = [row[0] for row in cursor.fetchall()]
    if pointing:
        raise ValueError(f"{table} cannot be converted: foreign keys point at it ({', '.join(pointing)})")
    constraints, indexes, old_sequence = _definitions(cursor, table)
    cursor.execute(f"SELECT nextval('{old_sequence}')")
    next_id = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _create in spec.triggers:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {old}")
    for name, _kind, _definition in sorted(constraints, key=lambda c: c[1] != "f"):  # foreign keys first
        cursor.execute(f'ALTER TABLE {old} DROP CONSTRAINT "{name}"')
    for definition in indexes:
        cursor.execute(f'DROP INDEX "{_index_name(definition)}"')
    # The old table's identity or default goes first, so that the new table does not copy it.
    cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY IF EXISTS")
    cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP DEFAULT")
    cursor.execute(f"DROP SEQUENCE IF EXISTS {old_sequence}")
    layout = f" PARTITION BY LIST ({spec.key})" if partitioned else ""
    cursor.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){layout}")
    cursor.execute(f"CREATE SEQUENCE {table}_id_seq AS bigint OWNED BY {table}.id")
    cursor.execute(f"SELECT setval('{table}_id_seq', %s, false)", [next_id])
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    if partitioned:
        cursor.execute(f"SELECT DISTINCT {spec.key} FROM {old}")  # noqa: S608 - our own table
        present = {row[0] for row in cursor.fetchall()}
        for key in sorted(present | set(keys)):
            cursor.execute(
                f"CREATE TABLE {spec.partition_name(key)} PARTITION OF {table} FOR VALUES IN ({spec.literal(key)})"
            )
        cursor.execute(f"CREATE TABLE {spec.default_partition} PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608 - same columns (LIKE)
    for name, kind, definition in sorted(constraints, key=lambda c: c[1] == "f"):  # foreign keys last
        if kind == "p":
            definition = f"PRIMARY KEY (id, {spec.key})" if partitioned else "PRIMARY KEY (id)"
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        cursor.execute(definition)
    for _name, create in spec.triggers:
        cursor.execute(create)
    cursor.execute(f"DROP TABLE {old}")


def _index_name(definition: str) -> str:
    match = re.match(r'CREATE (?:UNIQUE )?INDEX "?([^" ]+)"? ON ', definition)
    if not match:  # pragma: no cover - pg_get_indexdef always starts so
        raise ValueError(definition)
    return match.group(1)
