"""The classification results (decision 0034) and form B (decision 0037) are partitioned by province on
PostgreSQL.

`poverty_classification` and `poverty_assessment` are `PARTITION BY LIST (province_key)`: the rows of one
province of today's structure (``2025:38``, `province_key`, a legacy unit's rows under its successor's
province) live in ``<table>_2025_38``; any other key in the default partition ``<table>_default``.
`ansinh.core.partitions` does the work, this module names the tables and their key. No database foreign
key points at either: results are pointed at by nothing, and the two references to a form B (a result's
and a review case's) are Django's only (``db_constraint=False``, checked by their writers, decision 0037).
SQLite is not partitioned; nothing here does anything there.

- `convert(cursor, partitioned=...)`: migration 0007 (the results), `convert(..., spec=ASSESSMENTS)`:
  migration 0010 (form B); both ways.
- `analyze_new(keys)`: a bulk commit gives a partition it wrote into for the first time its planner
  statistics (`core.partitions.analyze_new`).
- The administrative-unit load makes a partition per province of both (`core.partitions.ensure_registered`:
  registered in `apps.PovertyConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ansinh.core import partitions as core
from ansinh.geo.choices import Structure

SPEC = core.PartitionedTable("poverty_classification", "province_key")
DEFAULT_PARTITION = SPEC.default_partition
ASSESSMENTS = core.PartitionedTable("poverty_assessment", "province_key")


def area_key(unit_path: str) -> str | None:
    """The province key of every row placed under `unit_path` by its unit or successor path, when the
    path lies inside a province of today's structure (``/2025/38/16000/`` → ``2025:38``): a 2025 unit's
    row has no successor, a legacy unit's is reported under its successor's province. ``None`` above the
    provinces and for a legacy path (its rows are reported under successors the path does not name)."""
    key = core.province_key(unit_path)
    return key if key.startswith(f"{Structure.Y2025}:") else None


def is_partitioned(cursor, *, spec: core.PartitionedTable = SPEC) -> bool:
    return core.is_partitioned(cursor, spec)


def partitions(cursor, *, spec: core.PartitionedTable = SPEC) -> dict[str, str]:
    """``{province key: table}`` of the partitions; the default partition under the key ``""``."""
    return core.partitions(cursor, spec)


def ensure_partitions(keys: Iterable[str], *, spec: core.PartitionedTable = SPEC) -> core.PartitionReport:
    return core.ensure_partitions(spec, keys)


def analyze_new(keys: Iterable[str], *, spec: core.PartitionedTable = SPEC) -> list[str]:
    """After a bulk commit: statistics for a province's partition written for the first time."""
    return core.analyze_new(spec, keys)


def convert(cursor, *, partitioned: bool, keys: Iterable[str] = (), spec: core.PartitionedTable = SPEC) -> None:
    core.convert(cursor, spec, partitioned=partitioned, keys=keys)
