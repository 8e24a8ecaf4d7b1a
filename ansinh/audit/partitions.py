"""The audit log is partitioned by province on PostgreSQL (decision 0030).

`audit_auditevent` is `PARTITION BY LIST (chain_key)`: the events of one chain (one province of one
structure, `models.chain_key_for`: ``2025:38``) live in their own table ``audit_auditevent_2025_38``;
the chains without a table of their own (the legacy provinces' ``legacy:38``, the national chain of a
new installation, a province added to the data set later) live in the default partition
``audit_auditevent_default``. A reader that names its chains (the area scope of a
province or commune officer, `audit_verify` of one chain) reads one table; a province's events can be
vacuumed, backed up, archived or detached on their own.

PostgreSQL requires the partition key in every unique index, so the table's primary key is
``(id, chain_key)`` (ids still come from one sequence and stay unique across partitions; Django keeps
addressing an event by `id`) and the chain's ``(chain_key, sequence)`` stays unique. The event hash has
no unique index (migration 0004: the hash covers the chain key and the sequence, so two equal hashes
are already two equal ``(chain_key, sequence)``).

SQLite is not partitioned; every function here does nothing there.

- `convert(cursor, partitioned=...)` rebuilds the table as partitioned (or back), keeping its rows,
  columns, constraints, index names, id sequence and append-only trigger: migration 0005.
- `ensure_partitions(keys)` gives chains their own partition: run by the administrative-unit load for
  every province of today's structure, so a new installation has the 34 province tables before the
  first event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

TABLE = "audit_auditevent"
DEFAULT_PARTITION = f"{TABLE}_default"
_OLD = f"{TABLE}_unpartitioned"
_KEY = re.compile(r"^[A-Za-z0-9:_-]{1,40}$")
# The append-only trigger of migration 0002 (its function stays in place across the conversion).
_TRIGGER = (
    f"CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
)


def partition_name(key: str) -> str:
    """``2025:38`` → ``audit_auditevent_2025_38`` (a chain key is at most 40 characters)."""
    if not _KEY.match(key):
        raise ValueError(f"not a chain key: {key!r}")
    return f"{TABLE}_{re.sub(r'[^a-z0-9]+', '_', key.lower())}"


def _literal(key: str) -> str:
    """The key as an SQL literal; partition bounds take no parameters, so keys are checked first."""
    partition_name(key)  # raises on anything but letters, digits and ":_-"
    return f"'{key}'"


def is_partitioned(cursor) -> bool:
    if connection.vendor != "postgresql":
        return False
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions(cursor) -> dict[str, str]:
    """``{chain key: table}`` of the partitions; the default partition under the key ``""``."""
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
        [TABLE],
    )
    found: dict[str, str] = {}
    for name, bound in cursor.fetchall():
        if bound == "DEFAULT":
            found[""] = name
            continue
        for key in re.findall(r"'((?:[^']|'')*)'", bound):
            found[key.replace("''", "'")] = name
    return found


def province_chain_keys(cursor) -> list[str]:
    """The chain of every province of today's structure (units loaded by `geo_load`).

    Not the 63 legacy provinces: their chains hold the few events written about records made before
    1 July 2025 and stay in the default partition. Every partition costs every query that cannot be
    pruned (a national reader's list, an event read by id alone) planning time: about 0.25 ms each
    (decision 0030)."""
    from .models import chain_key_for

    cursor.execute("SELECT path FROM geo_adminunit WHERE level = 'province' AND structure = '2025' ORDER BY path")
    return sorted({chain_key_for(path) for (path,) in cursor.fetchall()})


@dataclass
class PartitionReport:
    created: list[str] = field(default_factory=list)
    # Chains whose events are already in the default partition: they stay there (still correct,
    # read without pruning); moving them needs the conversion (`convert`), not a new partition.
    kept_in_default: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"created": self.created, "kept_in_default": self.kept_in_default}


def ensure_partitions(keys: Iterable[str]) -> PartitionReport:
    """A partition for each chain key that has none; nothing on SQLite or an unpartitioned table."""
    report = PartitionReport()
    with connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return report
        existing = partitions(cursor)
        for key in sorted(set(keys) - set(existing)):
            _literal(key)
            if "" in existing:
                cursor.execute(f"SELECT 1 FROM {existing['']} WHERE chain_key = %s LIMIT 1", [key])  # noqa: S608
                if cursor.fetchone():
                    report.kept_in_default.append(key)
                    continue
            cursor.execute(f"CREATE TABLE {partition_name(key)} PARTITION OF {TABLE} FOR VALUES IN ({_literal(key)})")
            report.created.append(key)
    return report


def _definitions(cursor) -> tuple[list[tuple[str, str, str]], list[str], str]:
    """The table's constraints ``(name, type, definition)``, its other indexes, its id sequence."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f') ORDER BY contype, conname",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
        [TABLE],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    return constraints, indexes, cursor.fetchone()[0]


