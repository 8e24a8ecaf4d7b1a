"""Pages of steps 5 and 6 of the review: public posting (niêm yết công khai) with its printable list, and
the complaints raised during it with their verification by the commune steering committee.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back onto the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.templatetags.ansinh_format import vn_date
from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.geo.choices import Level

from . import selectors, selectors_posting, services_posting
from .choices import CaseState, ComplaintStatus
from .forms_posting import ComplaintFilterForm, ComplaintForm, ComplaintVerifyForm, PostingForm
from .views_common import REFUSALS, add_form_errors

RECORD_PERM = services_posting.RECORD_PERM
HANDLE_PERM = services_posting.HANDLE_COMPLAINT_PERM
VIEW_POSTING_PERM = selectors_posting.VIEW_POSTING_PERM
VIEW_COMPLAINT_PERM = selectors_posting.VIEW_COMPLAINT_PERM


def _commune_village(unit):
    """(commune, village) of a posting's unit: a village posting names its commune too."""
    if unit.level == Level.VILLAGE:
        return unit.parent, unit
    return unit, None


# -- step 5: posting ----------------------------------------------------------------------------


class PostingCreateView(AreaPermissionRequiredMixin, View):
    """Post the results of a commune or village agreed at the meeting; the end date is computed."""

    permission_required = RECORD_PERM
    template_name = "reviews/posting/posting_form.html"

    def _form(self, campaign, data=None):
        units = selectors.case_units(user=self.request.user, campaign=campaign, perm=RECORD_PERM)
        initial = {"working_days": services_posting.kind_working_days(campaign), "start_on": timezone.localdate()}
        return PostingForm(data, units=units, initial=initial)

    def _render(self, campaign, form):
        return render(self.request, self.template_name, {
            "form": form, "campaign": campaign, "page_title": _("Niêm yết công khai kết quả rà soát"),
            "cancel_url": reverse("reviews:campaign_detail", args=[campaign.pk]),
        })  # fmt: skip

    def get(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        return self._render(campaign, self._form(campaign))

    def post(self, request, pk):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        form = self._form(campaign, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                posting = services_posting.posting_open(
                    actor=request.user, campaign=campaign, unit=d["unit"], places=form.places_list(),
                    start_on=d["start_on"], working_days=d["working_days"], note=d.get("note") or "",
                )  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã niêm yết kết quả của %(count)s hộ tại %(unit)s từ %(start)s đến hết "
                                            "%(end)s (%(days)s ngày làm việc).")
                                 % {"count": posting.cases.count(), "unit": posting.unit.name,
                                    "start": vn_date(posting.start_on), "end": vn_date(posting.end_on),
                                    "days": posting.working_days})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:posting_detail", args=[posting.pk]))
        return self._render(campaign, form)


class PostingDetailView(AreaPermissionRequiredMixin, TemplateView):
    """The posted list, printable: where, from when to when, and each household with its proposed class,
    the reasons and the number of complaints."""

    permission_required = VIEW_POSTING_PERM
    template_name = "reviews/posting/posting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        posting = selectors_posting.posting_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        commune, village = _commune_village(posting.unit)
        today = timezone.localdate()
        context.update(
            page_title=_("Danh sách niêm yết công khai: %(unit)s") % {"unit": posting.unit.name},
            posting=posting, campaign=posting.campaign, commune=commune, village=village,
            rows=selectors_posting.posted_rows(posting),
            status=selectors_posting.posting_status(posting, today), today=today,
        )  # fmt: skip
        return context


# -- step 6: complaints -------------------------------------------------------------------------


class ComplaintListView(AreaPermissionRequiredMixin, TemplateView):
    """The campaign's complaints in the reader's area, filtered by the verification result."""

    permission_required = VIEW_COMPLAINT_PERM
    template_name = "reviews/posting/complaint_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        form = ComplaintFilterForm(self.request.GET or None)
        status = form.cleaned_data.get("status") if form.is_valid() else None
        complaints = list(selectors_posting.complaint_list(user, campaign, status=status or None)[:500])
        open_ = selectors.campaign_takes_records(campaign)
        for c in complaints:
            c.can_verify = open_ and c.status == ComplaintStatus.OPEN and user.has_perm(HANDLE_PERM, c.case)
        context.update(page_title=_("Khiếu nại trong rà soát: %(name)s") % {"name": campaign.name},
                       campaign=campaign, complaints=complaints, filter_form=form)  # fmt: skip
        return context


