"""/api/v1/households/imports: upload household files, follow, approve, commit, cancel; export.

Each endpoint checks the role's permission (403), fetches through the area scope (404 whether
missing or out of area), calls one service and serialises.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.core.views import get_visible_object_or_404
from ansinh.geo.models import AdminUnit

from . import exporting, services_import
from .models import ImportBatch

router = Router(tags=["imports"])

VIEW_PERM = "registry.view_importbatch"
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def _require(request, *perms: str) -> None:
    if not any(request.user.has_perm(p) for p in perms):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


def _batch(request, batch_id: int, perm: str = VIEW_PERM) -> ImportBatch:
    return get_visible_object_or_404(
        ImportBatch.objects.select_related("commune", "created_by", "approved_by", "job"),
        request.user,
        perm=perm,
        pk=batch_id,
    )


class ImportBatchOut(Schema):
    id: int
    commune_id: int
    commune_name: str
    file_name: str
    file_sha256: str
    file_format: str
    encoding: str
    mode: str
    dry_run: bool
    status: str
    status_label: str
    requires_approval: bool
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    counts: dict[str, Any]
    message: str
    job_id: int | None
    job_percent: int | None
    errors: list[dict[str, Any]]
    error_file_url: str | None
    created_at: datetime

    @staticmethod
    def resolve_commune_name(obj: ImportBatch) -> str:
        return obj.commune.name

    @staticmethod
    def resolve_status_label(obj: ImportBatch) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_message(obj: ImportBatch) -> str:
        return obj.summary()  # the counts in the reader's language, or a failure's reason

    @staticmethod
    def resolve_created_by(obj: ImportBatch) -> str:
        return obj.created_by.get_username()

    @staticmethod
    def resolve_approved_by(obj: ImportBatch) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by_id else None

    @staticmethod
    def resolve_job_percent(obj: ImportBatch) -> int | None:
        return obj.job.percent if obj.job_id else None

    @staticmethod
    def resolve_errors(obj: ImportBatch) -> list[dict[str, Any]]:
        # {"row", "column", "message"}, the message in the caller's language (decision 0024's addendum).
        return services_import.import_error_rows((obj.job.result or {}).get("errors")) if obj.job_id else []

    @staticmethod
    def resolve_error_file_url(obj: ImportBatch) -> str | None:
        from django.urls import reverse

        return reverse("registry:import_error_file", kwargs={"pk": obj.pk}) if obj.error_file else None


@router.post("/", response={201: ImportBatchOut, **WRITE_ERRORS}, operation_id="import_create")
def import_create(
    request,
    file: File[UploadedFile] = None,
    commune_id: Form[int] = None,
    mode: Form[str] = "create",
    dry_run: Form[bool] = True,
):
    """Upload a household file (multipart: file, commune_id, mode create|update|skip, dry_run).

    Checked in the background; follow it with GET /imports/{id} (status, counts, errors).
    """
    _require(request, services_import.IMPORT_PERM)
    if file is None or commune_id is None:
        raise ValidationError({"file": _("Hãy gửi tệp (file) và mã xã (commune_id) dạng multipart/form-data.")})
    commune = get_visible_object_or_404(AdminUnit, request.user, perm=services_import.IMPORT_PERM, pk=commune_id)
    batch = services_import.import_batch_create(
        actor=request.user, commune=commune, file=file, mode=mode, dry_run=dry_run
    )
    return Status(201, _batch(request, batch.pk))


@router.get("/", response={200: list[ImportBatchOut], **ERRORS}, operation_id="import_list")
@paginate(PagePagination)
def import_list(request):
    """Import batches in the caller's area, newest first."""
    _require(request, VIEW_PERM)
    return (
        ImportBatch.objects.visible_to(request.user, perm=VIEW_PERM)
        .select_related("commune", "created_by", "approved_by", "job")
        .order_by("-created_at", "-id")
    )


@router.get("/export", response={200: None, **ERRORS}, operation_id="household_export")
def household_export(request, format: str = "csv"):
    """The visible registry as csv (default) or xlsx, streamed; filters: q, village, commune, status."""
    _require(request, exporting.EXPORT_PERM)
    file_format = "xlsx" if format == "xlsx" else "csv"
    return exporting.household_export_response(user=request.user, params=request.GET, file_format=file_format)


@router.get("/{batch_id}", response={200: ImportBatchOut, **ERRORS}, operation_id="import_get")
def import_get(request, batch_id: int):
    _require(request, VIEW_PERM)
    return _batch(request, batch_id)


@router.post("/{batch_id}/approve", response={200: ImportBatchOut, **WRITE_ERRORS}, operation_id="import_approve")
def import_approve(request, batch_id: int):
    """A second user approves a batch awaiting approval (never the uploader); it is then written."""
    _require(request, services_import.APPROVE_PERM)
    batch = _batch(request, batch_id, perm=services_import.APPROVE_PERM)
    services_import.import_batch_approve(actor=request.user, batch=batch)
    return _batch(request, batch_id, perm=services_import.APPROVE_PERM)


@router.post("/{batch_id}/commit", response={200: ImportBatchOut, **WRITE_ERRORS}, operation_id="import_commit")
def import_commit(request, batch_id: int):
    """Write a validated dry run (or send it for approval when the province requires one)."""
    _require(request, services_import.IMPORT_PERM)
    batch = _batch(request, batch_id, perm=services_import.IMPORT_PERM)
    services_import.import_batch_commit(actor=request.user, batch=batch)
    return _batch(request, batch_id, perm=services_import.IMPORT_PERM)


@router.post("/{batch_id}/cancel", response={200: ImportBatchOut, **WRITE_ERRORS}, operation_id="import_cancel")
def import_cancel(request, batch_id: int):
    _require(request, services_import.IMPORT_PERM, services_import.APPROVE_PERM)
    batch = _batch(request, batch_id)
    services_import.import_batch_cancel(actor=request.user, batch=batch)
    return _batch(request, batch_id)
