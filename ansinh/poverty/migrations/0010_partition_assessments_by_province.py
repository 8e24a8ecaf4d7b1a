"""PostgreSQL: form B becomes a table partitioned by province, one partition per province of today's
structure and a default one (`ansinh.poverty.partitions.ASSESSMENTS`, decision 0037). Rows, ids,
constraint and index names are kept; reversible. Nothing may point at it with a database foreign key:
the results' reference stopped being one in 0009, the review cases' in reviews 0008. SQLite: nothing to
do."""

from django.db import migrations

from ansinh.core.partitions import province_keys
from ansinh.poverty import partitions


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor, spec=partitions.ASSESSMENTS):
            partitions.convert(cursor, partitioned=True, keys=province_keys(cursor), spec=partitions.ASSESSMENTS)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor, spec=partitions.ASSESSMENTS):
            partitions.convert(cursor, partitioned=False, spec=partitions.ASSESSMENTS)


class Migration(migrations.Migration):
    dependencies = [
        ("poverty", "0009_assessment_province_key"),
        ("reviews", "0008_form_b_reference_unchecked"),
        ("geo", "0002_path_prefix_index"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
