"""Reads of steps 5 and 6 (public posting and complaints), scoped to the reader's area.

`open_complaints` is what the commune decision (step 8) checks: a complaint received during the posting
and not yet concluded holds the decision up; a late one does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ansinh.poverty.explain import class_label, reason_text

from .choices import ComplaintStatus
from .models import Campaign, Complaint, Posting, ReviewCase

VIEW_POSTING_PERM = "reviews.view_posting"
VIEW_COMPLAINT_PERM = "reviews.view_complaint"
HANDLE_COMPLAINT_PERM = "reviews.handle_complaint"


def _int(value) -> int | None:
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def open_complaints(campaign: Campaign, path: str) -> QuerySet[Complaint]:
    """Complaints received during the posting (not late) and still being verified, under the unit `path`."""
    return Complaint.objects.filter(
        campaign=campaign, status=ComplaintStatus.OPEN, late=False, unit_path__startswith=path
    ).order_by("received_on", "id")


def posting_list(user, campaign: Campaign) -> QuerySet[Posting]:
    """The campaign's postings in the area where `user` may see postings, newest first."""
    return (
        Posting.objects.visible_to(user, perm=VIEW_POSTING_PERM)
        .filter(campaign=campaign)
        .select_related("unit", "unit__parent", "campaign")
        .annotate(case_count=Count("cases", distinct=True), complaint_count=Count("complaints", distinct=True))
        .order_by("-start_on", "-id")
    )


def posting_get_visible(*, user, pk) -> Posting:
    """The posting, or 404 whether it is missing or out of the reader's area."""
    posting = (
        Posting.objects.visible_to(user, perm=VIEW_POSTING_PERM)
        .select_related("unit", "unit__parent", "campaign", "campaign__standard", "campaign__kind")
        .filter(pk=_int(pk) or 0)
        .first()
    )
    if posting is None:
        raise Http404
    return posting


def complaint_list(user, campaign: Campaign, status: str | None = None) -> QuerySet[Complaint]:
    """The campaign's complaints in the area where `user` may see complaints; `status` filters (open,
    upheld, rejected)."""
    qs = (
        Complaint.objects.visible_to(user, perm=VIEW_COMPLAINT_PERM)
        .filter(campaign=campaign)
        .select_related("case", "case__household", "case__household__village", "posting")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_on", "-id")


def complaint_get_visible(*, user, pk, perm: str = VIEW_COMPLAINT_PERM) -> Complaint:
    """The complaint, or 404 whether it is missing or out of the area where `user` holds `perm`."""
    complaint = (
        Complaint.objects.visible_to(user, perm=perm)
        .select_related("case", "case__household", "case__household__village", "case__campaign", "posting", "campaign")
        .filter(pk=_int(pk) or 0)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def case_complaints(user, case: ReviewCase) -> QuerySet[Complaint]:
    """The complaints about one household that `user` may see, newest first."""
    qs = Complaint.objects.visible_to(user, perm=VIEW_COMPLAINT_PERM).filter(case=case)
    return qs.order_by("-received_on", "-id")


# -- the posted list (printable) ------------------------------------------------------------------


@dataclass
class PostedRow:
    case: ReviewCase
    household_code: str
    head_name: str
    village: str
    proposed_class: str
    proposed_label: str
    reasons: list[str] = field(default_factory=list)
    complaints: int = 0


def _reason(reason, spec) -> str:
    if not isinstance(reason, dict):
        return str(reason)
    try:
        return reason_text(reason, spec)
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code", ""))


def posted_rows(posting: Posting) -> list[PostedRow]:
    """The households of the posting with their proposed class and its reasons (as sentences, through the
    poverty app's `reason_text`) and the number of complaints about each during this posting."""
    try:
        spec = posting.campaign.standard.spec()
    except Exception:  # a standard that no longer parses still lets the list print (codes as text)
        spec = None
    cases = (
        ReviewCase.objects.filter(posting=posting)
        .select_related("household", "household__village")
        .annotate(n_complaints=Count("complaints", filter=Q(complaints__posting=posting)))
        .order_by("household__unit_path", "household__head_sort_key", "household__code", "pk")
    )
    rows = []
    for case in cases:
        household = case.household
        rows.append(PostedRow(
            case=case, household_code=household.code, head_name=household.head_name or "",
            village=household.village.name if household.village_id else "",
            proposed_class=case.provisional_class,
            proposed_label=class_label(case.provisional_class) if case.provisional_class else "",
            reasons=[_reason(r, spec) for r in (case.provisional_reasons or [])],
            complaints=case.n_complaints,
        ))  # fmt: skip
    return rows


def posting_status(posting: Posting, today: date) -> str:
    """ "upcoming", "open" or "closed" on `today`."""
    if today < posting.start_on:
        return "upcoming"
    return "open" if today <= posting.end_on else "closed"
