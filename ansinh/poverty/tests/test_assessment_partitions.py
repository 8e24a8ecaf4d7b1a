"""Form B partitioned by province on PostgreSQL (decision 0037): every writer sets the province key, the
reads by area and by household add it exactly (both databases), a province's and a household's reads touch
one partition, the conversion keeps everything both ways, and the references to a form B (a result's, a
review case's) are Django's: PROTECT still refuses a delete, the writers refuse a missing form B."""

import importlib
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ansinh.core.exceptions import ApplicationError
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
from ansinh.poverty import classify_sql, partitions, selectors, services_runs
from ansinh.poverty.models import Assessment, Classification, ClassificationRun
from ansinh.poverty.services import household_classify
from ansinh.poverty.services_runs import run_commit, run_start

from .factories import form_b, known_household

ON_DATE = date(2026, 11, 1)
MIGRATION = importlib.import_module("ansinh.poverty.migrations.0010_partition_assessments_by_province")
BACKFILL = importlib.import_module("ansinh.poverty.migrations.0009_assessment_province_key")
SPEC = partitions.ASSESSMENTS


def _tables_of(rows) -> set[str]:
    return partitions_holding("poverty_assessment", [row.pk for row in rows])


@pytest.fixture
def province_partitions(units):
    """Thanh Hóa's and Đắk Lắk's partitions of form B and of the results, as `geo_load` makes them."""
    partitions.ensure_partitions(["2025:38", "2025:66"])
    return partitions.ensure_partitions(["2025:38", "2025:66"], spec=SPEC)


@pytest.fixture
def homes(province_partitions, standards, units, users):
    """A household of Thọ Xuân, one of legacy Xuân Hồng (reported under Thọ Xuân), one of M'Đrắk."""
    return {
        "th": known_household(units.tho_xuan, village=units.t1, code="P1"),
        "legacy": known_household(units.xuan_hong, code="P2"),
        "dl": known_household(units.mdrak, village=units.b1, code="P3"),
    }


@pytest.fixture
def forms(homes, users):
    """A form B of each household (`assessment_record`), two for Thọ Xuân's."""
    rows = {name: form_b(home, users.system_admin, income=1_200_000) for name, home in homes.items()}
    rows["th_again"] = form_b(homes["th"], users.system_admin, income=900_000)
    return rows


def test_recording_a_form_b_sets_the_key(forms):
    assert {name: row.province_key for name, row in forms.items()} == {
        "th": "2025:38", "legacy": "2025:38", "dl": "2025:66", "th_again": "2025:38",
    }  # fmt: skip
    assert dict(Assessment.objects.values_list("pk", "province_key")) == {
        row.pk: row.province_key for row in forms.values()
    }
    if connection.vendor == "postgresql":
        assert partitions_holding(
            "poverty_assessment", [row.pk for row in [forms["th"], forms["legacy"], forms["th_again"]]]
        ) == {"poverty_assessment_2025_38"}
        assert _tables_of([forms["dl"]]) == {"poverty_assessment_2025_66"}


def test_an_orm_save_derives_the_key_from_the_paths(forms, units):
    """Any other ORM write: the key is derived on every save, so it follows the paths (and the row moves
    between partitions on PostgreSQL, which does that on an UPDATE of the key)."""
    row = Assessment.objects.get(pk=forms["dl"].pk)
    row.unit_path, row.successor_path = units.t1.path, ""
    row.save(update_fields=["unit_path", "successor_path"])
    row.refresh_from_db()
    assert row.province_key == "2025:38"
    if connection.vendor == "postgresql":
        assert _tables_of([row]) == {"poverty_assessment_2025_38"}


def test_the_bulk_writers_set_the_key(forms, homes, standards):
    """`bench`'s and the synthetic registry's writers bypass `save`: `Assessment.keyed` gives the key."""
    from ansinh.core.db import insert_rows, reserve_ids

    home = homes["legacy"]
    row = Assessment(household=home, standard=forms["th"].standard, assessed_on=ON_DATE, income_source="declared",
                     income_per_capita=1, unit_path=home.unit_path, successor_path=home.successor_path)  # fmt: skip
    row.pk = reserve_ids(Assessment, 1)[0]
    insert_rows(Assessment, [row.keyed()])
    assert Assessment.objects.get(pk=row.pk).province_key == "2025:38"


def test_a_row_without_its_key_is_refused(forms):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=forms["th"].pk).update(province_key="")


def test_the_backfill_gives_every_row_its_key(forms):
    """Migration 0009 computes the key of rows written before it, in SQL, from their own paths."""
    Assessment.objects.update(province_key="2025:99")  # (the default partition on PostgreSQL)
    BACKFILL.backfill(None, MigrationEditor())
    assert {row.pk: row.province_key for row in Assessment.objects.all()} == {
        row.pk: row.province_key for row in forms.values()
    }
    assert all(row.province_key == reported_province_key(row.unit_path, row.successor_path)
               for row in Assessment.objects.all())  # fmt: skip
    if connection.vendor == "postgresql":
        assert _tables_of([forms["legacy"]]) == {"poverty_assessment_2025_38"}


