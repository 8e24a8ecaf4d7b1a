"""The classification results are partitioned by province on PostgreSQL (decision 0034).

`poverty_classification` is `PARTITION BY LIST (province_key)`: the results of one province of today's
structure (``2025:38``, `Classification.province_key`, a legacy unit's results under its successor's
province) live in ``poverty_classification_2025_38``; any other key in the default partition
``poverty_classification_default``. Results are never updated nor deleted and nothing points at them,
so the table converts as the audit log does (decision 0030): `ansinh.core.partitions` does the work,
this module names the table and its key. SQLite is not partitioned; nothing here does anything there.

- `convert(cursor, partitioned=...)`: migration 0007 (both ways).
- `analyze_new(keys)`: a bulk commit gives a partition it wrote into for the first time its planner
  statistics (`core.partitions.analyze_new`).
- The administrative-unit load makes a partition per province (`core.partitions.ensure_registered`:
  registered in `apps.PovertyConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ansinh.core import partitions as core

SPEC = core.PartitionedTable("poverty_classification", "province_key")
DEFAULT_PARTITION = SPEC.default_partition


def is_partitioned(cursor) -> bool:
    return core.is_partitioned(cursor, SPEC)


def partitions(cursor) -> dict[str, str]:
    """``{province key: table}`` of the partitions; the default partition under the key ``""``."""
    return core.partitions(cursor, SPEC)


def ensure_partitions(keys: Iterable[str]) -> core.PartitionReport:
    return core.ensure_partitions(SPEC, keys)


def analyze_new(keys: Iterable[str]) -> list[str]:
    """After a bulk commit: statistics for a province's partition written for the first time."""
    return core.analyze_new(SPEC, keys)


def convert(cursor, *, partitioned: bool, keys: Iterable[str] = ()) -> None:
    core.convert(cursor, SPEC, partitioned=partitioned, keys=keys)
