"""Pages of the households in a review campaign (cases): the list, listing the current poor and
near-poor households, the application form (Mẫu 01), phiếu A, the start of the survey and a case's page.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back onto the form or as messages.
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
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ansinh.audit.event_types import label_for
from ansinh.core.htmx import swapped_block, vary_on_swap
from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.geo.choices import Level
from ansinh.registry.models import Household

from . import selectors, services_cases
from .choices import CaseOrigin, CaseState
from .filters import CaseFilterSet, id_in_query
from .forms import ApplicationForm, FormAForm, ListCurrentForm
from .panels import case_panels
from .services_common import approval_locked, results_frozen
from .tables import CaseTable
from .views_common import REFUSALS, add_form_errors, refusal_messages

VIEW_CASE_PERM = selectors.VIEW_CASE_PERM
RECORD_PERM = selectors.RECORD_CASE_PERM


def _fetch_on_change(field, path: str, *, target: str, select: str) -> None:
    """Choosing in `field`'s select fetches `path` with its value (a GET sends only that field) and
    swaps `select` of the answer in for `target` (htmx); the view answers that fetch with the block
    alone (`core.htmx.swapped_block`, on ``HX-Target``). Pages do without it: a filter's button, a
    <noscript> one. Used where a province's villages come one commune at a time."""
    field.widget.attrs.update({
        "hx-get": path, "hx-trigger": "change", "hx-target": target, "hx-sync": "this:replace",
        "hx-select": select, "hx-swap": "outerHTML",
    })  # fmt: skip


@vary_on_swap
class CaseListView(AreaPermissionRequiredMixin, SingleTableMixin, FilterView):
    """The campaign's households in the reader's area, filtered and searched like the registry list.

    The "list the current poor households" select that swaps itself in for a commune (htmx, target
    the select: ``HX-Target: list_unit``) gets that select alone: no filter, count or table."""

    permission_required = VIEW_CASE_PERM
    table_class = CaseTable
    filterset_class = CaseFilterSet
    template_name = "reviews/case_list.html"
    paginate_by = 50
    list_block = "list_unit"  # the id of `ListCurrentForm`'s select (its auto_id "list_%s")

    def dispatch(self, request, *args, **kwargs):
        self.campaign = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if swapped_block(request, self.list_block):
            # The same form as the page's, or none (then nothing is swapped in, as the page had none).
            return render(request, "reviews/_list_unit.html", {"list_form": self._listing()})
        return super().get(request, *args, **kwargs)

    def get_campaign(self):
        if self.campaign is None:
            self.campaign = selectors.campaign_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        return self.campaign

    def get_queryset(self):
        return selectors.case_list_visible_to(user=self.request.user, campaign=self.get_campaign())

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        campaign = self.get_campaign()
        units = selectors.case_units(user=self.request.user, campaign=campaign, perm=VIEW_CASE_PERM)
        kwargs.update(campaign=campaign, units=units)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, list_form = self.get_campaign(), self._listing()
        context.update(
            page_title=_("Hộ trong đợt: %(name)s") % {"name": campaign.name}, campaign=campaign,
            can_record=list_form is not None, list_form=list_form,
        )  # fmt: skip
        return context

    def _listing(self) -> ListCurrentForm | None:
        """The listing form where the reader may record and households may still join (not once the
        results are approved or frozen), else None."""
        user, campaign = self.request.user, self.get_campaign()
        if not (selectors.campaign_takes_records(campaign) and user.has_perm(RECORD_PERM)):
            return None
        units = selectors.units_taking_cases(user=user, campaign=campaign)
        return self._list_form(units) if units.exists() else None

    def _list_form(self, units) -> ListCurrentForm:
        """The "list the current poor households" form. A province's villages are offered once their
        commune is chosen (`selectors.units_offered`): in the list's filter (the page's link), or in
        this select itself, which then fetches the page for it and swaps in its own new copy (htmx;
        the POST still takes any commune or village of the reader's area)."""
        query = self.request.GET
        chosen = id_in_query(query, "village") or id_in_query(query, "unit")
        offered = selectors.units_offered(units, chosen_id=chosen)
        form = ListCurrentForm(units=offered.units, villages_held_back=offered.villages_held_back,
                               initial={"unit": offered.chosen})  # fmt: skip
        if offered.villages_held_back:
            _fetch_on_change(form.fields["unit"], self.request.path, target="this", select=f"#{self.list_block}")
        return form


class _CampaignPost(AreaPermissionRequiredMixin, View):
    permission_required = RECORD_PERM
    http_method_names = ["post"]


