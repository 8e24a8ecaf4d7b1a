"""Form B carries the province it is reported under (`province_key`, decision 0037), the partition key of
migration 0010: existing rows get it from their own paths, in SQL on both databases
(`core.partitions.reported_province_key_sql`), before the check that every row has one. A result's
reference to its form B stops being a database foreign key (Django's PROTECT stays; the writers check it):
a foreign key to a partitioned table would need its whole primary key ``(id, province_key)``. That is
PostgreSQL only: SQLite is not partitioned and keeps its foreign key (changing it there would rebuild the
results table for nothing)."""

import django.db.models.deletion
from django.db import migrations, models

from ansinh.core.partitions import reported_province_key_sql


def unchecked(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'poverty_classification'::regclass "
            "AND contype = 'f' AND confrelid = 'poverty_assessment'::regclass"
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'ALTER TABLE poverty_classification DROP CONSTRAINT "{name}"')


def checked(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("poverty", "Classification")  # the state before: the field is a foreign key
    schema_editor.execute(
        schema_editor._create_fk_sql(model, model._meta.get_field("assessment"), "_fk_%(to_table)s_%(to_column)s")
    )


def backfill(apps, schema_editor):
    key = reported_province_key_sql("unit_path", "successor_path", vendor=schema_editor.connection.vendor)
    schema_editor.execute(f"UPDATE poverty_assessment SET province_key = {key}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("poverty", "0008_classificationrun_error_entry")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="province_key",
            field=models.CharField(default="", editable=False, max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(condition=~models.Q(province_key=""), name="poverty_assess_province_set"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="classification",
                    name="assessment",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="poverty.assessment",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(unchecked, checked)],
        ),
    ]