def _unkeyed(user):
    """The rows the area scope alone selects (what every scoped model gets), without the key."""
    return ScopedQuerySet.visible_to(Assessment.objects.all(), user, perm=selectors.VIEW_PERM)


@pytest.mark.parametrize(("reader", "keys"), AREA_READERS)
def test_an_area_reads_its_province_only_and_exactly(reader, keys, forms, users):
    assert_reads_its_province_only_and_exactly(Assessment, getattr(users, reader), keys, selectors.VIEW_PERM)


def test_a_households_form_bs_are_read_from_its_province_exactly(forms, homes, users, standards):
    for name, home in homes.items():
        for reader in (users.auditor, users.commune_officer, users.province_officer_dl):
            rows = selectors.assessments_of(user=reader, household=home)
            assert "province_key" in where_clause(rows)
            expected = _unkeyed(reader).filter(household=home).order_by("-assessed_on", "-id")
            assert list(rows) == list(expected), (name, reader)
        latest = selectors.latest_assessment(home, standards.s2022_2025)
        assert latest == Assessment.objects.filter(household=home).order_by("-assessed_on", "-id").first()
    assert selectors.latest_assessment(homes["th"], standards.s2022_2025) == forms["th_again"]


@pytest.mark.parametrize("path", ["sql", "python"])
def test_the_bulk_commit_reads_each_households_latest_form_b(path, forms, homes, units, users, standards, monkeypatch,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    """The staging SQL (keyed by the run's province) and the Python path (keyed by each chunk's) join the
    same form Bs as before: each result names its household's latest form B."""
    if path == "python":

        def refuse(*args, **kwargs):
            raise classify_sql.NotCompilable("test")

        monkeypatch.setattr(classify_sql, "stage_sql", refuse)
    for unit in (units.th, units.dl):
        with django_capture_on_commit_callbacks(execute=True):
            run = run_start(actor=users.system_admin, unit=unit, standard=standards.s2022_2025, on_date=ON_DATE)
        with django_capture_on_commit_callbacks(execute=True):
            run_commit(actor=users.system_admin, run=run)
    named = {row.household.code: row.assessment_id for row in Classification.objects.all()}
    assert named == {"P1": forms["th_again"].pk, "P2": forms["legacy"].pk, "P3": forms["dl"].pk}


def test_the_staging_sql_names_the_runs_province(forms, units, standards):
    version = standards.s2022_2025.versions.first()
    tables = services_runs._tables()
    keyed = classify_sql.stage_sql(version.spec(), vendor=connection.vendor, on_date=ON_DATE, tables=tables,
                                   province_key=partitions.area_key(units.th.path))  # fmt: skip
    assert "a2.province_key = '2025:38'" in keyed
    assert partitions.area_key(units.tho_xuan.path) == "2025:38"
    assert partitions.area_key(units.xuan_hong.path) is None  # a legacy commune: its rows are its successors'
    assert partitions.area_key("/2025/") is None


# -- the references to a form B: Django's, checked by their writers -----------------------------------


def test_no_database_foreign_key_points_at_form_b(db):
    """What lets `core.partitions.convert` partition the table (decision 0037)."""
    assert Classification._meta.get_field("assessment").db_constraint is False  # (the review case's: reviews tests)
    if connection.vendor == "postgresql":  # SQLite, not partitioned, keeps its foreign keys (poverty 0009)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE confrelid = 'poverty_assessment'::regclass AND contype = 'f'"
            )
            assert cursor.fetchall() == []


def test_a_form_b_a_result_names_is_protected(forms, homes, users, standards):
    result = household_classify(actor=users.system_admin, household=homes["th"], standard=standards.s2022_2025,
                                on_date=ON_DATE)  # fmt: skip
    assert result.assessment_id == forms["th_again"].pk
    with pytest.raises(ProtectedError):
        forms["th_again"].delete()
    forms["th"].delete()  # named by nothing
    assert not Assessment.objects.filter(pk=forms["th"].pk).exists()


def test_a_write_naming_a_missing_form_b_is_refused(forms):
    Assessment.objects.require([forms["th"].pk, None], province_keys=["2025:38"])
    with pytest.raises(ApplicationError) as info:
        Assessment.objects.require([forms["th"].pk, 987_654])
    assert info.value.code == "form_b_missing" and info.value.details == {"assessments": [987_654]}
    with pytest.raises(ApplicationError):  # in another province than the one named
        Assessment.objects.require([forms["dl"].pk], province_keys=["2025:38"])


