"""PostgreSQL: a form B's direct answers are a JSON object whose values are true, false or null (what
every writer stores: `services.assessment_record` keeps ``bool(value)``). The bulk preview's statement
reads each answer as text on this guarantee (decision 0042). Existing rows are checked when the
constraint is added: a form B written around the services with another value stops the migration,
naming the constraint. SQLite: nothing to do (its statement still tests each answer's JSON type)."""

from django.db import migrations

from ansinh.core.migration_ops import postgresql_only

NAME = "poverty_assessment_answers_booleans"
CHECK = (
    "jsonb_typeof(answers) = 'object' AND "
    'NOT jsonb_path_exists(answers, \'strict $.* ? (@.type() != "boolean" && @.type() != "null")\')'
)  # (strict: lax mode would unwrap an array value and pass [true])


class Migration(migrations.Migration):
    dependencies = [("poverty", "0010_partition_assessments_by_province")]

    operations = [
        postgresql_only(
            [f"ALTER TABLE poverty_assessment ADD CONSTRAINT {NAME} CHECK ({CHECK})"],
            [f"ALTER TABLE poverty_assessment DROP CONSTRAINT IF EXISTS {NAME}"],
        )
    ]
