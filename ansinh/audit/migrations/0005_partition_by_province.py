"""PostgreSQL: the audit log becomes a table partitioned by chain, one partition per province
(`ansinh.audit.partitions`, decision 0030). Rows, ids, constraint and index names and the append-only
trigger are kept; reversible. SQLite: nothing to do."""

from django.db import migrations

from ansinh.audit import partitions


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor):
            partitions.convert(cursor, partitioned=True, keys=partitions.province_chain_keys(cursor))


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            partitions.convert(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_event_hash_without_index"), ("geo", "0002_path_prefix_index")]

    operations = [migrations.RunPython(partition, unpartition)]
