"""The province key shared by the partitioned tables (decisions 0030, 0034), in Python and in SQL, and
the registry of partitioned tables that the administrative-unit load fills."""

import pytest
from django.db import connection

from ansinh.core import partitions

PATHS = [
    ("/2025/38/16000/T1/", ""),
    ("/2025/38/", ""),
    ("/2025/38", ""),
    ("/legacy/38/393/15850/", "/2025/38/16000/"),
    ("/legacy/38/393/15850/X1/", "/2025/38/16001/"),
    ("/legacy/38/393/", "/2025/38/"),
    ("/legacy/38/393/15850/", ""),  # a legacy unit with no successor known: its own (legacy) province
    ("/2025/", ""),
    ("", ""),
    ("/2025/01/00004/", ""),
]


def test_the_province_key_of_a_path():
    assert partitions.province_key("/2025/38/16000/T1/") == "2025:38"
    assert partitions.province_key("/legacy/38/393/15850/") == "legacy:38"
    assert partitions.province_key("/2025/") == partitions.NATIONAL_KEY == "national"
    assert partitions.province_key("") == "national"


def test_a_legacy_unit_is_reported_under_its_successors_province():
    assert partitions.reported_province_key("/2025/38/16000/T1/", "") == "2025:38"
    assert partitions.reported_province_key("/legacy/38/393/15850/", "/2025/38/16000/") == "2025:38"
    assert partitions.reported_province_key("/legacy/38/393/15850/", "") == "legacy:38"


@pytest.mark.django_db
def test_the_sql_key_is_the_python_key_on_this_database():
    """The bulk commit and the backfill compute the key in SQL: equal to `reported_province_key`."""
    expression = partitions.reported_province_key_sql("t.u", "t.s", vendor=connection.vendor)
    with connection.cursor() as cursor:
        for unit_path, successor_path in PATHS:
            cursor.execute(
                f"SELECT {expression} FROM (SELECT CAST(%s AS text) AS u, CAST(%s AS text) AS s) t",  # noqa: S608
                [unit_path, successor_path],
            )
            assert cursor.fetchone()[0] == partitions.reported_province_key(unit_path, successor_path), unit_path


def test_partition_names_come_from_checked_keys():
    spec = partitions.PartitionedTable("poverty_classification", "province_key")
    assert spec.partition_name("2025:38") == "poverty_classification_2025_38"
    assert spec.default_partition == "poverty_classification_default"
    for bad in ("", "38'; DROP TABLE x; --", "a b", "x" * 41):
        with pytest.raises(ValueError, match="not a chain key"):
            spec.partition_name(bad)


def test_the_apps_register_their_partitioned_tables():
    """`geo_load` (below the apps that own them) reaches every table through the registry."""
    assert {(spec.table, spec.key) for spec in partitions.registered()} >= {
        ("audit_auditevent", "chain_key"),
        ("poverty_classification", "province_key"),
        ("poverty_assessment", "province_key"),
    }


@pytest.mark.django_db
def test_sqlite_has_no_partitions():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    reports = partitions.ensure_registered(["2025:38"])
    assert {table: report.as_dict() for table, report in reports.items()} == {
        spec.table: {"created": [], "kept_in_default": []} for spec in partitions.registered()
    }
