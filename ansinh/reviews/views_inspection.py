"""Pages of re-inspection (phúc tra, step 7): the campaign's communes with their poverty-rate change and
why they look suspicious, the order form, one re-inspection with its samples (finding, resolution,
closing), and the panels of the case and campaign pages.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one service,
redirect with a message. Refusals come back as messages (or onto the order form).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ansinh.core.scoping import scope_of
from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.geo.models import AdminUnit

from . import selectors, selectors_inspection, services_inspection
from .choices import ReinspectionStatus
from .forms_inspection import FindingForm, ReinspectionOrderForm, ResolveForm
from .views_common import REFUSALS, add_form_errors, refusal_messages

VIEW_PERM = selectors_inspection.VIEW_PERM
REINSPECT_PERM = selectors_inspection.REINSPECT_PERM
RESOLVE_PERM = selectors_inspection.RESOLVE_PERM
# Same handling as views.py (not imported from there: views imports the panels, which import this module).


def _order_communes(user, campaign):
    """Communes of the campaign where `user` may order a re-inspection."""
    ids = [u.pk for u in selectors_inspection.campaign_communes(campaign)]
    return AdminUnit.objects.visible_to(user, perm=REINSPECT_PERM).filter(pk__in=ids).order_by("sort_key")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _units_context(request, campaign, form=None) -> dict:
    user = request.user
    result = selectors_inspection.suspicious_units(user=user, campaign=campaign)
    can_order = selectors.campaign_takes_records(campaign) and user.has_perm(REINSPECT_PERM)
    communes = _order_communes(user, campaign) if can_order else None
    chosen = None
    if can_order and communes.exists():
        pick = _int(request.POST.get("commune") if request.method == "POST" else request.GET.get("commune"))
        chosen = communes.filter(pk=pick).first() if pick else None
        if form is None:
            initial = {}
            if chosen is not None:
                row = next((r for r in result.rows if r.unit.pk == chosen.pk), None)
                initial = {"commune": chosen.pk, "reasons": "\n".join(row.reason_texts) if row else ""}
            cases = selectors_inspection.eligible_cases(campaign, chosen) if chosen else None
            form = ReinspectionOrderForm(initial=initial, communes=communes, cases=cases)
    else:
        form = None
    return {
        "page_title": _("Phúc tra: %(name)s") % {"name": campaign.name}, "campaign": campaign, "result": result,
        "reinspections": selectors_inspection.reinspection_list(user=user, campaign=campaign),
        "order_form": form, "chosen": chosen,
        "order_url": reverse("reviews:reinspection_order", args=[campaign.pk]),
    }  # fmt: skip


class ReinspectionUnitsView(AreaPermissionRequiredMixin, View):
    """The campaign's communes: households, poverty rate before and now, change, reasons flagged; the
    re-inspections ordered; the order form for the higher level (``?commune=`` lists its households)."""

    permission_required = VIEW_PERM
    template_name = "reviews/inspection/units.html"

    def get(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        return render(request, self.template_name, _units_context(request, campaign))


class ReinspectionOrderView(AreaPermissionRequiredMixin, View):
    """POST: order a re-inspection of one commune (the households ticked or a random sample)."""

    permission_required = REINSPECT_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        communes = _order_communes(request.user, campaign)
        commune = communes.filter(pk=_int(request.POST.get("commune")) or 0).first()
        cases = selectors_inspection.eligible_cases(campaign, commune) if commune else None
        form = ReinspectionOrderForm(request.POST, communes=communes, cases=cases)
        if form.is_valid():
            try:
                reinspection = services_inspection.reinspection_order(
                    actor=request.user, campaign=campaign, **form.service_kwargs()
                )
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã quyết định phúc tra %(unit)s: %(n)s hộ.")
                                 % {"unit": reinspection.unit.name, "n": reinspection.samples.count()})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:reinspection_detail", args=[reinspection.pk]))
        return render(request, ReinspectionUnitsView.template_name, _units_context(request, campaign, form=form))


class ReinspectionDetailView(AreaPermissionRequiredMixin, View):
    """One re-inspection: its reasons, each sampled household with the commune's result and the finding,
    the discrepancies and how the commune resolved them; the forms each reader may use."""

    permission_required = VIEW_PERM
    template_name = "reviews/inspection/detail.html"

    def get(self, request, pk):
        user = request.user
        reinspection = selectors_inspection.reinspection_get_visible(user=user, pk=pk)
        campaign = reinspection.campaign
        open_campaign = selectors.campaign_takes_records(campaign)
        open_ = open_campaign and reinspection.status == ReinspectionStatus.OPEN
        inspect_scope, resolve_scope = scope_of(user, REINSPECT_PERM), scope_of(user, RESOLVE_PERM)
        today = timezone.localdate()
        rows = []
        for sample in selectors_inspection.samples_of(reinspection):
            paths = sample.case.get_scope_paths()
            can_find = open_ and sample.resolved_on is None and inspect_scope.covers(*paths)
            can_resolve = (open_campaign and sample.discrepancy and sample.resolved_on is None
                           and resolve_scope.covers(*paths))  # fmt: skip
            rows.append({
                "sample": sample,
                "finding_form": FindingForm(
                    auto_id=f"id_f{sample.pk}_%s",
                    initial={"found_class": sample.found_class, "findings": sample.findings,
                             "inspector_name": sample.inspector_name, "inspected_on": sample.inspected_on or today},
                ) if can_find else None,
                "resolve_form": ResolveForm(auto_id=f"id_r{sample.pk}_%s") if can_resolve else None,
            })  # fmt: skip
        can_close = open_ and inspect_scope.covers(*reinspection.get_scope_paths())
        return render(request, self.template_name, {
            "page_title": _("Phúc tra %(unit)s") % {"unit": reinspection.unit.name}, "reinspection": reinspection,
            "campaign": campaign, "rows": rows, "can_close": can_close,
            "missing": sum(1 for r in rows if not r["sample"].found_class),
        })  # fmt: skip


class _SamplePost(AreaPermissionRequiredMixin, View):
    http_method_names = ["post"]
    form_class = None

    def post(self, request, pk, sample_pk):
        reinspection = selectors_inspection.reinspection_get_visible(user=request.user, pk=pk)
        sample = selectors_inspection.sample_get_visible(user=request.user, pk=sample_pk, reinspection=reinspection)
        form = self.form_class(request.POST)
        try:
            if not form.is_valid():
                raise_form_errors(form)
            message = self.perform(sample, form.cleaned_data)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, f"{sample.case.household}: {text}")
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse("reviews:reinspection_detail", args=[reinspection.pk]) + f"#s{sample.pk}")


def raise_form_errors(form) -> None:
    raise ValidationError([f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                           for k, v in form.errors.items()])  # fmt: skip


class FindingRecordView(_SamplePost):
    """POST: an inspector records (or corrects) the finding for one sampled household."""

    permission_required = REINSPECT_PERM
    form_class = FindingForm

    def perform(self, sample, data) -> str:
        sample = services_inspection.finding_record(
            actor=self.request.user, sample=sample, found_class=data["found_class"], findings=data["findings"],
            inspector_name=data["inspector_name"], inspected_on=data["inspected_on"],
        )  # fmt: skip
        if sample.discrepancy:
            return _("Đã ghi kết quả phúc tra hộ %(household)s: sai lệch với kết quả của xã; xã phải xử lý trước "
                     "khi công nhận.") % {"household": sample.case.household}  # fmt: skip
        return _("Đã ghi kết quả phúc tra hộ %(household)s: đúng kết quả của xã.") % {
            "household": sample.case.household
        }


class DiscrepancyResolveView(_SamplePost):
    """POST: the commune explains or handles a discrepancy (optionally re-surveying the household)."""

    permission_required = RESOLVE_PERM
    form_class = ResolveForm

    def perform(self, sample, data) -> str:
        services_inspection.discrepancy_resolve(actor=self.request.user, sample=sample, resolution=data["resolution"],
                                                resurvey=data["resurvey"])  # fmt: skip
        if data["resurvey"]:
            return _("Đã xử lý sai lệch; hộ %(household)s được rà soát lại phiếu B.") % {
                "household": sample.case.household}  # fmt: skip
        return _("Đã ghi giải trình của xã cho hộ %(household)s.") % {"household": sample.case.household}


class ReinspectionCloseView(AreaPermissionRequiredMixin, View):
    """POST: close the re-inspection once every sampled household has a finding."""

    permission_required = REINSPECT_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        reinspection = selectors_inspection.reinspection_get_visible(user=request.user, pk=pk)
        try:
            services_inspection.reinspection_close(actor=request.user, reinspection=reinspection)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã kết thúc phúc tra %(unit)s.") % {"unit": reinspection.unit.name})
        return HttpResponseRedirect(reverse("reviews:reinspection_detail", args=[reinspection.pk]))


# -- panels of the case page and the campaign page ----------------------------------------------


def case_panel(request, case) -> dict | None:
    """The case's re-inspections (commune result, finding, discrepancy, resolution), when it was sampled."""
    user = request.user
    if not user.has_perm(VIEW_PERM, case):
        return None
    samples = list(selectors_inspection.case_samples(case))
    if not samples:
        return None
    return {"samples": samples, "open_discrepancies": sum(1 for s in samples if s.discrepancy and not s.resolved_on)}


def campaign_panel(request, campaign) -> dict | None:
    """How many re-inspections and open discrepancies the reader's area has, with the link to the page."""
    user = request.user
    if not user.has_perm(VIEW_PERM):
        return None
    reinspections = list(selectors_inspection.reinspection_list(user=user, campaign=campaign))
    return {
        "campaign": campaign, "count": len(reinspections),
        "open": sum(1 for r in reinspections if r.status == ReinspectionStatus.OPEN),
        "open_discrepancies": sum(r.open_discrepancy_count for r in reinspections),
        "can_order": selectors.campaign_takes_records(campaign) and user.has_perm(REINSPECT_PERM),
    }  # fmt: skip
