"""Drop the `varchar_pattern_ops` twin PostgreSQL gives `AuditEvent.hash` (`unique=True` on a
CharField): nothing looks an event up by a prefix of its hash, and every event paid for it
(decision 0026). The unique index stays. SQLite has no such twin."""

from django.db import migrations


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    name = schema_editor._create_index_name("audit_auditevent", ["hash"], suffix="_like")
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("audit", "AuditEvent")
    schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("hash")))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(drop_like_index, create_like_index)]
