"""/api/v1/audit-events: the audit log a user may read, with the page's filters."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination

from . import event_types, target_types
from .filters import AuditEventFilter
from .masking import ChangesReader
from .models import AuditEvent
from .selectors import VIEW_PERM, audit_event_get_visible, audit_event_list_visible_to

router = Router(tags=["audit"])


class AuditEventFiltersIn(Schema):
    actor: str | None = None
    event_type: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    request_id: str
    event_type: int
    event_label: str
    target_type: str = Field(..., description="Nhãn mô hình, ví dụ registry.household (máy đọc)")
    target_type_label: str = Field(..., description="Tên loại đối tượng theo ngôn ngữ của người đọc")
    target_id: str
    target_repr: str
    unit_path: str
    changes: dict[str, Any]
    chain_key: str
    sequence: int
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_event_label(obj: AuditEvent) -> str:
        return event_types.label_for(obj.event_type)

    @staticmethod
    def resolve_target_type_label(obj: AuditEvent) -> str:
        return target_types.label_for(obj.target_type)

    @staticmethod
    def resolve_changes(obj: AuditEvent, context) -> dict[str, Any]:
        # Identity numbers masked outside the caller's full-identity area (`masking`); one reader a request.
        request = context["request"]
        reader = getattr(request, "_audit_changes_reader", None)
        if reader is None:
            reader = request._audit_changes_reader = ChangesReader(request.user)
        return reader(obj)


def _require_view(request) -> None:
    # A role without the permission anywhere gets 403, not an empty list that looks like "no events".
    if not request.user.has_perm(VIEW_PERM):
        raise PermissionDenied


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/", response={200: list[AuditEventOut], **ERRORS, 422: ErrorOut}, operation_id="audit_event_list")
@paginate(PagePagination)
def audit_event_list(request, filters: Query[AuditEventFiltersIn]):
    """Events in the caller's area, newest first; filters as on the audit log page."""
    _require_view(request)
    data = {name: value for name, value in filters.dict().items() if value is not None}
    filterset = AuditEventFilter(data=data, queryset=audit_event_list_visible_to(user=request.user))
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


@router.get("/{event_id}", response={200: AuditEventOut, **ERRORS}, operation_id="audit_event_get")
def audit_event_get(request, event_id: int):
    """One event; 404 alike when missing or outside the caller's area."""
    _require_view(request)
    return audit_event_get_visible(user=request.user, pk=event_id)
