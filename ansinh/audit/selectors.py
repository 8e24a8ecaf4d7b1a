"""Reads of audit events, always through the reader's area scope."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import AuditEvent

VIEW_PERM = "audit.view_auditevent"


def audit_event_list_visible_to(*, user) -> QuerySet[AuditEvent]:
    """Events inside the area where `user` holds audit.view_auditevent, newest first."""
    return AuditEvent.objects.visible_to(user, perm=VIEW_PERM).order_by("-occurred_at", "-id")


def audit_event_get_visible(*, user, pk) -> AuditEvent:
    """One event; 404 alike when it is missing or outside the user's area."""
    try:
        return audit_event_list_visible_to(user=user).get(pk=pk)
    except (AuditEvent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc


def change_rows(event: AuditEvent) -> list[tuple[str, object, object]]:
    """``(field, old, new)`` for the detail page; fields only in "old" or only in "new" show a gap."""
    changes = event.changes or {}
    old = changes.get("old") or {}
    new = changes.get("new") or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    names = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [(name, old.get(name), new.get(name)) for name in names]
