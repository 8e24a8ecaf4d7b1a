"""Pages of step 8–9: the commune chair's recognition decision (Mẫu số 02 of QĐ 24/2021/QĐ-TTg) with its
readiness and lists, its draft (.docx), the certificates (Mẫu số 03) and their printable page, and the
written refusal of a household screened out in the regular review (Điều 5).

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ansinh.core.text import fold_vietnamese
from ansinh.core.views import AreaPermissionRequiredMixin

from . import documents_decision, selectors, selectors_decision, services_decision
from .choices import CampaignStatus, CaseState, CommitteeRole
from .forms_decision import CertificatesForm, DecisionForm
from .models import Certificate, SteeringMember
from .services_common import approval_locked
from .views_common import REFUSALS, add_form_errors, docx_response, file_slug, refusal_messages

RECORD_PERM = selectors_decision.RECORD_DECISION_PERM
VIEW_PERM = selectors_decision.VIEW_DECISION_PERM
VIEW_CERTIFICATE_PERM = selectors_decision.VIEW_CERTIFICATE_PERM


# Signer titles as the decision form offers them: shown in the reader's language; any other text as written.
SIGNER_TITLES = {"chu tich": gettext_lazy("Chủ tịch"), "pho chu tich": gettext_lazy("Phó Chủ tịch")}


def signer_title(position: str) -> str:
    """The signer's title in the reader's language when it is a known one ("Chủ tịch" → "Chairperson")."""
    return str(SIGNER_TITLES.get(fold_vietnamese(position), position))


def draft_filename(decision) -> str:
    """``quyet-dinh-cong-nhan-xa-tho-xuan-2026.docx`` (the same in ``filename`` and ``filename*``)."""
    return f"{file_slug('quyet-dinh-cong-nhan', decision.commune.name, decision.campaign.year)}.docx"


# -- the decision ---------------------------------------------------------------------------------


class DecisionCreateView(AreaPermissionRequiredMixin, View):
    """GET ?commune=: what the commune has and lacks before its decision, and the form; POST records it."""

    permission_required = RECORD_PERM
    template_name = "reviews/decision/decision_form.html"

    def _setup(self, pk):
        campaign = selectors.campaign_get_visible(user=self.request.user, pk=pk)
        communes = selectors_decision.decision_communes(user=self.request.user, campaign=campaign)
        return campaign, communes

    def _commune(self, communes, value):
        if value in (None, ""):
            return communes.first()
        try:
            commune = communes.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            commune = None
        if commune is None:
            raise Http404
        return commune

    def _render(self, campaign, communes, commune, form):
        readiness = selectors_decision.decision_readiness(campaign=campaign, commune=commune) if commune else None
        return render(self.request, self.template_name, {
            "campaign": campaign, "communes": communes, "commune": commune, "form": form, "readiness": readiness,
            "page_title": _("Ghi quyết định công nhận của xã"),
            "cancel_url": reverse("reviews:campaign_detail", args=[campaign.pk]),
        })  # fmt: skip

    def get(self, request, pk):
        campaign, communes = self._setup(pk)
        commune = self._commune(communes, request.GET.get("commune"))
        initial = {"commune": commune.pk if commune else None}
        decision = commune and selectors_decision.decision_readiness(campaign=campaign, commune=commune).decision
        if decision:
            initial.update(signer_name=decision.signer_name, signer_position=decision.signer_position)
        return self._render(campaign, communes, commune, DecisionForm(initial=initial, communes=communes))

    def post(self, request, pk):
        campaign, communes = self._setup(pk)
        form = DecisionForm(request.POST, communes=communes)
        commune = None
        if form.is_valid():
            commune = form.cleaned_data["commune"]
            try:
                decision = services_decision.decision_record(actor=request.user, campaign=campaign, commune=commune,
                                                             data=form.decision_data())  # fmt: skip
            except REFUSALS as exc:
                add_form_errors(form, exc, lambda key: key if key in form.fields and key != "commune" else None)
            else:
                messages.success(request, _("Đã ghi quyết định %(number)s của %(commune)s.")
                                 % {"number": decision.number, "commune": commune.name})  # fmt: skip
                return HttpResponseRedirect(reverse("reviews:decision_detail", args=[decision.pk]))
        else:
            commune = self._commune(communes, request.POST.get("commune")) if "commune" not in form.errors else None
        return self._render(campaign, communes, commune or communes.first(), form)


class DecisionDetailView(AreaPermissionRequiredMixin, View):
    """The decision: number, date, signer, the counts and the five lists."""

    permission_required = VIEW_PERM

    def get(self, request, pk):
        decision = selectors_decision.decision_get_visible(user=request.user, pk=pk)
        user = request.user
        can_record = user.has_perm(RECORD_PERM, decision.commune)
        return render(request, "reviews/decision/decision_detail.html", {
            "decision": decision, "campaign": decision.campaign, "lists": selectors_decision.decision_lists(decision),
            "page_title": _("Quyết định %(number)s") % {"number": decision.number},
            "can_amend": can_record and selectors.campaign_takes_records(decision.campaign)
            and approval_locked(decision.campaign, decision.commune.path) is None,
            "can_issue": can_record and decision.campaign.status != CampaignStatus.CANCELLED,
            "can_view_certificates": user.has_perm(VIEW_CERTIFICATE_PERM),
        })  # fmt: skip


class DecisionDraftView(AreaPermissionRequiredMixin, View):
    """The draft decision with its annexes, as a Word document."""

    permission_required = VIEW_PERM

    def get(self, request, pk):
        decision = selectors_decision.decision_get_visible(user=request.user, pk=pk)
        content = documents_decision.decision_docx(decision, selectors_decision.decision_lists(decision))
        return docx_response(content, draft_filename(decision))


class CertificatesView(AreaPermissionRequiredMixin, View):
    """GET: the certificates of the decision; POST: issue the missing ones."""

    @property
    def permission_required(self):
        return RECORD_PERM if self.request.method == "POST" else VIEW_CERTIFICATE_PERM

    def get(self, request, pk):
        decision = selectors_decision.decision_get_visible(user=request.user, pk=pk, perm=VIEW_CERTIFICATE_PERM)
        can_issue = (request.user.has_perm(RECORD_PERM, decision.commune)
                     and decision.campaign.status != CampaignStatus.CANCELLED)  # fmt: skip
        return render(request, "reviews/decision/certificate_list.html", {
            "decision": decision, "campaign": decision.campaign, "can_issue": can_issue,
            "certificates": selectors_decision.certificates_of(decision, user=request.user),
            "form": CertificatesForm() if can_issue else None,
            "page_title": _("Giấy chứng nhận theo quyết định %(number)s") % {"number": decision.number},
        })  # fmt: skip

    def post(self, request, pk):
        decision = selectors_decision.decision_get_visible(user=request.user, pk=pk, perm=RECORD_PERM)
        form = CertificatesForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([" ".join(v) for v in form.errors.values()])
            issued = services_decision.certificates_issue(actor=request.user, decision=decision,
                                                          issued_on=form.cleaned_data["issued_on"])  # fmt: skip
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            if issued:
                messages.success(
                    request,
                    _("Đã cấp %(n)s giấy chứng nhận (số %(first)s đến %(last)s).")
                    % {"n": len(issued), "first": issued[0].number, "last": issued[-1].number},
                )
            else:
                messages.success(request, _("Mọi hộ nghèo, hộ cận nghèo của quyết định đã có giấy chứng nhận."))
        return HttpResponseRedirect(reverse("reviews:certificate_list", args=[decision.pk]))


class CertificatePrintView(AreaPermissionRequiredMixin, View):
    """The printable certificate of one household (Mẫu số 03); 404 when none was issued."""

    permission_required = VIEW_CERTIFICATE_PERM

    def get(self, request, pk):
        certificate = selectors_decision.certificate_get_visible(user=request.user, case_pk=pk)
        case = certificate.case
        household = case.household
        standard = case.campaign.standard
        members = household.members.filter(status="present").order_by("order", "pk")
        valid_from, valid_to = selectors_decision.certificate_validity(certificate)
        return render(request, "reviews/decision/certificate_print.html", {
            "certificate": certificate, "case": case, "campaign": case.campaign, "household": household,
            "members": members, "decision": case.decision, "standard": standard, "commune": certificate.commune,
            "province": certificate.commune.parent, "valid_from": valid_from, "valid_to": valid_to,
            "signer_title": signer_title(case.decision.signer_position if case.decision_id else ""),
            "page_title": _("Giấy chứng nhận %(number)s") % {"number": certificate.number},
        })  # fmt: skip


class RefusalDocxView(AreaPermissionRequiredMixin, View):
    """The written refusal (Thông báo) for a household screened out by phiếu A; 404 in any other state."""

    permission_required = RECORD_PERM

    def get(self, request, pk):
        case = selectors.case_get_visible(user=request.user, pk=pk, perm=RECORD_PERM)
        if case.state != CaseState.SCREENED_OUT:
            raise Http404
        commune = case.household.commune
        head = (
            SteeringMember.objects.filter(campaign=case.campaign, unit=commune, committee_role=CommitteeRole.HEAD,
                                          removed_on__isnull=True).order_by("pk").first()
        )  # fmt: skip
        content = documents_decision.refusal_docx(
            case, commune=commune, today=timezone.localdate(),
            signer_position=head.position if head else _("Chủ tịch"), signer_name=head.full_name if head else "",
        )  # fmt: skip
        return docx_response(content, f"{file_slug('thong-bao-khong-du-dieu-kien', case.household.code)}.docx")


# -- panels ---------------------------------------------------------------------------------------


def case_panel(request, case) -> dict | None:
    """What the case page shows of this step (rendered by templates/reviews/panels/case_decision.html), or None."""
    user = request.user
    screened_out = case.state == CaseState.SCREENED_OUT
    if not case.decision_id and not case.final_class and not screened_out:
        return None
    certificate = None
    if user.has_perm(VIEW_CERTIFICATE_PERM, case):
        certificate = Certificate.objects.filter(case=case).first()
    decision = case.decision if case.decision_id else None
    return {
        "case": case, "decision": decision, "certificate": certificate,
        "can_view_decision": decision is not None and user.has_perm(VIEW_PERM, decision),
        "can_refuse": screened_out and user.has_perm(RECORD_PERM, case),
    }  # fmt: skip


def campaign_panel(request, campaign) -> dict | None:
    """What the campaign page shows of this step (templates/reviews/panels/campaign_decision.html), or None."""
    user = request.user
    if not user.has_perm(VIEW_PERM):
        return None
    decisions = list(selectors_decision.decision_list_visible(user, campaign))
    can_record = selectors.campaign_takes_records(campaign) and user.has_perm(RECORD_PERM)
    if can_record:
        can_record = selectors_decision.decision_communes(user=user, campaign=campaign).exists()
    if not decisions and not can_record:
        return None
    return {"campaign": campaign, "decisions": decisions, "can_record": can_record}
