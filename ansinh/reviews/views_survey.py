"""Pages of steps 3 and 4 of the review (QĐ 24/2021/QĐ-TTg Điều 4 khoản 2): phiếu B of one household,
sending it back to phiếu B, the village meeting (form, list, detail, minutes as .docx), and the
panels these steps add to the case page and the campaign page.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back onto the form or as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.poverty.display import indicator_rows, period_text
from ansinh.poverty.explain import class_label, reason_text
from ansinh.poverty.models import Assessment, StandardVersion
from ansinh.poverty.privacy import can_view_income
from ansinh.poverty.selectors import latest_assessment
from ansinh.poverty.services import evaluate

from . import selectors, selectors_survey, services_survey
from .choices import CaseState
from .documents_survey import meeting_minutes_docx, minutes_filename, percent
from .forms_survey import FormBForm, MeetingForm, ResurveyForm, VillagePickForm
from .views_common import REFUSALS, add_form_errors, docx_response, refusal_messages

VIEW_CASE_PERM = selectors.VIEW_CASE_PERM
RECORD_PERM = selectors.RECORD_CASE_PERM
CLASSIFY_PERM = "poverty.classify_household"
VIEW_MEETING_PERM = selectors_survey.VIEW_MEETING_PERM


def _spec_of(standard):
    version = StandardVersion.objects.filter(standard=standard, version=standard.version).first()
    return version.spec() if version else standard.spec()


def _undetermined(evaluation) -> frozenset[str]:
    """Derived indicators the registry cannot decide (a fact is missing): phiếu B answers them."""
    return frozenset(row["code"] for row in evaluation.indicators if row["facts"].get("missing"))


def _indicator_name(spec, code: str) -> str:
    try:
        return spec.indicator(code).title
    except KeyError:
        return code


def _open(campaign) -> bool:
    return selectors.campaign_takes_records(campaign)


# -- phiếu B ------------------------------------------------------------------------------------


class FormBView(AreaPermissionRequiredMixin, View):
    """Phiếu B of a household being surveyed: every indicator of the campaign's standard with what the
    registry says, a yes/no answer where the registry cannot tell, an override (with its reason) of
    a derived value, and the income (or income score); recording it gives the provisional class."""

    permission_required = RECORD_PERM
    template_name = "reviews/survey/form_b.html"

    def _setup(self, pk):
        case = selectors.case_get_visible(user=self.request.user, pk=pk, perm=RECORD_PERM)
        if not self.request.user.has_perm(CLASSIFY_PERM, case.household):
            raise PermissionDenied(_("Bạn không được phân loại hộ trên địa bàn này."))
        standard = case.campaign.standard
        spec = _spec_of(standard)
        derived = evaluate(spec, case.household, None, on_date=timezone.localdate())
        return case, standard, spec, derived

    def _render(self, case, standard, spec, derived, form, status=200):
        return render(self.request, self.template_name, {
            "form": form, "case": case, "campaign": case.campaign, "household": case.household,
            "standard": standard, "spec": spec, "rows": indicator_rows(spec, derived.indicators),
            "period": period_text(spec),
            "page_title": _("Phiếu B: %(household)s") % {"household": case.household},
            "cancel_url": reverse("reviews:case_detail", args=[case.pk]),
        }, status=status)  # fmt: skip

    def _not_surveying(self, case):
        if case.state == CaseState.SURVEYING:
            return None
        messages.error(self.request, _("Hộ đang ở bước “%(state)s”; chỉ ghi phiếu B cho hộ đang rà soát phiếu B.")
                       % {"state": case.get_state_display()})  # fmt: skip
        return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))

    def get(self, request, pk):
        case, standard, spec, derived = self._setup(pk)
        refused = self._not_surveying(case)
        if refused:
            return refused
        # The case's own form B, read from its household's province (one partition, decision 0037), else
        # the latest under the campaign's standard.
        own = Assessment.objects.of_household(case.household).filter(pk=case.assessment_id).first()
        assessment = own or latest_assessment(case.household, standard)
        form = FormBForm(initial=FormBForm.initial_from(assessment), spec=spec, undetermined=_undetermined(derived))
        return self._render(case, standard, spec, derived, form)

    def post(self, request, pk):
        case, standard, spec, derived = self._setup(pk)
        refused = self._not_surveying(case)
        if refused:
            return refused
        form = FormBForm(request.POST, spec=spec, undetermined=_undetermined(derived))
        if form.is_valid():
            try:
                case = services_survey.form_b_record(actor=request.user, case=case, data=form.assessment_data(),
                                                     today=timezone.localdate())  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc, form.field_for_error)
            else:
                messages.success(request, _("Đã ghi phiếu B. Kết quả sơ bộ: %(label)s; tiếp theo: họp dân.")
                                 % {"label": class_label(case.provisional_class)})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        return self._render(case, standard, spec, derived, form)


class CaseResurveyView(AreaPermissionRequiredMixin, View):
    """POST (with a reason): a surveyed or met household goes back to phiếu B before posting."""

    permission_required = RECORD_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        case = selectors.case_get_visible(user=request.user, pk=pk, perm=RECORD_PERM)
        form = ResurveyForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({"reason": [_("Hãy ghi lý do rà soát lại phiếu B.")]})
            services_survey.case_resurvey(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã đưa hộ về rà soát lại phiếu B."))
        return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))


# -- village meetings ---------------------------------------------------------------------------


class MeetingCreateView(AreaPermissionRequiredMixin, View):
    """Record a village meeting: pick the village (GET ``?village=<id>``), then the minutes and, per
    surveyed household of the village, how many attendees agreed (empty: not discussed)."""

    permission_required = RECORD_PERM
    template_name = "reviews/survey/meeting_form.html"

    def _render(self, campaign, villages, *, village=None, form=None, status=200):
        return render(self.request, self.template_name, {
            "campaign": campaign, "village": village, "form": form,
            "pick_form": VillagePickForm(initial={"village": village.pk if village else None}, villages=villages),
            "page_title": _("Ghi biên bản họp dân"),
            "cancel_url": reverse("reviews:meeting_list", args=[campaign.pk]),
        }, status=status)  # fmt: skip

    def _village(self, villages, value):
        pk = selectors._int(value)
        return villages.filter(pk=pk).first() if pk else None

    def get(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        villages = selectors_survey.meeting_villages(user=request.user, campaign=campaign)
        village = self._village(villages, request.GET.get("village"))
        form = None
        if village is not None:
            cases = selectors_survey.surveyed_cases(campaign=campaign, village=village)
            form = MeetingForm(initial={"village": village.pk, "held_on": timezone.localdate(), "place":
                                        _("Nhà văn hóa %(village)s") % {"village": village.name}},
                               villages=villages, cases=cases)  # fmt: skip
        return self._render(campaign, villages, village=village, form=form)

    def post(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        villages = selectors_survey.meeting_villages(user=request.user, campaign=campaign)
        village = self._village(villages, request.POST.get("village"))
        if village is None:
            messages.error(request, _("Hãy chọn thôn, tổ dân phố thuộc địa bàn của bạn."))
            return self._render(campaign, villages)
        cases = selectors_survey.surveyed_cases(campaign=campaign, village=village)
        form = MeetingForm(request.POST, villages=villages, cases=cases)
        if form.is_valid():
            try:
                meeting = services_survey.meeting_record(
                    actor=request.user, campaign=campaign, village=village, data=form.meeting_data(),
                    results=form.results(), today=timezone.localdate(),
                )  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                passed = meeting.results.filter(passed=True).count()
                failed = meeting.results.count() - passed
                messages.success(request, _("Đã ghi biên bản họp dân %(village)s: %(passed)s hộ đạt, %(failed)s hộ "
                                            "không đạt (rà soát lại phiếu B).")
                                 % {"village": village.name, "passed": passed, "failed": failed})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:meeting_detail", args=[meeting.pk]))
        return self._render(campaign, villages, village=village, form=form)


def _result_rows(meeting) -> list[dict]:
    return [
        {"result": r, "case": r.case, "household": r.case.household, "label": class_label(r.proposed_class),
         "percent": percent(r.agreeing, meeting.attendee_count)}
        for r in selectors_survey.meeting_results(meeting)
    ]  # fmt: skip


class MeetingDetailView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_MEETING_PERM
    template_name = "reviews/survey/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = selectors_survey.meeting_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        context.update(
            meeting=meeting, campaign=meeting.campaign, rows=_result_rows(meeting),
            page_title=_("Họp dân %(village)s, %(day)s") % {"village": meeting.village.name,
                                                            "day": meeting.held_on.strftime("%d/%m/%Y")},
        )  # fmt: skip
        return context


class MeetingMinutesView(AreaPermissionRequiredMixin, View):
    """The minutes (biên bản họp dân, 2 copies) as a Word document built from the meeting's data."""

    permission_required = VIEW_MEETING_PERM

    def get(self, request, pk):
        meeting = selectors_survey.meeting_get_visible(user=request.user, pk=pk)
        content = meeting_minutes_docx(meeting, selectors_survey.meeting_results(meeting))
        return docx_response(content, minutes_filename(meeting))