def test_the_sql_commit_refuses_a_form_b_deleted_since_staging(forms, homes, units, users, standards, monkeypatch,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    """Nothing in the application deletes a form B; one deleted by hand between staging and publishing
    fails the run (the database foreign key refused it before), and no result is written."""
    stage = services_runs._stage

    def stage_then_delete(run, progress, *, with_json):
        stage(run, progress, with_json=with_json)
        if with_json:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM poverty_assessment WHERE id = %s", [forms["legacy"].pk])

    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.system_admin, unit=units.th, standard=standards.s2022_2025, on_date=ON_DATE)
    monkeypatch.setattr(services_runs, "_stage", stage_then_delete)
    with django_capture_on_commit_callbacks(execute=True):  # the job fails, recording why
        run_commit(actor=users.system_admin, run=run)
    assert not Classification.objects.exists()
    failed = ClassificationRun.objects.get(pk=run.pk)
    assert failed.status == "failed" and f"phiếu B số {forms['legacy'].pk}" in failed.error_text()


# -- PostgreSQL: the partitions --------------------------------------------------------------------------


@requires_postgresql
def test_the_table_is_partitioned_with_the_key_in_its_primary_key(province_partitions):
    assert province_partitions.created == ["2025:38", "2025:66"]
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, spec=SPEC)
        assert partitions.partitions(cursor, spec=SPEC) == {
            "": "poverty_assessment_default",
            "2025:38": "poverty_assessment_2025_38",
            "2025:66": "poverty_assessment_2025_66",
        }
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'poverty_assessment_pkey'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, province_key)"
        cursor.execute("SELECT pg_get_serial_sequence('poverty_assessment', 'id')")
        assert cursor.fetchone()[0] == "public.poverty_assessment_id_seq"


@requires_postgresql
def test_a_province_read_and_a_households_form_bs_touch_one_partition(forms, homes, users, standards):
    plan = plan_of(Assessment.objects.visible_to(users.province_officer, perm=selectors.VIEW_PERM))
    assert "on poverty_assessment_2025_38 " in plan
    assert "poverty_assessment_2025_66" not in plan and SPEC.default_partition not in plan
    for reader, home, table in ((users.commune_officer, homes["legacy"], "2025_38"),
                                (users.auditor, homes["dl"], "2025_66")):  # fmt: skip
        for rows in (
            selectors.assessments_of(user=reader, household=home),
            Assessment.objects.of_household(home).filter(standard=standards.s2022_2025).order_by("-assessed_on"),
        ):
            plan = plan_of(rows)
            assert f"on poverty_assessment_{table} " in plan
            assert plan.count(" on poverty_assessment_") == 1 and SPEC.default_partition not in plan, plan


@requires_postgresql
def test_the_staging_sql_reads_one_partition_of_form_b(forms, units, standards):
    version = standards.s2022_2025.versions.first()
    sql = classify_sql.stage_sql(version.spec(), vendor="postgresql", on_date=ON_DATE, tables=services_runs._tables(),
                                 with_json=True, province_key="2025:38")  # fmt: skip
    params = classify_sql.stage_params(standard_id=version.standard_id, low=0, high=10**9, unit_path=units.th.path)
    with connection.cursor() as cursor:
        for statement in classify_sql.create_stage_sql("postgresql", keyed=True):
            cursor.execute(statement)
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"DROP TABLE {classify_sql.STAGE}")
    assert "poverty_assessment_2025_38" in plan
    assert "poverty_assessment_2025_66" not in plan and SPEC.default_partition not in plan, plan


@requires_postgresql
def test_the_migration_converts_both_ways_keeping_rows_names_and_ids(forms, homes, users, standards):
    def shape():
        return table_shape("poverty_assessment")

    rows = list(Assessment.objects.order_by("pk").values())
    partitioned_shape = shape()
    assert ("poverty_assess_province_set", "c") in partitioned_shape[0]
    result = household_classify(actor=users.system_admin, household=homes["dl"], standard=standards.s2022_2025,
                                on_date=ON_DATE)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (no pending foreign key checks during the ALTERs)
    MIGRATION.unpartition(None, MigrationEditor())
    with connection.cursor() as cursor:
        assert not partitions.is_partitioned(cursor, spec=SPEC)
    assert list(Assessment.objects.order_by("pk").values()) == rows
    assert shape() == partitioned_shape
    plain = form_b(homes["dl"], users.system_admin, income=700_000)
    assert plain.pk > max(row["id"] for row in rows)  # the id sequence carried on
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MIGRATION.partition(None, MigrationEditor())  # one partition per loaded province and per key present
    with connection.cursor() as cursor:
        assert set(partitions.partitions(cursor, spec=SPEC)) == {"", "2025:38", "2025:66"}
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert shape() == partitioned_shape
    assert _tables_of([plain]) == {"poverty_assessment_2025_66"}
    again = form_b(homes["th"], users.system_admin, income=600_000)
    assert again.pk > plain.pk and _tables_of([again]) == {"poverty_assessment_2025_38"}
    assert Assessment.objects.count() == len(rows) + 2
    assert Classification.objects.get(pk=result.pk).assessment == forms["dl"]  # the reference still reads
    with pytest.raises(ProtectedError):
        Assessment.objects.get(pk=forms["dl"].pk).delete()