class ComplaintCreateView(AreaPermissionRequiredMixin, View):
    """Record a complaint about one posted household."""

    permission_required = HANDLE_PERM
    template_name = "reviews/posting/complaint_form.html"

    def _render(self, case, form):
        return render(self.request, self.template_name, {
            "form": form, "case": case, "campaign": case.campaign, "posting": case.posting,
            "page_title": _("Tiếp nhận khiếu nại: %(household)s") % {"household": case.household},
            "cancel_url": reverse("reviews:case_detail", args=[case.pk]),
        })  # fmt: skip

    def _case(self, pk):
        return selectors.case_get_visible(user=self.request.user, pk=pk, perm=HANDLE_PERM)

    def get(self, request, pk):
        case = self._case(pk)
        return self._render(case, ComplaintForm(initial={"received_on": timezone.localdate()}))

    def post(self, request, pk):
        case = self._case(pk)
        form = ComplaintForm(request.POST)
        if form.is_valid():
            try:
                complaint = services_posting.complaint_record(actor=request.user, case=case,
                                                              data=form.complaint_data())  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                if complaint.late:
                    text = _("Đã ghi khiếu nại, nhận sau khi hết thời gian niêm yết (đến %(end)s): ghi là khiếu nại "
                             "nhận muộn.") % {"end": vn_date(complaint.posting.end_on)}  # fmt: skip
                else:
                    text = _("Đã tiếp nhận khiếu nại; Ban Chỉ đạo xã xác minh và kết luận.")
                messages.success(request, text)
                return HttpResponseRedirect(reverse("reviews:case_detail", args=[case.pk]))
        return self._render(case, form)


class ComplaintVerifyView(AreaPermissionRequiredMixin, View):
    """The commune steering committee's conclusion: upheld (back to phiếu B) or rejected, with the reason."""

    permission_required = HANDLE_PERM
    template_name = "reviews/posting/complaint_verify.html"

    def _render(self, complaint, form):
        return render(self.request, self.template_name, {
            "form": form, "complaint": complaint, "case": complaint.case, "campaign": complaint.campaign,
            "page_title": _("Xác minh khiếu nại: %(household)s") % {"household": complaint.case.household},
            "cancel_url": reverse("reviews:case_detail", args=[complaint.case_id]),
        })  # fmt: skip

    def get(self, request, pk):
        complaint = selectors_posting.complaint_get_visible(user=request.user, pk=pk, perm=HANDLE_PERM)
        return self._render(complaint, ComplaintVerifyForm(initial={"verified_on": timezone.localdate()}))

    def post(self, request, pk):
        complaint = selectors_posting.complaint_get_visible(user=request.user, pk=pk, perm=HANDLE_PERM)
        form = ComplaintVerifyForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            upheld = d["outcome"] == "upheld"
            try:
                complaint = services_posting.complaint_verify(
                    actor=request.user, complaint=complaint, upheld=upheld, reason=d["reason"],
                    verified_on=d.get("verified_on"),
                )  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                if upheld:
                    text = _("Khiếu nại đúng: hộ được đưa về rà soát lại phiếu B, họp dân và niêm yết lại.")
                else:
                    text = _("Đã ghi kết luận: khiếu nại không đúng.")
                messages.success(request, text)
                return HttpResponseRedirect(reverse("reviews:case_detail", args=[complaint.case_id]))
        return self._render(complaint, form)


# -- panels of the case and campaign pages ------------------------------------------------------


def case_panel(request, case) -> dict | None:
    """The case's posting (places, dates, open or closed today) and the complaints about it, with the
    buttons to record a complaint and to verify one (rendered by reviews/panels/case_posting.html)."""
    user = request.user
    if not (user.has_perm(VIEW_POSTING_PERM) or user.has_perm(VIEW_COMPLAINT_PERM)):
        return None
    complaints = list(selectors_posting.case_complaints(user, case)) if user.has_perm(VIEW_COMPLAINT_PERM) else []
    posting = case.posting if case.posting_id else None
    if posting is None and not complaints:
        return None
    today = timezone.localdate()
    open_ = selectors.campaign_takes_records(case.campaign)
    can_handle = open_ and user.has_perm(HANDLE_PERM, case)
    for c in complaints:
        c.can_verify = can_handle and c.status == ComplaintStatus.OPEN
    return {
        "case": case, "posting": posting, "today": today,
        "status": selectors_posting.posting_status(posting, today) if posting else None,
        "can_print": posting is not None and user.has_perm(VIEW_POSTING_PERM, posting),
        "complaints": complaints,
        "can_complain": can_handle and posting is not None and case.state == CaseState.POSTED,
    }  # fmt: skip


def campaign_panel(request, campaign) -> dict | None:
    """The campaign's postings in the reader's area and its open complaints, with links
    (rendered by reviews/panels/campaign_posting.html)."""
    user = request.user
    if not user.has_perm(VIEW_POSTING_PERM):
        return None
    today = timezone.localdate()
    postings = list(selectors_posting.posting_list(user, campaign)[:50])
    for p in postings:
        p.status = selectors_posting.posting_status(p, today)
    can_post = (
        selectors.campaign_takes_records(campaign) and user.has_perm(RECORD_PERM)
        and selectors.case_units(user=user, campaign=campaign, perm=RECORD_PERM).exists()
    )  # fmt: skip
    can_view_complaints = user.has_perm(VIEW_COMPLAINT_PERM)
    complaints = selectors_posting.complaint_list(user, campaign, status=ComplaintStatus.OPEN) if (
        can_view_complaints) else None  # fmt: skip
    return {
        "campaign": campaign, "postings": postings, "can_post": can_post,
        "can_view_complaints": can_view_complaints,
        "open_complaints": complaints.filter(late=False).count() if complaints is not None else 0,
        "open_late_complaints": complaints.filter(late=True).count() if complaints is not None else 0,
    }  # fmt: skip
