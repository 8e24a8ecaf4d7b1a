"""Writing events for tests, and switching the append-only triggers off to simulate tampering."""

import importlib
from contextlib import contextmanager

from django.db import connection, transaction

from ansinh.audit.events import AuditEventType
from ansinh.audit.services import audit_record

_triggers = importlib.import_module("ansinh.audit.migrations.0002_append_only_triggers")


def record(*, unit, actor=None, target=None, changes=None, event_type=AuditEventType.EXPORT_DOWNLOADED):
    """One event in `unit`'s area (a unit or a path), written as a service would, in a transaction."""
    path = unit if isinstance(unit, str) else unit.path
    with transaction.atomic():
        return audit_record(
            actor=actor,
            event_type=event_type,
            target=target if target is not None else (None if isinstance(unit, str) else unit),
            unit_path=path,
            changes=changes,
        )


@contextmanager
def triggers_bypassed():
    """Lift the append-only triggers for the block (as an attacker with database access could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        elif connection.vendor == "postgresql":
            # Foreign keys are checked at commit; PostgreSQL will not ALTER a table with checks
            # still pending, so run them now (the test's transaction is never committed).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        else:  # pragma: no cover - only the two supported databases
            raise NotImplementedError(connection.vendor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for statement in _triggers.SQLITE_UP:
                    cursor.execute(statement)
            else:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_change")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
