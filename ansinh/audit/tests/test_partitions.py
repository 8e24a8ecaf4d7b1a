"""The audit log partitioned by chain on PostgreSQL (decision 0030), and the chain condition of the
area scope on both databases."""

import pytest
from django.db import DatabaseError, connection, transaction

from ansinh.audit import partitions
from ansinh.audit.models import AuditEvent, chain_key_for
from ansinh.audit.selectors import audit_event_list_visible_to
from ansinh.audit.tests.helpers import record
from ansinh.core.testing.concurrency import requires_postgresql
from ansinh.core.tests.partition_shape import plan_of, table_shape, where_clause


def _table_of(event) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def test_partition_names_come_from_checked_chain_keys():
    assert partitions.partition_name("2025:38") == "audit_auditevent_2025_38"
    assert partitions.partition_name("legacy:38") == "audit_auditevent_legacy_38"
    assert partitions.partition_name("national") == "audit_auditevent_national"
    for bad in ("", "38'; DROP TABLE x; --", "a b", "x" * 41):
        with pytest.raises(ValueError, match="not a chain key"):
            partitions.partition_name(bad)


def test_the_chain_of_a_path():
    assert chain_key_for("/2025/38/16000/T1/") == "2025:38"
    assert chain_key_for("/legacy/38/393/15850/") == "legacy:38"
    assert chain_key_for("/2025/") == "national"
    assert chain_key_for("") == "national"


@pytest.mark.django_db
def test_sqlite_is_not_partitioned_and_ensuring_partitions_does_nothing():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        assert not partitions.is_partitioned(cursor)
    assert partitions.ensure_partitions(["2025:38"]).as_dict() == {"created": [], "kept_in_default": []}


def test_an_area_reads_its_chains_only_and_exactly(units, users):
    """Both databases: the chain condition is added for a province or commune reader and changes no result."""
    th = record(unit=units.t1)
    th_legacy = record(unit=units.xuan_hong)
    dl = record(unit=units.b1)
    national = record(unit="")
    province = audit_event_list_visible_to(user=users.inspector)
    assert '"chain_key" IN (2025:38)' in where_clause(province)
    assert set(province.values_list("pk", flat=True)) >= {th.pk} and dl.pk not in set(
        province.values_list("pk", flat=True)
    )
    assert national.pk not in set(province.values_list("pk", flat=True))
    commune = set(audit_event_list_visible_to(user=users.commune_officer).values_list("pk", flat=True))
    assert th.pk in commune and dl.pk not in commune and th_legacy.pk not in commune
    everything = audit_event_list_visible_to(user=users.auditor)
    assert "chain_key" not in where_clause(everything)
    assert {th.pk, th_legacy.pk, dl.pk, national.pk} <= set(everything.values_list("pk", flat=True))


@requires_postgresql
@pytest.mark.django_db
def test_the_table_is_partitioned_by_chain_with_the_chain_in_its_primary_key():
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor)
        assert partitions.partitions(cursor)[""] == partitions.DEFAULT_PARTITION
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'audit_auditevent_pkey'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, chain_key)"
        cursor.execute("SELECT pg_get_serial_sequence('audit_auditevent', 'id')")
        assert cursor.fetchone()[0] == "public.audit_auditevent_id_seq"


@requires_postgresql
@pytest.mark.django_db
def test_a_province_gets_its_own_partition_and_events_land_in_it(units):
    before = record(unit=units.b1)  # Đắk Lắk has no partition yet: the default one
    assert _table_of(before) == partitions.DEFAULT_PARTITION
    report = partitions.ensure_partitions(["2025:38", "2025:38"])
    assert report.created == ["2025:38"] and report.kept_in_default == []
    event = record(unit=units.t1)
    assert _table_of(event) == "audit_auditevent_2025_38"
    assert AuditEvent.objects.get(pk=event.pk).chain_key == "2025:38"  # found by id alone
    # A chain whose events are already in the default partition stays there (correct, unpruned).
    report = partitions.ensure_partitions(["2025:38", chain_key_for(units.b1.path)])
    assert report.created == [] and report.kept_in_default == [chain_key_for(units.b1.path)]
    assert _table_of(record(unit=units.b1)) == partitions.DEFAULT_PARTITION


@requires_postgresql
@pytest.mark.django_db
def test_the_province_partitions_come_from_the_loaded_provinces(units):
    with connection.cursor() as cursor:
        keys = partitions.province_chain_keys(cursor)
    assert {"2025:38", "2025:66"} <= set(keys)
    assert not any(key.startswith("legacy:") for key in keys)  # they stay in the default partition
    assert partitions.ensure_partitions(keys).created == keys


@pytest.fixture
def province_partitions(units):
    """Before the users: making their role assignments writes events into their provinces' chains."""
    return partitions.ensure_partitions(["2025:38", "2025:66", "legacy:38"])


@requires_postgresql
@pytest.mark.django_db
def test_a_province_reader_reads_one_partition(province_partitions, units, users):
    assert province_partitions.created == ["2025:38", "2025:66", "legacy:38"]
    record(unit=units.t1)
    record(unit=units.b1)
    plan = plan_of(audit_event_list_visible_to(user=users.inspector))
    assert "on audit_auditevent_2025_38 " in plan
    assert "audit_auditevent_2025_66" not in plan
    assert "audit_auditevent_legacy_38" not in plan
    assert partitions.DEFAULT_PARTITION not in plan


@requires_postgresql
@pytest.mark.django_db
def test_events_stay_append_only_in_every_partition(units):
    partitions.ensure_partitions(["2025:38"])
    event = record(unit=units.t1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="sửa")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent_2025_38 WHERE id = %s", [event.pk])


@requires_postgresql
@pytest.mark.django_db
def test_the_conversion_keeps_rows_names_ids_and_protection_both_ways(units):
    events = [record(unit=units.t1), record(unit=units.b1), record(unit="")]

    def shape():
        return table_shape("audit_auditevent")

    rows = list(AuditEvent.objects.order_by("pk").values())
    partitioned_shape = shape()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        partitions.convert(cursor, partitioned=False)
        assert not partitions.is_partitioned(cursor)
    assert list(AuditEvent.objects.order_by("pk").values()) == rows
    plain = record(unit=units.t1)
    assert plain.pk > max(e.pk for e in events)  # the id sequence carried on
    with connection.cursor() as cursor:
        partitions.convert(cursor, partitioned=True)
        assert partitions.is_partitioned(cursor)
        assert set(partitions.partitions(cursor)) == {"", "2025:38", "2025:66", "national"}
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert shape() == partitioned_shape
    assert _table_of(plain) == "audit_auditevent_2025_38"
    assert record(unit=units.t1).pk > plain.pk
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=plain.pk).delete()
    assert AuditEvent.objects.count() == len(rows) + 2
