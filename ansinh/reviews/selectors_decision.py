"""Reads of step 8–9: the commune decisions, their lists (Mẫu số 02 of QĐ 24/2021/QĐ-TTg), the
certificates and what a commune still lacks before its decision (readiness)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ansinh.geo.models import AdminUnit

from .choices import CaseState, ComplaintStatus
from .models import Campaign, Certificate, CommuneDecision, Complaint, Posting, ReinspectionSample, ReviewCase
from .services_decision import DECIDED_STATES, PENDING_STATES, case_list_flags

VIEW_DECISION_PERM = "reviews.view_communedecision"
VIEW_CERTIFICATE_PERM = "reviews.view_certificate"
RECORD_DECISION_PERM = "reviews.record_decision"

# The lists of the decision, in the order of Mẫu số 02 (key, title).
LISTS = (
    ("poor", _("Danh sách hộ nghèo")),
    ("near_poor", _("Danh sách hộ cận nghèo")),
    ("escaped_poverty", _("Danh sách hộ thoát nghèo")),
    ("escaped_near_poverty", _("Danh sách hộ thoát cận nghèo")),
    ("average", _("Danh sách hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình")),
)


@dataclass
class DecisionList:
    key: str
    title: str
    cases: list[ReviewCase] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases)


def decision_cases(decision: CommuneDecision) -> QuerySet[ReviewCase]:
    """The households the decision recognises (decided or approved), by village then household code."""
    return (
        ReviewCase.objects.filter(decision=decision, state__in=DECIDED_STATES)
        .select_related("household", "household__village", "household__commune")
        .order_by("household__village__sort_key", "household__code", "pk")
    )


def decision_lists(decision: CommuneDecision) -> list[DecisionList]:
    """The five lists of the decision (poor, near-poor, escaped poverty, escaped near-poverty, average-
    standard farming households), each ordered by village and household code."""
    lists = {key: DecisionList(key=key, title=str(title)) for key, title in LISTS}
    for case in decision_cases(decision):
        flags = case_list_flags(case.previous_class, case.final_class)
        for key in lists:
            if flags[key]:
                lists[key].cases.append(case)
    return list(lists.values())


def decisions_visible_to(*, user, perm: str = VIEW_DECISION_PERM) -> QuerySet[CommuneDecision]:
    return CommuneDecision.objects.visible_to(user, perm=perm).select_related(
        "campaign", "campaign__standard", "campaign__unit", "commune"
    )


def decision_list_visible(user, campaign: Campaign) -> QuerySet[CommuneDecision]:
    """The campaign's decisions of the communes in the reader's area."""
    return decisions_visible_to(user=user).filter(campaign=campaign).order_by("commune__sort_key", "pk")


def decision_get_visible(*, user, pk, perm: str = VIEW_DECISION_PERM) -> CommuneDecision:
    """The decision, or 404 whether missing or out of the reader's area."""
    try:
        decision = decisions_visible_to(user=user, perm=perm).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        decision = None
    if decision is None:
        raise Http404
    return decision


def certificates_of(decision: CommuneDecision, *, user) -> QuerySet[Certificate]:
    return (
        Certificate.objects.visible_to(user, perm=VIEW_CERTIFICATE_PERM)
        .filter(case__decision=decision)
        .select_related("case", "case__household", "case__household__village")
        .order_by("seq")
    )


def certificate_get_visible(*, user, case_pk) -> Certificate:
    """The certificate of a case, or 404 (none issued, or out of the reader's area)."""
    try:
        case_pk = int(case_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    certificate = (
        Certificate.objects.visible_to(user, perm=VIEW_CERTIFICATE_PERM).filter(case_id=case_pk)
        .select_related("commune", "commune__parent", "case", "case__campaign", "case__campaign__standard",
                        "case__campaign__kind", "case__decision", "case__household", "case__household__village")
        .first()
    )  # fmt: skip
    if certificate is None:
        raise Http404
    return certificate


def certificate_validity(certificate: Certificate) -> tuple[date, date]:
    """(first, last day) the certificate is valid: from the recognition decision's signing (the issue
    date when none is linked) to the end of the period its campaign kind sets
    (`KindSpec.certificate_valid_to`), not the poverty standard's whole period."""
    case = certificate.case
    start = case.decision.signed_on if case.decision_id else certificate.issued_on
    return start, case.campaign.kind.spec().certificate_valid_to(start)


def decision_communes(*, user, campaign: Campaign, perm: str = RECORD_DECISION_PERM) -> QuerySet[AdminUnit]:
    """Communes of the campaign in the area where `user` holds `perm`."""
    from django.db.models import Q

    paths = [cu.unit_path for cu in campaign.covered.all()] or [campaign.unit_path]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return AdminUnit.objects.visible_to(user, perm=perm).filter(condition, level="commune").order_by("sort_key")


@dataclass
class Readiness:
    commune: AdminUnit
    states: list[dict]
    pending: int
    posted: int
    decided: int
    open_complaints: int
    discrepancies: int
    posting_ends: list
    decision: CommuneDecision | None

    @property
    def ready(self) -> bool:
        return not self.pending and self.posted > 0 and not self.open_complaints and not self.discrepancies


def decision_readiness(*, campaign: Campaign, commune: AdminUnit) -> Readiness:
    """What the commune has and lacks before its decision: cases per state, on-time complaints still
    being verified, unresolved re-inspection discrepancies and the end dates of the postings."""
    cases = ReviewCase.objects.filter(campaign=campaign, unit_path__startswith=commune.path)
    counts = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
    states = [{"state": s.value, "label": s.label, "count": counts[s.value]} for s in CaseState if counts.get(s.value)]
    posting_ids = cases.filter(state=CaseState.POSTED, posting__isnull=False).values("posting_id")
    return Readiness(
        commune=commune, states=states, pending=sum(counts.get(s, 0) for s in PENDING_STATES),
        posted=counts.get(CaseState.POSTED, 0), decided=sum(counts.get(s, 0) for s in DECIDED_STATES),
        open_complaints=Complaint.objects.filter(campaign=campaign, status=ComplaintStatus.OPEN, late=False,
                                                 unit_path__startswith=commune.path).count(),
        discrepancies=ReinspectionSample.objects.filter(reinspection__campaign=campaign, discrepancy=True,
                                                        resolved_on__isnull=True,
                                                        case__unit_path__startswith=commune.path).count(),
        posting_ends=sorted(set(Posting.objects.filter(pk__in=posting_ids).values_list("end_on", flat=True))),
        decision=CommuneDecision.objects.filter(campaign=campaign, commune=commune).first(),
    )  # fmt: skip
