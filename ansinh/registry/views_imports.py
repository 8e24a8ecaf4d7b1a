"""Pages of household imports (upload, follow, approve, commit, cancel) and the registry export.

Thin: parse, fetch through the area scope (404 when missing or out of area), call one service.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.views import AreaPermissionRequiredMixin, get_visible_object_or_404

from . import exporting, services_import
from .choices import ImportStatus
from .forms_imports import ImportUploadForm
from .models import ImportBatch

VIEW_PERM = "registry.view_importbatch"
IMPORT_PERM = services_import.IMPORT_PERM
APPROVE_PERM = services_import.APPROVE_PERM
EXPORT_PERM = exporting.EXPORT_PERM


def _batch(request, pk: int, perm: str = VIEW_PERM) -> ImportBatch:
    return get_visible_object_or_404(
        ImportBatch.objects.select_related("commune", "created_by", "approved_by", "job"),
        request.user,
        perm=perm,
        pk=pk,
    )


def _refusal_message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Vai trò của bạn không có quyền này.")


# A dry run is sent on to be written (awaiting approval, committing, committed): from then on it is
# no longer "a dry run" but a batch that was checked first. A failed batch may have failed while
# checking or while writing, so it is called neither.
_SENT_TO_WRITE = (ImportStatus.AWAITING_APPROVAL, ImportStatus.COMMITTING, ImportStatus.COMMITTED)


def _dry_run_note(batch: ImportBatch) -> str:
    """What to say of the batch's dry run: "chạy thử" only while nothing is (going to be) written."""
    if not batch.dry_run or batch.status == ImportStatus.FAILED:
        return ""
    if batch.status in _SENT_TO_WRITE:
        return _("đã chạy thử trước khi ghi")
    return _("chạy thử")


class ImportListView(AreaPermissionRequiredMixin, TemplateView):
    """The area's import batches, newest first."""

    permission_required = VIEW_PERM
    template_name = "registry/import_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batches = ImportBatch.objects.visible_to(user, perm=VIEW_PERM).select_related("commune", "created_by")
        page = Paginator(batches.order_by("-created_at", "-id"), 50).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        for batch in rows:
            batch.dry_run_note = _dry_run_note(batch)
        context.update(
            page_obj=page,
            batches=rows,
            page_title=_("Nhập hộ từ tệp"),
            can_import=user.has_perm(IMPORT_PERM),
            can_export=user.has_perm(EXPORT_PERM),
        )
        return context


class ImportTemplateView(AreaPermissionRequiredMixin, View):
    """The xlsx template with the code lists and the villages the user may import into."""

    permission_required = IMPORT_PERM

    def get(self, request):
        content = exporting.template_workbook(user=request.user)
        response = HttpResponse(content, content_type=exporting.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-ho-gia-dinh.xlsx"'
        return response


class ImportCreateView(AreaPermissionRequiredMixin, FormView):
    permission_required = IMPORT_PERM
    form_class = ImportUploadForm
    template_name = "registry/import_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "page_title": _("Tải tệp hộ gia đình lên")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            batch = services_import.import_batch_create(
                actor=self.request.user, commune=data["commune"], file=data["file"], mode=data["mode"],
                dry_run=data["dry_run"],
            )  # fmt: skip
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            form.add_error("file", _refusal_message(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Đã nhận tệp %(name)s; hệ thống đang kiểm tra.") % {"name": batch.file_name})
        return redirect("registry:import_detail", pk=batch.pk)


class ImportDetailView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "registry/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batch = _batch(self.request, self.kwargs["pk"])
        job = batch.job
        # Each message in the reader's language, whoever started the import (decision 0024's addendum).
        errors = services_import.import_error_rows((job.result or {}).get("errors")) if job is not None else []
        status = batch.status
        has_work = services_import.import_batch_has_work(batch)
        context.update(
            batch=batch,
            job=job,
            errors=errors,
            page_title=_("Lần nhập: %(name)s") % {"name": batch.file_name},
            dry_run_note=_dry_run_note(batch),
            in_progress=status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.COMMITTING),
            nothing_to_write=status == ImportStatus.VALIDATED and not has_work,
            can_commit=status == ImportStatus.VALIDATED and has_work and user.has_perm(IMPORT_PERM, batch.commune),
            can_approve=status == ImportStatus.AWAITING_APPROVAL
            and has_work
            and user.has_perm(APPROVE_PERM, batch.commune)
            and batch.created_by_id != user.pk,
            is_uploader_waiting=status == ImportStatus.AWAITING_APPROVAL and batch.created_by_id == user.pk,
            can_cancel=status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.AWAITING_APPROVAL)
            and (user.has_perm(IMPORT_PERM, batch.commune) or user.has_perm(APPROVE_PERM, batch.commune)),
        )
        return context


