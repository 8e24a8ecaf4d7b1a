"""PostgreSQL: the classification results become a table partitioned by province, one partition per
province of today's structure and a default one (`ansinh.poverty.partitions`, decision 0034). Rows, ids,
constraint and index names are kept; reversible. SQLite: nothing to do."""

from django.db import migrations

from ansinh.core.partitions import province_keys
from ansinh.poverty import partitions


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor):
            partitions.convert(cursor, partitioned=True, keys=province_keys(cursor))


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            partitions.convert(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("poverty", "0006_classification_province_key"), ("geo", "0002_path_prefix_index")]

    operations = [migrations.RunPython(partition, unpartition)]
