"""Results carry the province they are reported under (`province_key`, decision 0034), the partition key
of migration 0007: existing rows get it from their own paths, in SQL on both databases
(`core.partitions.reported_province_key_sql`), before the check that every row has one."""

from django.db import migrations, models

from ansinh.core.partitions import reported_province_key_sql


def backfill(apps, schema_editor):
    key = reported_province_key_sql("unit_path", "successor_path", vendor=schema_editor.connection.vendor)
    schema_editor.execute(f"UPDATE poverty_classification SET province_key = {key}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("poverty", "0005_lean_indexes")]

    operations = [
        migrations.AddField(
            model_name="classification",
            name="province_key",
            field=models.CharField(default="", editable=False, max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="classification",
            constraint=models.CheckConstraint(condition=~models.Q(province_key=""), name="poverty_class_province_set"),
        ),
    ]
