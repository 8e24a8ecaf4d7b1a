"""/api/v1/households/duplicates: the duplicate queue, the two decisions and the scan.

Each endpoint parses, fetches through a selector of `services_duplicates` (404 whether the pair
is missing or out of area), calls one service and serialises.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.geo.models import AdminUnit

from . import services_duplicates as svc
from .choices import DuplicateKind, DuplicateStatus
from .identity import mask_id_number

router = Router(tags=["duplicates"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def _require(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per pair)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


class MemberSideOut(Schema):
    id: int
    full_name: str
    sex: str
    birth_date: date | None
    birth_year: int
    id_number: str  # masked unless the caller holds registry.view_full_identity over the member
    status: str
    household_id: int
    household_code: str
    village: str
    commune: str


class DuplicateOut(Schema):
    id: int
    kind: str
    score: float
    namesakes: int  # other living people with the pair's folded name, sex and birth year (decision 0025)
    status: str
    status_label: str
    evidence: dict[str, Any]
    conflicts: list[dict[str, Any]]
    member_a: MemberSideOut
    member_b: MemberSideOut
    differing_fields: list[str]
    can_decide: bool
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class DuplicateFilterIn(Schema):
    kind: DuplicateKind | None = None
    status: Literal["pending", "same", "different", "all"] = "pending"


class MarkSameIn(Schema):
    keep: Literal["a", "b"]
    values: dict[str, Literal["a", "b"]] = Field(default_factory=dict)
    reason: str = Field(..., max_length=255)


class MarkDifferentIn(Schema):
    reason: str = Field(..., max_length=255)


class ScanIn(Schema):
    unit_id: int | None = None
    threshold: float | None = Field(None, ge=svc.MIN_THRESHOLD, le=1)


class ScanOut(Schema):
    job_id: int
    status: str
    label: str


def _side(user, member) -> dict[str, Any]:
    household = member.household
    full = svc.shows_full_identity(user, member)
    return {
        "id": member.pk,
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_date": member.birth_date,
        "birth_year": member.birth_year,
        "id_number": member.id_number if full else mask_id_number(member.id_number),
        "status": member.status,
        "household_id": household.pk,
        "household_code": household.code,
        "village": household.village.name if household.village_id else "",
        "commune": household.commune.name,
    }


def _out(user, pair) -> dict[str, Any]:
    return {
        "id": pair.pk,
        "kind": pair.kind,
        "score": pair.score,
        "namesakes": pair.namesakes,
        "status": pair.status,
        "status_label": str(pair.get_status_display()),
        "evidence": pair.evidence,
        "conflicts": pair.conflicts,
        "member_a": _side(user, pair.member_a),
        "member_b": _side(user, pair.member_b),
        "differing_fields": svc.differing_fields(pair.member_a, pair.member_b),
        "can_decide": pair.status == DuplicateStatus.PENDING and svc.can_decide(user, pair),
        "reason": pair.reason,
        "decided_by": pair.decided_by.get_username() if pair.decided_by_id else None,
        "decided_at": pair.decided_at,
        "created_at": pair.created_at,
    }


@router.get("/", response={200: list[DuplicateOut], **ERRORS}, operation_id="duplicate_list")
@paginate(PagePagination)
def duplicate_list(request, filters: Query[DuplicateFilterIn]):
    """Pairs with a member in the caller's area, best score first, then fewest namesakes (pending by default)."""
    _require(request, svc.VIEW_PERM)
    status = "" if filters.status == "all" else filters.status
    qs = svc.duplicate_list_visible_to(user=request.user, kind=filters.kind or "", status=status)
    return _LazyOut(qs, request.user)


class _LazyOut:
    """Lets the paginator count and slice the queryset, serialising only the page it keeps."""

    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def count(self) -> int:
        return self.qs.count()

    def count_upto(self, limit: int) -> int:
        return self.qs.order_by()[:limit].count()

    def __getitem__(self, item):
        return [_out(self.user, pair) for pair in self.qs[item]]


# Before the "/{pair_id}" routes: Django would otherwise match "scan" as a pair id (405).
@router.post("/scan", response={202: ScanOut, **WRITE_ERRORS}, operation_id="duplicate_scan")
def duplicate_scan(request, payload: ScanIn):
    """Queue a scan of the caller's decide area (or of `unit_id` inside it); follow it at /jobs/{job_id}."""
    _require(request, svc.DECIDE_PERM)
    unit = None
    if payload.unit_id is not None:
        unit = AdminUnit.objects.filter(pk=payload.unit_id).first()
        if unit is None or not request.user.has_perm(svc.DECIDE_PERM, unit):
            raise Http404
    job = svc.duplicate_scan_start(actor=request.user, unit=unit, threshold=payload.threshold)
    return Status(202, {"job_id": job.pk, "status": job.status, "label": job.label_text()})


@router.get("/{pair_id}", response={200: DuplicateOut, **ERRORS}, operation_id="duplicate_get")
def duplicate_get(request, pair_id: int):
    """One pair side by side (404 when missing or out of area)."""
    _require(request, svc.VIEW_PERM)
    return _out(request.user, svc.duplicate_get_visible(user=request.user, pk=pair_id))


@router.post("/{pair_id}/same", response={200: DuplicateOut, **WRITE_ERRORS}, operation_id="duplicate_mark_same")
def duplicate_mark_same(request, pair_id: int, payload: MarkSameIn):
    """Merge: keep member "a" or "b", taking for each differing field the value named in `values`."""
    _require(request, svc.DECIDE_PERM)
    pair = svc.duplicate_get_visible(user=request.user, pk=pair_id, perm=svc.DECIDE_PERM)
    keep = pair.member_a if payload.keep == "a" else pair.member_b
    decided = svc.duplicate_mark_same(
        actor=request.user, pair=pair, keep=keep, values=payload.values, reason=payload.reason
    )
    return _out(request.user, svc.duplicate_get_visible(user=request.user, pk=decided.pk))


@router.post(
    "/{pair_id}/different", response={200: DuplicateOut, **WRITE_ERRORS}, operation_id="duplicate_mark_different"
)
def duplicate_mark_different(request, pair_id: int, payload: MarkDifferentIn):
    """Two different people: the pair is never proposed again."""
    _require(request, svc.DECIDE_PERM)
    pair = svc.duplicate_get_visible(user=request.user, pk=pair_id, perm=svc.DECIDE_PERM)
    decided = svc.duplicate_mark_different(actor=request.user, pair=pair, reason=payload.reason)
    return _out(request.user, svc.duplicate_get_visible(user=request.user, pk=decided.pk))
