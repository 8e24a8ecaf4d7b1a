"""Pages of a review campaign's results: the progress dashboard per unit (drill-down from the province
to the villages), the frozen results with their transitions, freezing them, and the CSV export.

Thin: fetch through a selector (404 whether missing or out of area), call one service, redirect with a
message. Service refusals come back as messages.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.registry.choices import PovertyClass

from . import selectors, selectors_results, services_results
from .choices import Transition
from .forms_results import ResultFilterForm
from .models import CampaignResult
from .views_common import REFUSALS, refusal_messages

VIEW_CASE_PERM = selectors_results.VIEW_CASE_PERM
VIEW_RESULT_PERM = selectors_results.VIEW_RESULT_PERM
MANAGE_PERM = services_results.MANAGE_PERM
PAGE_SIZE = 50

# gettext_lazy: the labels are read per request, in the reader's language.
COLUMN_LABELS = {
    "listed": gettext_lazy("Số hộ trong danh sách"),
    "surveyed": gettext_lazy("Đã chấm điểm phiếu B"),
    "met": gettext_lazy("Đã họp dân"),
    "posted": gettext_lazy("Đã niêm yết"),
    "decided": gettext_lazy("Đã có quyết định của xã"),
    "approved": gettext_lazy("Đã phê duyệt"),
    "screened_out": gettext_lazy("Loại qua phiếu A"),
    "withdrawn": gettext_lazy("Rút khỏi đợt"),
}


def _column_labels() -> list[tuple[str, str]]:
    return [(key, str(COLUMN_LABELS[key])) for key in selectors_results.PROGRESS_COLUMNS]


def _class_label(value: str) -> str:
    return str(PovertyClass(value).label) if value in PovertyClass.values else ""


def _transition_label(value: str) -> str:
    return str(Transition(value).label) if value in Transition.values else value


class ProgressView(AreaPermissionRequiredMixin, TemplateView):
    """The progress dashboard: the units right below `?unit=` (default: the campaign's unit)."""

    permission_required = VIEW_CASE_PERM
    template_name = "reviews/results/progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        unit = selectors_results.progress_unit(user=user, campaign=campaign, unit_id=self.request.GET.get("unit"))
        progress = selectors_results.progress_by_unit(user=user, campaign=campaign, unit=unit,
                                                      today=timezone.localdate())  # fmt: skip
        context.update(
            page_title=_("Tiến độ rà soát: %(unit)s") % {"unit": unit.name}, campaign=campaign, progress=progress,
            columns=_column_labels(),
        )  # fmt: skip
        return context


class ResultsView(AreaPermissionRequiredMixin, TemplateView):
    """The frozen results: households per transition, and the households (filter, 50 a page)."""

    permission_required = VIEW_RESULT_PERM
    template_name = "reviews/results/results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        units = selectors.case_units(user=user, campaign=campaign, perm=VIEW_RESULT_PERM)
        form = ResultFilterForm(self.request.GET or None, units=units)
        filters = form.filters() if self.request.GET else {}
        qs = selectors_results.results_visible_to(user=user, campaign=campaign, filters=filters)
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        for result in page.object_list:
            result.previous_label = _class_label(result.previous_class)
            result.final_label = _class_label(result.final_class)
            result.transition_label = _transition_label(result.transition)
        counts = selectors_results.transition_counts(user=user, campaign=campaign, unit=filters.get("unit"))
        frozen = selectors_results.results_frozen(campaign)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            page_title=_("Kết quả rà soát: %(name)s") % {"name": campaign.name}, campaign=campaign, form=form,
            page_obj=page, frozen=frozen, query=query.urlencode(),
            transitions=[{"code": code, "label": _transition_label(code), "count": n} for code, n in counts.items()],
            total=sum(counts.values()),
            can_freeze=not frozen and user.has_perm(MANAGE_PERM, campaign.unit),
        )  # fmt: skip
        return context


class ResultsFreezeView(AreaPermissionRequiredMixin, View):
    """POST: freeze the campaign's results (refusals come back as messages)."""

    permission_required = MANAGE_PERM
    http_method_names = ["post"]

    def post(self, request, pk):

        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        try:
            count = services_results.results_freeze(actor=request.user, campaign=campaign)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã chốt kết quả rà soát của %(n)s hộ.") % {"n": count})
        return HttpResponseRedirect(reverse("reviews:campaign_results", args=[campaign.pk]))


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = (
    gettext_lazy("Mã hộ"), gettext_lazy("Họ tên chủ hộ"), gettext_lazy("Xã/phường"), gettext_lazy("Thôn/tổ dân phố"),
    gettext_lazy("Phân loại trước rà soát"), gettext_lazy("Kết quả công nhận"), gettext_lazy("Diễn biến"),
    gettext_lazy("Ngày quyết định"), pgettext_lazy("một chuẩn", "Chuẩn nghèo"),
)  # fmt: skip


class ResultsCsvView(AreaPermissionRequiredMixin, View):
    """The frozen results of the reader's area as CSV (UTF-8 with BOM for Excel), streamed; no CCCD."""

    permission_required = VIEW_RESULT_PERM

    def get(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        qs = selectors_results.results_visible_to(user=request.user, campaign=campaign)
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow([str(h) for h in CSV_HEADER])
            for r in qs.iterator(chunk_size=500):
                h = r.household
                yield writer.writerow([
                    h.code, h.head_name, h.commune.name, h.village.name if h.village_id else "",
                    _class_label(r.previous_class), _class_label(r.final_class), _transition_label(r.transition),
                    r.decided_on.strftime("%d/%m/%Y") if r.decided_on else "", r.standard_code,
                ])  # fmt: skip

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ket-qua-ra-soat-{campaign.pk}.csv"'
        return response


def case_panel(request, case) -> dict | None:
    """The case's frozen result and transition, once the campaign's results are frozen."""
    if not request.user.has_perm(VIEW_RESULT_PERM, case):
        return None
    result = CampaignResult.objects.filter(case=case).first()
    if result is None:
        return None
    return {
        "result": result, "previous_label": _class_label(result.previous_class) or "—",
        "final_label": _class_label(result.final_class) or "—",
        "transition_label": _transition_label(result.transition),
    }  # fmt: skip


def campaign_panel(request, campaign) -> dict | None:
    """Progress totals of the reader's area in one line, with links to the dashboard and the results."""
    user = request.user
    if not user.has_perm(VIEW_CASE_PERM):
        return None
    counts = selectors_results.case_progress_counts(user=user, campaign=campaign)
    listed = counts["listed"]
    cells = [
        {"key": key, "label": label, "count": counts[key],
         "percent": round(100 * counts[key] / listed, 1) if listed else None}
        for key, label in _column_labels()
    ]  # fmt: skip
    return {
        "campaign": campaign, "cells": cells, "frozen": selectors_results.results_frozen(campaign),
        "can_results": user.has_perm(VIEW_RESULT_PERM),
    }  # fmt: skip
