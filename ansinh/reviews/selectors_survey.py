"""Reads of steps 3 and 4 (phiếu B, village meetings), scoped to the reader's area."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from ansinh.geo.models import AdminUnit

from .choices import CaseState
from .models import Campaign, MeetingResult, ReviewCase, VillageMeeting
from .selectors import RECORD_CASE_PERM, _int, case_units

VIEW_MEETING_PERM = "reviews.view_villagemeeting"


def meetings_visible_to(*, user, perm: str = VIEW_MEETING_PERM) -> QuerySet[VillageMeeting]:
    """Meetings of villages inside the area where `user` holds `perm` (default deny)."""
    return (
        VillageMeeting.objects.visible_to(user, perm=perm)
        .select_related("campaign", "village", "village__parent", "created_by")
        .annotate(n_results=Count("results"), n_passed=Count("results", filter=Q(results__passed=True)))
    )


def meeting_list(*, user, campaign: Campaign, village=None) -> QuerySet[VillageMeeting]:
    qs = meetings_visible_to(user=user).filter(campaign=campaign)
    village = _int(village)
    if village:
        qs = qs.filter(village_id=village)
    return qs.order_by("village__sort_key", "-held_on", "-id")


def meeting_get_visible(*, user, pk) -> VillageMeeting:
    """The meeting, or 404 whether it is missing or out of the reader's area."""
    meeting = meetings_visible_to(user=user).filter(pk=_int(pk) or 0).first()
    if meeting is None:
        raise Http404
    return meeting


def meeting_results(meeting: VillageMeeting) -> list[MeetingResult]:
    return list(
        meeting.results.select_related("case", "case__household")
        .order_by("case__household__head_sort_key", "case__household__code", "id")
    )  # fmt: skip


def case_meeting_results(case: ReviewCase) -> list[MeetingResult]:
    return list(case.meeting_results.select_related("meeting", "meeting__village").order_by("meeting__held_on", "id"))


def meeting_villages(*, user, campaign: Campaign, perm: str = RECORD_CASE_PERM) -> QuerySet[AdminUnit]:
    """Villages of the campaign where `user` may record a meeting."""
    return case_units(user=user, campaign=campaign, perm=perm).filter(level="village")


def surveyed_cases(*, campaign: Campaign, village: AdminUnit) -> QuerySet[ReviewCase]:
    """The village's households whose phiếu B is done and which wait for the meeting."""
    return (
        ReviewCase.objects.filter(campaign=campaign, state=CaseState.SURVEYED, unit_path__startswith=village.path)
        .select_related("household")
        .order_by("household__head_sort_key", "household__code", "pk")
    )  # fmt: skip
