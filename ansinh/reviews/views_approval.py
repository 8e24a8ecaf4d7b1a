"""Pages of the review step 'approval' (step 10, aggregation and approval upward): the campaign's
approval tree with the actions the reader may take, and the three POST actions (submit, approve,
return for revision). Thin: fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message; refusals come back as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.views import AreaPermissionRequiredMixin

from . import selectors, selectors_approval, services_approval
from .choices import LOCKED_APPROVAL_STATES, ApprovalState
from .forms_approval import ReturnForm
from .services_common import approval_locked
from .views_common import REFUSALS, refusal_messages

VIEW_PERM = selectors_approval.VIEW_APPROVAL_PERM
SUBMIT_PERM = selectors_approval.SUBMIT_PERM
APPROVE_PERM = selectors_approval.APPROVE_PERM


def _tree_url(row) -> str:
    return reverse("reviews:approval_tree", args=[row.campaign_id]) + f"#approval-{row.pk}"


class ApprovalTreeView(AreaPermissionRequiredMixin, TemplateView):
    """The campaign's approval rows in the reader's area, by level (highest first), with badges, what
    blocks each commune, and the buttons the reader may use (Trình, Phê duyệt, Trả lại)."""

    permission_required = VIEW_PERM
    template_name = "reviews/approval/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        services_approval.approvals_ensure(campaign)
        nodes = selectors_approval.approval_tree(user=user, campaign=campaign)
        levels = []
        for node in nodes:
            if not levels or levels[-1]["level"] != node.level:
                levels.append({"level": node.level, "label": node.row.get_level_display(), "nodes": []})
            levels[-1]["nodes"].append(node)
        context.update(
            page_title=_("Phê duyệt kết quả: %(name)s") % {"name": campaign.name}, campaign=campaign,
            levels=levels, return_form=ReturnForm(), chain=campaign.approval_chain,
        )  # fmt: skip
        return context


class _ApprovalAction(AreaPermissionRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        row = selectors_approval.approval_get_visible(user=request.user, pk=pk)
        try:
            message = self.perform(row)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(_tree_url(row))

    def perform(self, row) -> str:  # pragma: no cover - each subclass defines it
        raise NotImplementedError


class ApprovalSubmitView(_ApprovalAction):
    """POST: submit the unit's results (Trình)."""

    permission_required = SUBMIT_PERM

    def perform(self, row) -> str:
        services_approval.results_submit(actor=self.request.user, approval=row)
        return _("Đã trình kết quả rà soát của %(unit)s.") % {"unit": row.unit.name}


class ApprovalApproveView(_ApprovalAction):
    """POST: approve the unit's results at its level (Phê duyệt); the data is locked."""

    permission_required = APPROVE_PERM

    def perform(self, row) -> str:
        services_approval.results_approve(actor=self.request.user, approval=row)
        return _("Đã phê duyệt kết quả rà soát của %(unit)s; dữ liệu đã được khóa.") % {"unit": row.unit.name}


class ApprovalReturnView(_ApprovalAction):
    """POST: return the unit's approved results for revision (Trả lại), with a reason."""

    permission_required = APPROVE_PERM

    def perform(self, row) -> str:
        form = ReturnForm(self.request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services_approval.results_return(actor=self.request.user, approval=row, reason=reason)
        return _("Đã trả lại kết quả của %(unit)s để chỉnh sửa.") % {"unit": row.unit.name}


def case_panel(request, case) -> dict | None:
    """The case's commune approval state and whether its data is locked (panels/case_approval.html)."""
    if not request.user.has_perm(VIEW_PERM, case):
        return None
    row = selectors_approval.approval_for(case.campaign, case.unit_path)
    lock = approval_locked(case.campaign, case.unit_path)
    return {
        "row": row, "locked": lock is not None, "locked_by": lock,
        "state": row.state if row else ApprovalState.WAITING.value,
        "label": row.get_state_display() if row else _("Chưa trình"),
        "badge": selectors_approval.STATE_BADGES.get(row.state, "") if row else "",
        "url": reverse("reviews:approval_tree", args=[case.campaign_id]),
        "returned": row is not None and row.state == ApprovalState.RETURNED,
    }  # fmt: skip


def campaign_panel(request, campaign) -> dict | None:
    """Counts of the approval rows by state per level, with a link (templates/reviews/panels/campaign_approval.html)."""
    if not request.user.has_perm(VIEW_PERM):
        return None
    counts = selectors_approval.approval_counts(user=request.user, campaign=campaign)
    return {
        "levels": counts, "url": reverse("reviews:approval_tree", args=[campaign.pk]),
        "locked_states": [s.value for s in LOCKED_APPROVAL_STATES],
    }  # fmt: skip
