"""A review case's form B stops being a database foreign key on PostgreSQL (decision 0037): form B is
partitioned by province there (poverty 0010), and a foreign key to a partitioned table would need its
whole primary key ``(id, province_key)``. Django's PROTECT stays, and the writer checks the form B exists
(`services_survey.form_b_record`). SQLite is not partitioned and keeps its foreign key: changing it there
would rebuild the case table, and with it drop the count triggers (0004)."""

import django.db.models.deletion
from django.db import migrations, models


def unchecked(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'reviews_reviewcase'::regclass AND contype = 'f' "
            "AND confrelid = 'poverty_assessment'::regclass"
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'ALTER TABLE reviews_reviewcase DROP CONSTRAINT "{name}"')


def checked(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("reviews", "ReviewCase")  # the state before: the field is a foreign key
    schema_editor.execute(
        schema_editor._create_fk_sql(model, model._meta.get_field("assessment"), "_fk_%(to_table)s_%(to_column)s")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('poverty', '0009_assessment_province_key'),
        ('reviews', '0007_english_data_texts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='reviewcase',
                    name='assessment',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='poverty.assessment', verbose_name='phiếu B'),
                ),
            ],
            database_operations=[migrations.RunPython(unchecked, checked)],
        ),
    ]
