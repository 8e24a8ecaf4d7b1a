"""The classification results partitioned by province on PostgreSQL (decision 0034): every writer sets
the province key, the reads by area and by household add it exactly (both databases), a province's
read touches one partition, the conversion keeps everything both ways."""

import importlib
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from ansinh.core.partitions import reported_province_key
from ansinh.core.scoping import ScopedQuerySet
from ansinh.core.testing.concurrency import requires_postgresql
from ansinh.core.tests.partition_shape import (
    AREA_READERS,
    MigrationEditor,
    assert_reads_its_province_only_and_exactly,
    partitions_holding,
    plan_of,
    table_shape,
    where_clause,
)
from ansinh.poverty import classify_sql, partitions, selectors
from ansinh.poverty.classify_sql import NotCompilable
from ansinh.poverty.models import Classification
from ansinh.poverty.services import household_classify
from ansinh.poverty.services_runs import run_commit, run_start

from .factories import form_b, known_household

ON_DATE = date(2026, 11, 1)
MIGRATION = importlib.import_module("ansinh.poverty.migrations.0007_partition_by_province")
BACKFILL = importlib.import_module("ansinh.poverty.migrations.0006_classification_province_key")


def _tables_of(rows) -> set[str]:
    return partitions_holding("poverty_classification", [row.pk for row in rows])


@pytest.fixture
def province_partitions(units):
    """Thanh Hóa's and Đắk Lắk's partitions, as `geo_load` makes them (nothing on SQLite)."""
    return partitions.ensure_partitions(["2025:38", "2025:66"])


@pytest.fixture
def homes(province_partitions, standards, units, users):
    """A household of Thọ Xuân, one of legacy Xuân Hồng (reported under Thọ Xuân), one of M'Đrắk; each
    with a form B."""
    homes = {
        "th": known_household(units.tho_xuan, village=units.t1, code="P1"),
        "legacy": known_household(units.xuan_hong, code="P2"),
        "dl": known_household(units.mdrak, village=units.b1, code="P3"),
    }
    for home in homes.values():
        form_b(home, users.system_admin, income=1_200_000)
    return homes


@pytest.fixture
def results(homes, standards, users):
    """One result per household, classified one at a time (`household_classify`), twice for Thọ Xuân's."""
    rows = {name: household_classify(actor=users.system_admin, household=home, standard=standards.s2022_2025,
                                     on_date=ON_DATE) for name, home in homes.items()}  # fmt: skip
    rows["th_again"] = household_classify(actor=users.system_admin, household=homes["th"],
                                          standard=standards.s2022_2025, on_date=ON_DATE)  # fmt: skip
    return rows


def _expected(row: Classification) -> str:
    return reported_province_key(row.unit_path, row.successor_path)


def test_one_household_at_a_time_sets_the_key(results):
    assert {name: row.province_key for name, row in results.items()} == {
        "th": "2025:38", "legacy": "2025:38", "dl": "2025:66", "th_again": "2025:38",
    }  # fmt: skip
    stored = dict(Classification.objects.values_list("pk", "province_key"))
    assert stored == {row.pk: row.province_key for row in results.values()}
    if connection.vendor == "postgresql":
        assert _tables_of([results["th"], results["legacy"]]) == {"poverty_classification_2025_38"}
        assert _tables_of([results["dl"]]) == {"poverty_classification_2025_66"}


@pytest.mark.parametrize("path", ["sql", "python"])
def test_the_bulk_commit_sets_the_key(path, homes, units, users, standards, monkeypatch,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    """Both commit paths: the set-based SQL (`_publish_results`) and the Python one (`insert_rows`)."""
    if path == "python":

        def refuse(*args, **kwargs):
            raise NotCompilable("test")

        monkeypatch.setattr(classify_sql, "stage_sql", refuse)
    for unit in (units.th, units.dl):
        with django_capture_on_commit_callbacks(execute=True):
            run = run_start(actor=users.system_admin, unit=unit, standard=standards.s2022_2025, on_date=ON_DATE)
        with django_capture_on_commit_callbacks(execute=True):
            run_commit(actor=users.system_admin, run=run)
    rows = list(Classification.objects.order_by("household__code"))
    assert [(row.household.code, row.province_key) for row in rows] == [
        ("P1", "2025:38"), ("P2", "2025:38"), ("P3", "2025:66"),
    ]  # fmt: skip
    assert all(row.province_key == _expected(row) for row in rows)
    if connection.vendor == "postgresql":
        assert _tables_of(rows[:2]) == {"poverty_classification_2025_38"}
        with connection.cursor() as cursor:  # the commit gave the partitions it filled first their statistics
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relname LIKE 'poverty_classification_2025_%' "
                "AND relkind = 'r'"
            )
            assert {name: tuples >= 0 for name, tuples in cursor.fetchall()} == {
                "poverty_classification_2025_38": True, "poverty_classification_2025_66": True,
            }  # fmt: skip


def test_a_row_without_its_key_is_refused(results):
    with pytest.raises(IntegrityError), transaction.atomic():
        Classification.objects.filter(pk=results["th"].pk).update(province_key="")


