"""Audit log pages: the filtered list, one event, and starting the chain verification."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ansinh.core.views import ScopedDetailView, ScopedListView

from . import areas, event_types, target_types
from .filters import AuditEventFilter
from .jobs import audit_verify_enqueue
from .models import AuditEvent
from .permissions import can_verify_chains
from .selectors import VIEW_PERM, audit_event_list_visible_to, change_rows
from .tables import VN_TZ, AuditEventTable


class AuditEventListView(ScopedListView):
    model = AuditEvent
    permission_required = VIEW_PERM
    table_class = AuditEventTable
    filterset_class = AuditEventFilter
    template_name = "audit/event_list.html"
    extra_context = {"page_title": gettext_lazy("Nhật ký kiểm toán")}

    def get_queryset(self):
        return audit_event_list_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_verify"] = can_verify_chains(self.request.user)
        return context


class AuditEventDetailView(ScopedDetailView):
    model = AuditEvent
    permission_required = VIEW_PERM
    template_name = "audit/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return audit_event_list_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = context["event"]
        context["event_label"] = event_types.label_for(event.event_type)
        context["target_type_label"] = target_types.label_for(event.target_type)
        context["change_rows"] = change_rows(event, user=self.request.user)
        context["unit_label"] = areas.labels_for([event.unit_path]).get(event.unit_path, "")
        context["tz"] = VN_TZ
        return context


class AuditVerifyStartView(LoginRequiredMixin, View):
    """POST only: queue the verification and go to its progress page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not can_verify_chains(request.user):
            raise PermissionDenied(_("Chỉ người xem nhật ký toàn quốc mới được kiểm tra chuỗi nhật ký."))
        job = audit_verify_enqueue(actor=request.user)
        messages.success(request, _("Đã bắt đầu kiểm tra toàn vẹn nhật ký."))
        return redirect("jobs:job_detail", pk=job.pk)
