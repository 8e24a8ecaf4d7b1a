"""The database itself refuses to change or remove an audit event (SQLite and PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from ansinh.audit.models import AuditEvent
from ansinh.audit.tests.helpers import record, triggers_bypassed


@pytest.fixture
def event(units):
    return record(unit=units.t1, changes={"new": {"x": 1}})


def test_orm_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="sửa")
    assert AuditEvent.objects.get(pk=event.pk).target_repr == event.target_repr


def test_raw_sql_update_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])


def test_delete_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_triggers_come_back_after_a_bypass(event):
    # The tamper tests rely on this helper restoring protection; otherwise they would weaken later tests.
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="lại")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