def test_the_backfill_gives_every_row_its_key(results):
    """Migration 0006 computes the key of rows written before it, in SQL, from their own paths."""
    Classification.objects.update(province_key="2025:99")  # (the default partition on PostgreSQL)
    BACKFILL.backfill(None, MigrationEditor())
    assert {row.pk: row.province_key for row in Classification.objects.all()} == {
        row.pk: row.province_key for row in results.values()
    }
    if connection.vendor == "postgresql":
        assert _tables_of([results["legacy"]]) == {"poverty_classification_2025_38"}


def _unkeyed(user):
    """The rows the area scope alone selects (what every scoped model gets), without the key."""
    return ScopedQuerySet.visible_to(Classification.objects.all(), user, perm=selectors.VIEW_PERM)


@pytest.mark.parametrize(("reader", "keys"), AREA_READERS)
def test_an_area_reads_its_province_only_and_exactly(reader, keys, results, users):
    assert_reads_its_province_only_and_exactly(Classification, getattr(users, reader), keys, selectors.VIEW_PERM)


def test_the_legacy_household_is_read_from_its_successors_province(results, users):
    commune = set(Classification.objects.visible_to(users.commune_officer).values_list("pk", flat=True))
    assert results["legacy"].pk in commune and results["dl"].pk not in commune
    legacy_district = set(Classification.objects.visible_to(users.district_officer).values_list("pk", flat=True))
    assert results["legacy"].pk in legacy_district and results["th"].pk not in legacy_district


def test_a_households_results_are_read_from_its_province_exactly(results, homes, users):
    for name, home in homes.items():
        for reader in (users.auditor, users.commune_officer, users.province_officer_dl):
            rows = selectors.classifications_of(user=reader, household=home)
            assert "province_key" in where_clause(rows)
            expected = _unkeyed(reader).filter(household=home).order_by("-created_at", "-id")
            assert list(rows) == list(expected), (name, reader)
    assert len(selectors.classifications_of(user=users.auditor, household=homes["th"])) == 2
    item = selectors.classification_get_visible(user=users.province_officer, pk=results["legacy"].pk)
    assert item == results["legacy"]


@requires_postgresql
def test_the_table_is_partitioned_with_the_key_in_its_primary_key(province_partitions):
    assert province_partitions.created == ["2025:38", "2025:66"]
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor)
        assert partitions.partitions(cursor) == {
            "": "poverty_classification_default",
            "2025:38": "poverty_classification_2025_38",
            "2025:66": "poverty_classification_2025_66",
        }
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'poverty_classification_pkey'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, province_key)"
        cursor.execute("SELECT pg_get_serial_sequence('poverty_classification', 'id')")
        assert cursor.fetchone()[0] == "public.poverty_classification_id_seq"


@requires_postgresql
def test_a_province_read_touches_one_partition(results, homes, users):
    plan = plan_of(Classification.objects.visible_to(users.province_officer, perm=selectors.VIEW_PERM))
    assert "on poverty_classification_2025_38 " in plan
    assert "poverty_classification_2025_66" not in plan and partitions.DEFAULT_PARTITION not in plan
    for reader, home, table in ((users.commune_officer, homes["legacy"], "2025_38"),
                                (users.auditor, homes["dl"], "2025_66")):  # fmt: skip
        plan = plan_of(selectors.classifications_of(user=reader, household=home))
        assert f"on poverty_classification_{table} " in plan
        assert plan.count(" on poverty_classification_") == 1 and partitions.DEFAULT_PARTITION not in plan, plan


@requires_postgresql
def test_the_migration_converts_both_ways_keeping_rows_names_and_ids(results, units, users):
    def shape():
        return table_shape("poverty_classification")

    rows = list(Classification.objects.order_by("pk").values())
    partitioned_shape = shape()
    assert ("poverty_class_province_set", "c") in partitioned_shape[0]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (no pending foreign key checks during the ALTERs)
    MIGRATION.unpartition(None, MigrationEditor())
    with connection.cursor() as cursor:
        assert not partitions.is_partitioned(cursor)
    assert list(Classification.objects.order_by("pk").values()) == rows
    assert shape() == partitioned_shape
    plain = household_classify(actor=users.system_admin, household=results["dl"].household, on_date=ON_DATE,
                               standard=results["dl"].standard_version.standard)  # fmt: skip
    assert plain.pk > max(row["id"] for row in rows)  # the id sequence carried on
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MIGRATION.partition(None, MigrationEditor())  # one partition per loaded province and per key present
    with connection.cursor() as cursor:
        assert set(partitions.partitions(cursor)) == {"", "2025:38", "2025:66"}
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert shape() == partitioned_shape
    assert _tables_of([plain]) == {"poverty_classification_2025_66"}
    again = household_classify(actor=users.system_admin, household=results["th"].household, on_date=ON_DATE,
                               standard=results["th"].standard_version.standard)  # fmt: skip
    assert again.pk > plain.pk and _tables_of([again]) == {"poverty_classification_2025_38"}
    assert Classification.objects.count() == len(rows) + 2