class _BatchActionView(AreaPermissionRequiredMixin, View):
    """POST one action on a batch; refusals come back as a message on the batch page."""

    http_method_names = ["post"]
    done_message = ""

    def perform(self, batch: ImportBatch) -> ImportBatch:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def post(self, request, pk: int):
        batch = _batch(request, pk, perm=self.permission_required)
        try:
            self.perform(batch)
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            messages.error(request, _refusal_message(exc))
        else:
            messages.success(request, str(self.done_message))
        return redirect("registry:import_detail", pk=batch.pk)


class ImportApproveView(_BatchActionView):
    permission_required = APPROVE_PERM
    done_message = gettext_lazy("Đã duyệt; hệ thống đang ghi dữ liệu vào sổ hộ.")

    def perform(self, batch):
        return services_import.import_batch_approve(actor=self.request.user, batch=batch)


class ImportCommitView(_BatchActionView):
    permission_required = IMPORT_PERM
    done_message = gettext_lazy("Đã chuyển ghi dữ liệu (hoặc gửi duyệt nếu tỉnh yêu cầu người thứ hai duyệt).")

    def perform(self, batch):
        return services_import.import_batch_commit(actor=self.request.user, batch=batch)


class ImportCancelView(_BatchActionView):
    """The uploader (import permission) or an approver may cancel."""

    permission_required = VIEW_PERM
    done_message = gettext_lazy("Đã hủy lần nhập; không có dữ liệu nào được ghi.")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.has_perm(IMPORT_PERM) or user.has_perm(APPROVE_PERM)):
            raise PermissionDenied(_("Vai trò của bạn không có quyền này."))
        return super().dispatch(request, *args, **kwargs)

    def perform(self, batch):
        return services_import.import_batch_cancel(actor=self.request.user, batch=batch)


class ImportErrorFileView(AreaPermissionRequiredMixin, View):
    """The result workbook: every submitted row, errors in red with a comment and a "Lỗi" column, in the
    reader's language (batches checked before there was one per language have only their one)."""

    permission_required = VIEW_PERM

    def get(self, request, pk: int):
        batch = _batch(request, pk)
        name = batch.result_file_name()
        if not name:
            raise Http404(_("Lần nhập này chưa có tệp kết quả."))
        stem = batch.file_name.rsplit(".", 1)[0]
        return FileResponse(
            batch.error_file.storage.open(name, "rb"), as_attachment=True, filename=f"ket-qua-{stem}.xlsx",
            content_type=exporting.XLSX_CONTENT_TYPE,
        )  # fmt: skip


class HouseholdExportView(AreaPermissionRequiredMixin, View):
    """The visible registry (with the list's filters) as xlsx or csv, streamed and audited."""

    permission_required = EXPORT_PERM

    def get(self, request):
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        try:
            return exporting.household_export_response(user=request.user, params=request.GET, file_format=file_format)
        except ApplicationError as exc:  # too many rows for an xlsx: back to the same list, with the reason
            messages.error(request, exc.message)
            query = request.GET.copy()
            query.pop("format", None)
            url = reverse("registry:household_list")
            return redirect(f"{url}?{query.urlencode()}" if query else url)
