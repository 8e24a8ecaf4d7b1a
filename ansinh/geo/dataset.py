"""Loading the national administrative-unit data set (package `vietnamadminunits`) into `AdminUnit`.

Two structures are loaded side by side, because records made before 1/7/2025 stay attached to the
units they were made in:

- ``2025``: 34 provinces and 3,321 communes of the two-level government (Luật Tổ chức chính quyền
  địa phương 2025; Nghị quyết 202/2025/QH15 on provinces; the Standing Committee's resolutions on
  communes), in force from 1/7/2025;
- ``legacy``: 63 provinces, 696 districts and 10,035 communes, in force until 30/6/2025.

Succession comes from the package's converter: each legacy commune has one or more 2025 communes
(one "default" when it was divided); a legacy district and province are reported under the 2025
province that absorbed them (whole provinces were merged, so that is exact). The five island
districts without communes became special zones (đặc khu) and point at them.

The load is idempotent: rows are compared with the source and only differences are written, and a
load whose source checksum equals the last one is skipped altogether. Villages are never touched
(they are managed by communes through `village_create`), and neither is an area type that an
administrator has set (`unit_set_area_type`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ansinh.audit.services import audit_record
from ansinh.core import partitions

from .choices import LEGACY_LAST_DAY, REFORM_DATE, AreaType, Level, Structure, UnitType
from .events import GeoEventType
from .models import AdminUnit, GeoDatasetLoad, UnitSuccession

SOURCE = "vietnamadminunits"
# Bumped when the mapping below changes, so that an unchanged source is still reloaded once.
LOADER_VERSION = "1"
BATCH_SIZE = 1000

# Fields the data set owns; anything else on a unit (area type once set, villages) belongs to people.
MANAGED_FIELDS = (
    "level",
    "unit_type",
    "name",
    "short_name",
    "name_folded",
    "sort_key",
    "parent_id",
    "path",
    "successor_path",
    "latitude",
    "longitude",
    "area_km2",
    "valid_from",
    "valid_to",
)

DISTRICT_TYPES = {
    "Quận": UnitType.URBAN_DISTRICT,
    "Huyện": UnitType.RURAL_DISTRICT,
    "Thị xã": UnitType.TOWN,
    "Thành phố": UnitType.PROVINCIAL_CITY,
}
COMMUNE_TYPES = {
    "Phường": UnitType.WARD,
    "Xã": UnitType.COMMUNE,
    "Thị trấn": UnitType.TOWNSHIP,
    "Đặc khu": UnitType.SPECIAL_ZONE,
}
# The income line of a household depends on whether its commune is urban or rural (NĐ 07/2021/NĐ-CP
# Điều 3). Wards and townships are urban, communes rural; a special zone mixes both, so it is left
# blank until an administrator decides.
DEFAULT_AREA_TYPES = {
    UnitType.WARD: AreaType.URBAN,
    UnitType.TOWNSHIP: AreaType.URBAN,
    UnitType.COMMUNE: AreaType.RURAL,
}


class DatasetError(RuntimeError):
    """The source data does not match what the loader expects (nothing is written)."""


def source_files() -> list[Path]:
    import vietnamadminunits

    base = Path(vietnamadminunits.__file__).resolve().parent / "data"
    return [base / "dataset.db", base / "converter_2025.json"]


def source_checksum() -> str:
    """SHA-256 over the package's unit database and converter (and the loader version)."""
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"loader:{LOADER_VERSION}".encode())
    return digest.hexdigest()


def _province_type(name: str) -> str:
    # "Thành phố Hà Nội", "Thành phố Huế" … are centrally governed municipalities.
    return UnitType.MUNICIPALITY if name.startswith("Thành phố") else UnitType.PROVINCE


def _lookup(mapping: dict[str, str], value: str | None, what: str) -> str:
    try:
        return mapping[value or ""]
    except KeyError as exc:
        raise DatasetError(f"Unknown {what} type {value!r} in the source data.") from exc


