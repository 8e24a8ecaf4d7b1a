"""Reads of audit events, always through the reader's area scope."""

from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ansinh.core.text import dmy

from . import target_types
from .masking import ChangesReader
from .models import AuditEvent

VIEW_PERM = "audit.view_auditevent"


def audit_event_list_visible_to(*, user) -> QuerySet[AuditEvent]:
    """Events inside the area where `user` holds audit.view_auditevent, newest first, with their actor
    (pages name people by their full name, `AuditEvent.actor_name`)."""
    return AuditEvent.objects.visible_to(user, perm=VIEW_PERM).select_related("actor").order_by("-occurred_at", "-id")


def audit_event_get_visible(*, user, pk) -> AuditEvent:
    """One event; 404 alike when it is missing or outside the user's area."""
    try:
        return audit_event_list_visible_to(user=user).get(pk=pk)
    except (AuditEvent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc


def change_rows(event: AuditEvent, *, user) -> list[tuple[str, str, object, object]]:
    """``(field, label, old, new)`` for the detail page, as `user` may see them (`masking`): the
    label is the field's name on the event's object where the object's model has such a field (else
    the recorded key), a value of a field with choices reads as its label, a date day first, yes/no
    in words. Fields only in "old" or only in "new" show a gap (None)."""
    changes = ChangesReader(user)(event)
    old = changes.get("old") or {}
    new = changes.get("new") or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    model = target_types.model_for(event.target_type)
    rows = []
    for name in dict.fromkeys([*old.keys(), *new.keys()]):
        field = _field(model, name)
        label = str(capfirst(field.verbose_name)) if field is not None else name
        rows.append((name, label, _readable(field, old.get(name)), _readable(field, new.get(name))))
    return rows


def _field(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _readable(field, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if isinstance(value, list):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    is_date = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    if is_date and isinstance(value, str):
        try:
            return dmy(date.fromisoformat(value))
        except ValueError:
            return value
    return value