def convert(cursor, *, partitioned: bool, keys: Iterable[str] = ()) -> None:
    """Rebuild the table as partitioned by chain (or as one plain table), rows and names kept.

    One transaction (the migration's): the old table is renamed and stripped of its constraints and
    indexes (so their names are free), the new table is made like it, the rows are copied, then the
    primary key, the constraints and indexes are made under their old names, the id sequence carries on
    from where the old one stood, the append-only trigger is put back, and the old table is dropped.
    Partitioned: one partition per chain present in the rows or in `keys` (the national chain too,
    once it has events), and the default partition.
    """
    constraints, indexes, old_sequence = _definitions(cursor)
    cursor.execute(f"SELECT nextval('{old_sequence}')")
    next_id = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {_OLD}")
    cursor.execute(f"DROP TRIGGER IF EXISTS audit_event_no_change ON {_OLD}")
    for name, _kind, _definition in sorted(constraints, key=lambda c: c[1] != "f"):  # foreign keys first
        cursor.execute(f'ALTER TABLE {_OLD} DROP CONSTRAINT "{name}"')
    for definition in indexes:
        cursor.execute(f'DROP INDEX "{_index_name(definition)}"')
    # The id: a sequence owned by the column (what `pg_get_serial_sequence` and Django's sequence
    # resets read); PostgreSQL 15 has no identity columns on partitioned tables. The old table's
    # identity or default goes first, so that the new table does not copy it.
    cursor.execute(f"ALTER TABLE {_OLD} ALTER COLUMN id DROP IDENTITY IF EXISTS")
    cursor.execute(f"ALTER TABLE {_OLD} ALTER COLUMN id DROP DEFAULT")
    cursor.execute(f"DROP SEQUENCE IF EXISTS {old_sequence}")
    layout = " PARTITION BY LIST (chain_key)" if partitioned else ""
    cursor.execute(f"CREATE TABLE {TABLE} (LIKE {_OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){layout}")
    cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq AS bigint OWNED BY {TABLE}.id")
    cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s, false)", [next_id])
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
    if partitioned:
        cursor.execute(f"SELECT DISTINCT chain_key FROM {_OLD}")  # noqa: S608 - our own table
        present = {row[0] for row in cursor.fetchall()}
        for key in sorted(present | set(keys)):
            cursor.execute(f"CREATE TABLE {partition_name(key)} PARTITION OF {TABLE} FOR VALUES IN ({_literal(key)})")
        cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {_OLD}")  # noqa: S608 - same columns (LIKE)
    for name, kind, definition in sorted(constraints, key=lambda c: c[1] == "f"):  # foreign keys last
        if kind == "p":
            definition = "PRIMARY KEY (id, chain_key)" if partitioned else "PRIMARY KEY (id)"
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute(_TRIGGER)
    cursor.execute(f"DROP TABLE {_OLD}")


def _index_name(definition: str) -> str:
    match = re.match(r'CREATE (?:UNIQUE )?INDEX "?([^" ]+)"? ON ', definition)
    if not match:  # pragma: no cover - pg_get_indexdef always starts so
        raise ValueError(definition)
    return match.group(1)
