"""geo_load and geo_stats: the real national data set (slow) and the row-by-row comparison (fast)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from ansinh.audit.models import AuditEvent
from ansinh.geo import dataset
from ansinh.geo.choices import LEGACY_LAST_DAY, REFORM_DATE, AreaType, Level, Structure, UnitType
from ansinh.geo.events import GeoEventType
from ansinh.geo.models import AdminUnit, GeoDatasetLoad, UnitSuccession
from ansinh.geo.services import unit_set_area_type, village_create
from conftest import make_user


def _run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


# -- the real data set ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_geo_load_real_data_set_twice_and_stats():
    first = _run("geo_load")
    assert first["skipped"] is False
    expected = {
        "2025": {"province": 34, "commune": 3321, "village": 0},
        "legacy": {"province": 63, "district": 696, "commune": 10035, "village": 0},
    }
    assert {k: first["totals"][k] for k in ("2025", "legacy")} == expected
    assert first["units"]["created"] == 34 + 3321 + 63 + 696 + 10035
    assert first["succession"]["created"] > 10035  # every legacy commune, some to several
    assert AuditEvent.objects.filter(event_type=GeoEventType.DATASET_LOADED).count() == 1

    # Every legacy commune has exactly one default successor, which is its successor_path.
    legacy_communes = AdminUnit.objects.filter(structure=Structure.LEGACY, level=Level.COMMUNE)
    assert UnitSuccession.objects.filter(is_default=True).count() == 10035
    assert not legacy_communes.filter(successor_path="").exists()
    phuc_xa = legacy_communes.get(code="00001")  # Phường Phúc Xá, Quận Ba Đình, Hà Nội
    default = UnitSuccession.objects.get(predecessor=phuc_xa, is_default=True).successor
    assert phuc_xa.successor_path == default.path
    assert default.path.startswith("/2025/01/")
    # Codes collide across structures: ward 00004 exists in both trees.
    assert AdminUnit.objects.filter(code="00004").exclude(level=Level.VILLAGE).count() == 2

    hanoi = AdminUnit.objects.get(structure=Structure.Y2025, code="01")
    assert (hanoi.unit_type, hanoi.name, hanoi.short_name) == (UnitType.MUNICIPALITY, "Thành phố Hà Nội", "Hà Nội")
    assert hanoi.valid_from == REFORM_DATE and hanoi.valid_to is None
    assert AdminUnit.objects.get(structure=Structure.LEGACY, code="01").valid_to == LEGACY_LAST_DAY
    special = AdminUnit.objects.filter(structure=Structure.Y2025, unit_type=UnitType.SPECIAL_ZONE)
    assert special.count() == 13 and not special.exclude(area_type="").exists()
    assert not AdminUnit.objects.filter(unit_type=UnitType.WARD).exclude(area_type=AreaType.URBAN).exists()
    assert not AdminUnit.objects.filter(unit_type=UnitType.TOWNSHIP).exclude(area_type=AreaType.URBAN).exists()
    assert not AdminUnit.objects.filter(unit_type=UnitType.COMMUNE).exclude(area_type=AreaType.RURAL).exists()
    # Island districts without communes point at the special zone they became.
    con_dao = AdminUnit.objects.get(structure=Structure.LEGACY, level=Level.DISTRICT, short_name="Côn Đảo")
    assert AdminUnit.objects.get(path=con_dao.successor_path).unit_type == UnitType.SPECIAL_ZONE

    second = _run("geo_load")
    assert second["skipped"] is True
    forced = _run("geo_load", "--force")
    assert forced["units"] == {"created": 0, "updated": 0, "unchanged": 14149}
    assert forced["succession"] == {"created": 0, "updated": 0, "deleted": 0}
    assert AuditEvent.objects.filter(event_type=GeoEventType.DATASET_LOADED).count() == 1
    assert GeoDatasetLoad.objects.count() == 1

    stats = _run("geo_stats")
    assert stats == {**expected, "succession": UnitSuccession.objects.count()}


def test_read_dataset_maps_types_and_succession_without_database():
    data = dataset.read_dataset()
    assert len(data.rows) == 34 + 3321 + 63 + 696 + 10035
    by_path = {row.path: row for row in data.rows}
    assert len(by_path) == len(data.rows)
    types = {row.unit_type for row in data.rows if row.level == Level.DISTRICT}
    assert types == {UnitType.URBAN_DISTRICT, UnitType.RURAL_DISTRICT, UnitType.TOWN, UnitType.PROVINCIAL_CITY}
    for old, new, _default in data.successions:
        assert old.startswith("/legacy/") and new.startswith("/2025/")
        assert by_path[old].level == by_path[new].level == Level.COMMUNE


# -- the comparison, on a tiny data set -------------------------------------------------------


def _tiny(commune_name="Xã Thọ Xuân", successor="/2025/38/16000/"):
    y, lg = Structure.Y2025, Structure.LEGACY
    rows = [
        dataset.Row(y, "38", Level.PROVINCE, UnitType.PROVINCE, "Tỉnh Thanh Hóa", "Thanh Hóa", None, "/2025/38/"),
        dataset.Row(y, "16000", Level.COMMUNE, UnitType.COMMUNE, commune_name, commune_name.removeprefix("Xã "),
                    "/2025/38/", "/2025/38/16000/", 19.9, 105.4, 50.5, area_type=AreaType.RURAL),
        dataset.Row(y, "16001", Level.COMMUNE, UnitType.SPECIAL_ZONE, "Đặc khu Thử", "Thử", "/2025/38/",
                    "/2025/38/16001/"),
        dataset.Row(lg, "38", Level.PROVINCE, UnitType.PROVINCE, "Tỉnh Thanh Hóa", "Thanh Hóa", None, "/legacy/38/",
                    successor_path="/2025/38/"),
        dataset.Row(lg, "393", Level.DISTRICT, UnitType.RURAL_DISTRICT, "Huyện Thọ Xuân", "Thọ Xuân", "/legacy/38/",
                    "/legacy/38/393/", successor_path="/2025/38/"),
        dataset.Row(lg, "15850", Level.COMMUNE, UnitType.COMMUNE, "Xã Xuân Hồng", "Xuân Hồng", "/legacy/38/393/",
                    "/legacy/38/393/15850/", successor_path=successor, area_type=AreaType.RURAL),
    ]  # fmt: skip
    successions = [
        ("/legacy/38/393/15850/", "/2025/38/16000/", successor == "/2025/38/16000/"),
        ("/legacy/38/393/15850/", "/2025/38/16001/", successor == "/2025/38/16001/"),
    ]
    return dataset.Dataset(rows=rows, successions=successions)


@pytest.fixture
def tiny_source(monkeypatch):
    state = {"data": _tiny(), "checksum": "a" * 64}
    monkeypatch.setattr(dataset, "read_dataset", lambda: state["data"])
    monkeypatch.setattr(dataset, "source_checksum", lambda: state["checksum"])
    return state


def test_load_writes_only_differences_and_keeps_what_people_set(db, tiny_source, roles):
    admin = make_user("national_admin", role="system_admin", roles=roles)  # not `users`: it brings the test tree
    first = dataset.geo_dataset_load()
    assert first["units"] == {"created": 6, "updated": 0, "unchanged": 0}
    assert first["succession"]["created"] == 2
    commune = AdminUnit.objects.get(path="/2025/38/16000/")
    assert (commune.latitude, commune.area_km2, commune.name_folded) == (19.9, 50.5, "xa tho xuan")
    legacy = AdminUnit.objects.get(path="/legacy/38/393/15850/")
    # People act on the loaded units: a village under the legacy commune, an area type for the zone.
    village = village_create(actor=admin, commune=legacy, code="X1", name="Thôn Xuân Hồng 1", unit_type="thon",
                             as_of=LEGACY_LAST_DAY)  # fmt: skip
    zone = AdminUnit.objects.get(path="/2025/38/16001/")
    assert zone.area_type == ""
    unit_set_area_type(actor=admin, unit=zone, area_type=AreaType.URBAN, reason="QĐ 7/QĐ-UBND")

    # Same checksum: skipped. New source: renamed commune, the legacy commune's default successor moves.
    assert dataset.geo_dataset_load()["skipped"] is True
    tiny_source.update(data=_tiny("Xã Thọ Xuân Mới", "/2025/38/16001/"), checksum="b" * 64)
    second = dataset.geo_dataset_load()
    assert second["units"] == {"created": 0, "updated": 2, "unchanged": 4}
    assert second["succession"] == {"created": 0, "updated": 2, "deleted": 0}
    assert AdminUnit.objects.get(path="/2025/38/16000/").sort_key == AdminUnit.derived_text("", "Thọ Xuân Mới")[1]
    assert AdminUnit.objects.get(path="/2025/38/16001/").area_type == AreaType.URBAN  # not reset to blank
    village.refresh_from_db()
    assert village.successor_path == "/2025/38/16001/"  # follows its commune's new successor
    assert UnitSuccession.objects.get(predecessor=legacy, is_default=True).successor == zone
    assert AuditEvent.objects.filter(event_type=GeoEventType.DATASET_LOADED).count() == 2

    # A link dropped from the source is removed.
    data = _tiny("Xã Thọ Xuân Mới", "/2025/38/16001/")
    data.successions = data.successions[1:]
    tiny_source.update(data=data, checksum="c" * 64)
    third = dataset.geo_dataset_load()
    assert third["succession"] == {"created": 0, "updated": 0, "deleted": 1}
    assert third["units"]["updated"] == 0


def test_load_writes_nothing_when_a_row_is_broken(db, tiny_source):
    data = _tiny()
    data.successions.append(("/legacy/38/393/15850/", "/2025/99/00000/", False))  # unknown unit
    tiny_source["data"] = data
    with pytest.raises(dataset.DatasetError, match="/2025/99/00000/"):
        dataset.geo_dataset_load()
    assert not AdminUnit.objects.exists()
    assert not GeoDatasetLoad.objects.exists()


def test_stats_counts_villages(units):
    stats = _run("geo_stats")
    assert stats["2025"] == {"province": 2, "commune": 3, "village": 3}
    assert stats["legacy"] == {"province": 1, "district": 1, "commune": 1, "village": 0}
    assert stats["succession"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's (0030, 0034, 0037)")
def test_load_gives_every_partitioned_table_a_partition_per_province(db, tiny_source):
    """The audit log, the classification results and form B (registered by their apps, above this one) get
    the loaded provinces' partitions before their first row; the legacy province gets none."""
    dataset.geo_dataset_load()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.relname, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname IN ('audit_auditevent', 'poverty_classification', 'poverty_assessment')"
        )
        found = set(cursor.fetchall())
    assert found == {
        ("audit_auditevent", "audit_auditevent_2025_38"), ("audit_auditevent", "audit_auditevent_default"),
        ("poverty_classification", "poverty_classification_2025_38"),
        ("poverty_classification", "poverty_classification_default"),
        ("poverty_assessment", "poverty_assessment_2025_38"), ("poverty_assessment", "poverty_assessment_default"),
    }  # fmt: skip
