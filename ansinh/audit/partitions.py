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

The work is `ansinh.core.partitions` (shared with the classification results, decision 0034); this
module names the table, its key and its append-only trigger. SQLite is not partitioned; every function
here does nothing there.

- `convert(cursor, partitioned=...)` rebuilds the table as partitioned (or back), keeping its rows,
  columns, constraints, index names, id sequence and append-only trigger: migration 0005.
- `ensure_partitions(keys)` gives chains their own partition: the administrative-unit load makes one
  for every province of today's structure (`core.partitions.ensure_registered`), so a new installation
  has the 34 province tables before the first event.
"""

from __future__ import annotations

from collections.abc import Iterable

from ansinh.core import partitions as core
from ansinh.core.partitions import PartitionReport

TABLE = "audit_auditevent"
# The append-only trigger of migration 0002 (its function stays in place across the conversion).
_TRIGGER = (
    f"CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
)
SPEC = core.PartitionedTable(TABLE, "chain_key", triggers=(("audit_event_no_change", _TRIGGER),))
DEFAULT_PARTITION = SPEC.default_partition


def partition_name(key: str) -> str:
    """``2025:38`` → ``audit_auditevent_2025_38`` (a chain key is at most 40 characters)."""
    return SPEC.partition_name(key)


def is_partitioned(cursor) -> bool:
    return core.is_partitioned(cursor, SPEC)


def partitions(cursor) -> dict[str, str]:
    """``{chain key: table}`` of the partitions; the default partition under the key ``""``."""
    return core.partitions(cursor, SPEC)


def province_chain_keys(cursor) -> list[str]:
    """The chain of every province of today's structure (units loaded by `geo_load`); not the 63
    legacy provinces' (their few events stay in the default partition)."""
    return core.province_keys(cursor)


def ensure_partitions(keys: Iterable[str]) -> PartitionReport:
    """A partition for each chain key that has none; nothing on SQLite or an unpartitioned table."""
    return core.ensure_partitions(SPEC, keys)


def convert(cursor, *, partitioned: bool, keys: Iterable[str] = ()) -> None:
    """Rebuild the table as partitioned by chain (or as one plain table), rows, names, id sequence
    and append-only trigger kept (`core.partitions.convert`)."""
    core.convert(cursor, SPEC, partitioned=partitioned, keys=keys)