class MeetingListView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_MEETING_PERM
    template_name = "reviews/survey/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        context.update(
            campaign=campaign, meetings=selectors_survey.meeting_list(user=user, campaign=campaign),
            can_create=_can_create_meeting(user, campaign),
            page_title=_("Họp dân: %(name)s") % {"name": campaign.name},
        )  # fmt: skip
        return context


def _can_create_meeting(user, campaign) -> bool:
    return (_open(campaign) and user.has_perm(RECORD_PERM)
            and selectors_survey.meeting_villages(user=user, campaign=campaign).exists())  # fmt: skip


# -- panels -------------------------------------------------------------------------------------

SURVEY_STATES = {CaseState.SURVEYING, CaseState.SURVEYED, CaseState.MET, CaseState.POSTED, CaseState.DECIDED,
                 CaseState.APPROVED}  # fmt: skip


def case_panel(request, case) -> dict | None:
    """Phiếu B and the meeting on the case page: provisional class, reasons, deprivations, meeting
    results, and the buttons (phiếu B while surveying; re-survey when surveyed or met)."""
    results = selectors_survey.case_meeting_results(case)
    if case.state not in SURVEY_STATES and not case.assessment_id and not results:
        return None
    user = request.user
    spec = _spec_of(case.campaign.standard) if case.provisional_class else None
    may_record = _open(case.campaign) and user.has_perm(RECORD_PERM, case)
    rows = [
        {"result": r, "label": class_label(r.proposed_class), "percent": percent(r.agreeing, r.meeting.attendee_count),
         "can_view": user.has_perm(VIEW_MEETING_PERM, r.meeting)}
        for r in results
    ]  # fmt: skip
    return {
        "case": case,
        "class_label": class_label(case.provisional_class) if case.provisional_class else "",
        "reasons": [
            reason_text(r, spec, show_income=can_view_income(user, case.household)) for r in case.provisional_reasons
        ]
        if spec
        else [],
        "deprivations": [_indicator_name(spec, c) for c in case.deprivations] if spec else [],
        "low_income": bool(case.provisional_flags),
        "results": rows,
        "can_form_b": may_record and case.state == CaseState.SURVEYING and user.has_perm(CLASSIFY_PERM, case.household),
        "can_resurvey": may_record and case.state in (CaseState.SURVEYED, CaseState.MET),
        "resurvey_form": ResurveyForm(),
    }


def campaign_panel(request, campaign) -> dict | None:
    """The campaign's village meetings in the reader's area, per village, and the link to record one."""
    user = request.user
    if not user.has_perm(VIEW_MEETING_PERM):
        return None
    meetings = list(selectors_survey.meeting_list(user=user, campaign=campaign))
    villages: dict[int, dict] = {}
    for meeting in meetings:
        entry = villages.setdefault(meeting.village_id, {"village": meeting.village, "meetings": []})
        entry["meetings"].append(meeting)
    return {"campaign": campaign, "villages": list(villages.values()), "count": len(meetings),
            "can_create": _can_create_meeting(user, campaign)}  # fmt: skip