@dataclass
class Row:
    """The wanted state of one unit; `parent_path` is resolved to `parent_id` once parents exist."""

    structure: str
    code: str
    level: str
    unit_type: str
    name: str
    short_name: str
    parent_path: str | None
    path: str
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None
    successor_path: str = ""
    area_type: str = ""

    def values(self, parent_ids: dict[str, int]) -> dict[str, Any]:
        legacy = self.structure == Structure.LEGACY
        name_folded, sort_key = AdminUnit.derived_text(self.name, self.short_name)
        return {
            "level": self.level,
            "unit_type": self.unit_type,
            "name": self.name,
            "short_name": self.short_name,
            "name_folded": name_folded,
            "sort_key": sort_key,
            "parent_id": parent_ids[self.parent_path] if self.parent_path else None,
            "path": self.path,
            "successor_path": self.successor_path,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "area_km2": self.area_km2,
            "valid_from": None if legacy else REFORM_DATE,
            "valid_to": LEGACY_LAST_DAY if legacy else None,
        }


@dataclass
class Dataset:
    rows: list[Row] = field(default_factory=list)
    # (legacy commune path, 2025 commune path, is_default)
    successions: list[tuple[str, str, bool]] = field(default_factory=list)


def read_dataset() -> Dataset:
    """Both structures and the succession links, as plain rows (no database access)."""
    from vietnamadminunits.database import get_data

    converter = json.loads(source_files()[1].read_text(encoding="utf-8"))
    new_rows = get_data(table="admin_units")
    old_rows = get_data(table="admin_units_legacy")
    data = Dataset()
    seen: set[str] = set()

    def add(row: Row) -> None:
        if row.path not in seen:
            seen.add(row.path)
            data.rows.append(row)

    y, lg = Structure.Y2025, Structure.LEGACY
    new_province_path: dict[str, str] = {}  # provinceKey → path
    new_commune_path: dict[tuple[str, str], str] = {}  # (provinceKey, wardKey) → path
    for r in new_rows:
        province_path = f"/{y}/{r['provinceCode']}/"
        new_province_path[r["provinceKey"]] = province_path
        add(Row(y, r["provinceCode"], Level.PROVINCE, _province_type(r["province"]), r["province"],
                r["provinceShort"], None, province_path, r["provinceLat"], r["provinceLon"]))  # fmt: skip
        unit_type = _lookup(COMMUNE_TYPES, r["wardType"], "commune")
        path = f"{province_path}{r['wardCode']}/"
        new_commune_path[(r["provinceKey"], r["wardKey"])] = path
        area_type = DEFAULT_AREA_TYPES.get(unit_type, "")
        add(Row(y, r["wardCode"], Level.COMMUNE, unit_type, r["ward"], r["wardShort"], province_path, path,
                r["wardLat"], r["wardLon"], r["wardAreaKm2"], area_type=area_type))  # fmt: skip

    # Legacy key "province_district_ward" → [(2025 commune path, is_default)].
    successors: dict[str, list[tuple[str, bool]]] = {}
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                successors.setdefault(old_key, []).append((new_commune_path[(new_province, new_ward)], True))
    for new_province, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in divided.items():
            for target in targets:
                path = new_commune_path[(new_province, target["newWardKey"])]
                successors.setdefault(old_key, []).append((path, bool(target["isDefaultNewWard"])))
    province_successor = {
        old: new_province_path[new] for new, olds in converter["DICT_PROVINCE"].items() for old in olds
    }

    for r in old_rows:
        province_path = f"/{lg}/{r['provinceCode']}/"
        new_province = province_successor.get(r["provinceKey"])
        if new_province is None:
            raise DatasetError(f"Legacy province {r['province']!r} has no 2025 successor.")
        add(Row(lg, r["provinceCode"], Level.PROVINCE, _province_type(r["province"]), r["province"],
                r["provinceShort"], None, province_path, r["provinceLat"], r["provinceLon"],
                successor_path=new_province))  # fmt: skip
        district_path = f"{province_path}{r['districtCode']}/"
        district_key = f"{r['provinceKey']}_{r['districtKey']}_"
        # An island district without communes (Bạch Long Vĩ, Cồn Cỏ, Lý Sơn, Côn Đảo, Hoàng Sa) became
        # a special zone; the converter maps the district itself to it.
        district_successor = successors.get(district_key, [(new_province, True)])[0][0]
        add(Row(lg, r["districtCode"], Level.DISTRICT, _lookup(DISTRICT_TYPES, r["districtType"], "district"),
                r["district"], r["districtShort"], province_path, district_path, r["districtLat"],
                r["districtLon"], successor_path=district_successor))  # fmt: skip
        if not r["ward"]:
            continue
        unit_type = _lookup(COMMUNE_TYPES, r["wardType"], "commune")
        path = f"{district_path}{r['wardCode']}/"
        targets = successors.get(f"{district_key}{r['wardKey']}", [])
        if not targets:
            raise DatasetError(f"Legacy commune {r['ward']!r} ({r['wardCode']}) has no 2025 successor.")
        default = next((p for p, is_default in targets if is_default), targets[0][0])
        add(Row(lg, r["wardCode"], Level.COMMUNE, unit_type, r["ward"], r["wardShort"], district_path, path,
                r["wardLat"], r["wardLon"], successor_path=default,
                area_type=DEFAULT_AREA_TYPES.get(unit_type, "")))  # fmt: skip
        data.successions.extend((path, target_path, target_path == default) for target_path, _d in targets)
    return data


_LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def _apply_units(data: Dataset) -> tuple[dict[str, int], dict[str, int]]:
    """Create missing units and update changed ones, parents first. Returns (path → id, counts)."""
    existing = {
        (u["structure"], u["code"]): u
        for u in AdminUnit.objects.exclude(level=Level.VILLAGE).values("id", "structure", "code", *MANAGED_FIELDS)
    }
    path_ids = {u["path"]: u["id"] for u in existing.values()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    now = timezone.now()
    relocated: list[int] = []  # units whose path or successor changed: their villages follow
    for level in _LEVEL_ORDER:
        to_create: list[AdminUnit] = []
        to_update: list[AdminUnit] = []
        changed_fields: set[str] = set()
        for row in (r for r in data.rows if r.level == level):
            wanted = row.values(path_ids)
            current = existing.get((row.structure, row.code))
            if current is None:
                to_create.append(AdminUnit(structure=row.structure, code=row.code, area_type=row.area_type, **wanted))
                continue
            diff = {name for name, value in wanted.items() if current[name] != value}
            if not diff:
                counts["unchanged"] += 1
                continue
            if diff & {"path", "successor_path"}:
                relocated.append(current["id"])
            changed_fields |= diff
            to_update.append(
                AdminUnit(id=current["id"], structure=row.structure, code=row.code, updated_at=now, **wanted)
            )
        if to_create:
            AdminUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            counts["created"] += len(to_create)
        if to_update:
            # bulk_update skips auto_now, so the change time is set explicitly.
            fields = [*sorted(changed_fields), "updated_at"]
            AdminUnit.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE // 2)
            counts["updated"] += len(to_update)
        if to_create:
            # Re-read ids rather than rely on RETURNING from bulk_create (not on every backend).
            path_ids.update(AdminUnit.objects.filter(level=level).values_list("path", "id"))
    _follow_parents(relocated)
    return path_ids, counts


def _follow_parents(parent_ids: list[int]) -> None:
    """Villages of a unit whose path or successor changed take the new values along.

    A village's path extends its commune's, and a legacy village is reported under its commune's
    successor, so both are derived from the parent (see `village_create`).
    """
    for start in range(0, len(parent_ids), BATCH_SIZE):
        villages = list(
            AdminUnit.objects.filter(
                parent_id__in=parent_ids[start : start + BATCH_SIZE], level=Level.VILLAGE
            ).select_related("parent")
        )
        for village in villages:
            village.path = AdminUnit.build_path(village.parent, village.structure, village.code)
            village.successor_path = village.parent.successor_path
        AdminUnit.objects.bulk_update(villages, ["path", "successor_path"], batch_size=BATCH_SIZE // 2)


def _apply_successions(data: Dataset, path_ids: dict[str, int]) -> dict[str, int]:
    unknown = {p for link in data.successions for p in link[:2] if p not in path_ids}
    if unknown:
        raise DatasetError(f"Succession links name units missing from the data set: {sorted(unknown)[:5]}")
    wanted = {(path_ids[old], path_ids[new]): is_default for old, new, is_default in data.successions}
    legacy_commune_ids = {path_ids[old] for old, _new, _d in data.successions}
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in UnitSuccession.objects.filter(predecessor__structure=Structure.LEGACY)
    }
    to_create = [
        UnitSuccession(predecessor_id=p, successor_id=s, is_default=d)
        for (p, s), d in wanted.items()
        if (p, s) not in existing
    ]
    to_update = []
    for key, row in existing.items():
        if key in wanted and row.is_default != wanted[key]:
            row.is_default = wanted[key]
            to_update.append(row)
    stale = [row.pk for key, row in existing.items() if key not in wanted and key[0] in legacy_commune_ids]
    UnitSuccession.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    UnitSuccession.objects.bulk_update(to_update, ["is_default"], batch_size=BATCH_SIZE)
    for start in range(0, len(stale), BATCH_SIZE):
        UnitSuccession.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    return {"created": len(to_create), "updated": len(to_update), "deleted": len(stale)}


def dataset_totals() -> dict[str, Any]:
    """Counts per structure and level (and succession links), as `geo_stats` prints them."""
    totals: dict[str, Any] = {
        Structure.Y2025.value: {Level.PROVINCE.value: 0, Level.COMMUNE.value: 0, Level.VILLAGE.value: 0},
        Structure.LEGACY.value: {level.value: 0 for level in Level},
    }
    for row in AdminUnit.objects.values("structure", "level").annotate(n=Count("id")).order_by():
        totals.setdefault(row["structure"], {})[row["level"]] = row["n"]
    totals["succession"] = UnitSuccession.objects.count()
    return totals


def geo_dataset_load(*, actor=None, force: bool = False) -> dict[str, Any]:
    """Bring the units and succession links in line with the installed data set.

    Guarantees: one transaction (a failed load writes nothing); only changed rows are written;
    a second load of the same source is skipped (``force`` compares row by row anyway); a load
    that changed something records one `GeoDatasetLoad` and one audit event.
    """
    started = time.monotonic()
    checksum = source_checksum()
    last = GeoDatasetLoad.objects.filter(source=SOURCE).order_by("-loaded_at", "-pk").first()
    loaded = AdminUnit.objects.filter(structure=Structure.Y2025, level=Level.PROVINCE).exists()
    if not force and last is not None and last.checksum == checksum and loaded:
        return {"skipped": True, "checksum": checksum, "seconds": round(time.monotonic() - started, 3)}
    data = read_dataset()
    with transaction.atomic():
        path_ids, unit_counts = _apply_units(data)
        succession_counts = _apply_successions(data, path_ids)
        # PostgreSQL: every province gets its own partition of each partitioned table (the audit log's
        # chains, the classification results: registered by their apps) before its first row.
        with connection.cursor() as cursor:
            partitions.ensure_registered(partitions.province_keys(cursor))
        changed = unit_counts["created"] + unit_counts["updated"] + sum(succession_counts.values())
        counts = {"units": unit_counts, "succession": succession_counts, "totals": dataset_totals()}
        if changed or last is None or last.checksum != checksum:
            load = GeoDatasetLoad.objects.create(source=SOURCE, checksum=checksum, counts=counts)
            if changed:
                audit_record(
                    actor=actor,
                    event_type=GeoEventType.DATASET_LOADED,
                    target=load,
                    changes={"new": {"checksum": checksum, "units": unit_counts, "succession": succession_counts}},
                )
    return {"skipped": False, "checksum": checksum, **counts, "seconds": round(time.monotonic() - started, 3)}