class CasesListCurrentView(_CampaignPost):
    """POST: add the unit's current poor and near-poor households to the campaign."""

    def post(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        form = ListCurrentForm(request.POST, units=selectors.case_units(user=request.user, campaign=campaign))
        try:
            if not form.is_valid():
                raise ValidationError([" ".join(v) for v in form.errors.values()])
            counts = services_cases.cases_list_current(actor=request.user, campaign=campaign,
                                                       unit=form.cleaned_data["unit"])  # fmt: skip
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã thêm %(added)s hộ (%(poor)s hộ nghèo, %(near)s hộ cận nghèo); "
                                        "%(already)s hộ đã có trong đợt.")
                             % {"added": counts["added"], "poor": counts["poor"], "near": counts["near_poor"],
                                "already": counts["already"]})  # fmt: skip
        return HttpResponseRedirect(reverse("reviews:case_list", args=[campaign.pk]))


@vary_on_swap
class ApplicationCreateView(AreaPermissionRequiredMixin, View):
    """Giấy đề nghị (Mẫu 01): a registered household by commune and code, or a new one.

    A province's villages are offered one commune at a time (`selectors.villages_offered`): choosing
    the commune fetches this page for it (``?commune=``) and swaps in its village field (htmx), which
    the page answers with that block alone (`core.htmx.swapped_block`); without scripts, a button under
    that field posts the form back with the commune's villages, recording nothing. A posted commune or
    village is checked against all of the reader's area in the campaign: one outside it is refused on
    the form."""

    permission_required = RECORD_PERM
    template_name = "reviews/application_form.html"
    village_block = "application-village"  # the village field and its <noscript> button, swapped together

    def _form(self, campaign, data=None, **kwargs):
        units = selectors.case_units(user=self.request.user, campaign=campaign)
        return ApplicationForm(data, communes=units.filter(level=Level.COMMUNE),
                               villages=units.filter(level=Level.VILLAGE), **kwargs)  # fmt: skip

    def _render(self, campaign, form, *, commune_id=None):
        offered = selectors.villages_offered(form.fields["village"].queryset, commune_id=commune_id)
        form.offer_villages(offered)
        if offered.villages_held_back:
            block = f"#{self.village_block}"
            _fetch_on_change(form.fields["commune"], self.request.path, target=block, select=block)
        if swapped_block(self.request, self.village_block):  # htmx asks for the village field alone
            return render(self.request, "reviews/_application_village.html", {
                "field": form["village"], "village_block": self.village_block,
            })  # fmt: skip
        return render(self.request, self.template_name, {
            "form": form, "campaign": campaign, "page_title": _("Ghi nhận giấy đề nghị rà soát"),
            "cancel_url": reverse("reviews:case_list", args=[campaign.pk]),
            "village_block": self.village_block, "villages_held_back": offered.villages_held_back,
        })  # fmt: skip

    def get(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        if not selectors.units_taking_cases(user=request.user, campaign=campaign).exists():
            messages.error(request, _("Đợt rà soát này không nhận thêm hộ ở địa bàn của bạn (đợt chưa mở hoặc đã "
                                      "kết thúc, hoặc kết quả đã được phê duyệt, đã chốt). Giấy đề nghị mới được "
                                      "xem xét trong đợt rà soát thường xuyên."))  # fmt: skip
            return HttpResponseRedirect(reverse("reviews:case_list", args=[campaign.pk]))
        commune_id = id_in_query(request.GET, "commune")
        form = self._form(campaign, initial={"commune": commune_id} if commune_id else None)
        return self._render(campaign, form, commune_id=commune_id)

    def post(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        commune_id = id_in_query(request.POST, "commune")
        if "show_villages" in request.POST:  # the <noscript> button: the same form again, unchecked
            initial = {name: request.POST[name] for name in ApplicationForm.base_fields if name in request.POST}
            messages.info(request, _("Chưa ghi nhận giấy đề nghị: danh sách thôn, tổ dân phố đã theo xã/phường đã "
                                     "chọn; điền tiếp rồi bấm “Ghi nhận”."))  # fmt: skip
            return self._render(campaign, self._form(campaign, initial=initial), commune_id=commune_id)
        form = self._form(campaign, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            household = new = None
            if data["new_household"]:
                new = form.new_household_data()
            else:
                household = (
                    Household.objects.visible_to(request.user)
                    .select_related("village", "commune")
                    .filter(commune=data["commune"], code=data["household_code"].strip())
                    .first()
                )
                if household is None:
                    form.add_error("household_code", _("Không có hộ mã %(code)s ở %(commune)s; nếu là hộ mới, hãy "
                                                       "đánh dấu “hộ chưa có trong sổ”.")
                                   % {"code": data["household_code"], "commune": data["commune"].name})  # fmt: skip
                    return self._render(campaign, form, commune_id=commune_id)
            try:
                case = services_cases.application_record(
                    actor=request.user, campaign=campaign, household=household, application=form.application_data(),
                    new_household=new,
                )  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi nhận giấy đề nghị của hộ %(household)s; tiếp theo: phiếu A.")
                                 % {"household": case.household})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        return self._render(campaign, form, commune_id=commune_id)


def _state_label(new: dict) -> str:
    """The case state an event moved to, as its label (events about a whole meeting, posting or
    approval name no single state)."""
    state = new.get("state") if isinstance(new, dict) else None
    return CaseState(state).label if state in CaseState.values else ""


# A household's review ends with the commune's recognition or, for an applicant screened out, the
# written refusal (QĐ 24/2021/QĐ-TTg Điều 5: within 15 days in the monthly regular review).
FINISHED_STATES = {CaseState.DECIDED, CaseState.APPROVED, CaseState.SCREENED_OUT, CaseState.WITHDRAWN}


def _recognition_due(case) -> dict | None:
    """The deadline of the commune's recognition (the campaign's `commune_recognition` milestone) and
    whether this household is past it without an answer."""
    milestone = case.campaign.milestones.filter(code="commune_recognition").first()
    if milestone is None:
        return None
    finished = case.state in FINISHED_STATES
    return {"deadline": milestone.deadline, "finished": finished,
            "overdue": not finished and timezone.localdate() > milestone.deadline}  # fmt: skip


class CaseDetailView(AreaPermissionRequiredMixin, TemplateView):
    """One household in the campaign: why, where it stands, phiếu A, and its history."""

    permission_required = VIEW_CASE_PERM
    template_name = "reviews/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        case = selectors.case_get_visible(user=user, pk=self.kwargs["pk"])
        open_ = selectors.campaign_takes_records(case.campaign)
        can_record = open_ and case.state == CaseState.LISTED and user.has_perm(RECORD_PERM, case)
        # Approved or frozen results are locked: no step is offered (the services refuse them too).
        can_record = can_record and not results_frozen(case.campaign)
        can_record = can_record and approval_locked(case.campaign, case.unit_path) is None
        context.update(
            page_title=str(case.household), case=case, campaign=case.campaign, household=case.household,
            history=[{"at": e.occurred_at, "actor": e.actor_name, "label": label_for(e.event_type),
                      "state": _state_label((e.changes or {}).get("new", {}))}
                     for e in selectors.case_history(case=case)[:100]],
            can_form_a=can_record and case.origin == CaseOrigin.APPLIED,
            can_start_survey=can_record and case.origin != CaseOrigin.APPLIED,
            panels=case_panels(self.request, case), due=_recognition_due(case),
        )  # fmt: skip
        return context


class FormAView(AreaPermissionRequiredMixin, View):
    """Phiếu A for an applicant household: tick the criteria it has; none ticked → phiếu B next."""

    permission_required = RECORD_PERM
    template_name = "reviews/form_a.html"

    def _render(self, case, checklist, form):
        return render(self.request, self.template_name, {
            "form": form, "case": case, "campaign": case.campaign, "checklist": checklist,
            "page_title": _("Phiếu A: %(household)s") % {"household": case.household},
            "cancel_url": reverse("reviews:case_detail", args=[case.pk]),
        })  # fmt: skip

    def _setup(self, pk):
        case = selectors.case_get_visible(user=self.request.user, pk=pk, perm=RECORD_PERM)
        return case, selectors.form_a_checklist(timezone.localdate())

    def get(self, request, pk):
        case, checklist = self._setup(pk)
        if checklist is None:
            messages.error(request, _("Chưa nạp phiếu A (lệnh reviews_load_form_a)."))
            return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        return self._render(case, checklist, FormAForm(checklist=checklist))

    def post(self, request, pk):
        case, checklist = self._setup(pk)
        if checklist is None:
            messages.error(request, _("Chưa nạp phiếu A (lệnh reviews_load_form_a)."))
            return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        form = FormAForm(request.POST, checklist=checklist)
        if form.is_valid():
            try:
                case = services_cases.form_a_record(actor=request.user, case=case, answers=form.answers())
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                if case.state == CaseState.SCREENED_OUT:
                    text = _("Hộ có đặc điểm loại trừ của phiếu A: %(items)s. Dừng rà soát hộ này.") % {
                        "items": "; ".join(case.screened_out_texts)}  # fmt: skip
                else:
                    text = _("Hộ không có đặc điểm loại trừ nào; chuyển sang rà soát phiếu B.")
                messages.success(request, text)
                return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        return self._render(case, checklist, form)


class CaseStartSurveyView(AreaPermissionRequiredMixin, View):
    """POST: a household on the current list goes straight to phiếu B."""

    permission_required = RECORD_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        case = selectors.case_get_visible(user=request.user, pk=pk, perm=RECORD_PERM)
        try:
            services_cases.case_start_survey(actor=request.user, case=case)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã chuyển hộ sang rà soát phiếu B."))
        return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
