"""The event hash loses its unique index (decision 0030): the hash covers the chain key and the
sequence, whose pair is unique already, and nothing looks an event up by its hash. On PostgreSQL a
partitioned table cannot hold a unique index without the partition key (migration 0005).

SQLite drops a column's UNIQUE by rebuilding the table, which loses the append-only triggers of
migration 0002: they are made again after the rebuild, in both directions."""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_lean_event_hash_index")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
    ]
