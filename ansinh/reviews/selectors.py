"""Reads of the reviews app, scoped to the reader's area.

A campaign is visible where the reader holds the view permission over its own unit (the province
running it) or over one of the units it covers: a commune officer sees the province's campaign
that covers their commune, and on its board only the rows of their own area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.query import EmptyQuerySet
from django.http import Http404

from ansinh.audit.models import AuditEvent
from ansinh.core.scoping import scope_of
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import area_spans_provinces, provinces_in_area, villages_to_offer
from ansinh.registry.models import Household

from .choices import CampaignStatus
from .events import ReviewsEventType
from .models import (
    Campaign,
    CampaignKind,
    CampaignUnit,
    CommuneDecision,
    FormAChecklist,
    Milestone,
    MilestoneCompletion,
    ReviewCase,
)
from .services_common import results_frozen
from .status import milestone_status

VIEW_PERM = "reviews.view_campaign"
MANAGE_PERM = "reviews.manage_campaign"
COMPLETE_PERM = "reviews.complete_milestone"
EDIT_KIND_PERM = "reviews.change_campaignkind"


def kinds_all() -> QuerySet[CampaignKind]:
    return CampaignKind.objects.order_by("order", "code")


def _ancestor_paths(paths) -> set[str]:
    """Every proper ancestor of the given unit paths: ``/2025/38/16000/T1/`` → ``/2025/``, ``/2025/38/``…"""
    result = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        result.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
    return result


def campaigns_visible_to(*, user, perm: str = VIEW_PERM) -> QuerySet[Campaign]:
    """Campaigns run by, or covering a unit of, the area where `user` holds `perm`.

    A covered unit above the reader's area counts too: the village head of Thôn 1 sees the
    campaign that covers Xã Thọ Xuân (exact matches on the ancestors' paths, no tree walk).
    """
    scope = scope_of(user, perm)
    if scope.is_empty:
        return Campaign.objects.none()
    qs = Campaign.objects.select_related("kind", "standard", "unit", "created_by")
    if scope.national:
        return qs
    inside = scope.q(*CampaignUnit.scope_fields)
    above = Q(unit_path__in=_ancestor_paths(scope.paths))
    covering = CampaignUnit.objects.filter(inside | above).values("campaign_id")
    return qs.filter(Q(scope.q(*Campaign.scope_fields)) | Q(pk__in=covering))


def campaign_list_visible_to(*, user, filters: dict | None = None) -> QuerySet[Campaign]:
    filters = filters or {}
    qs = campaigns_visible_to(user=user)
    if filters.get("kind"):
        qs = qs.filter(kind__code=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    return qs.order_by("-period_start", "-id")


def campaign_takes_records(campaign: Campaign) -> bool:
    """Whether pages offer to record anything in the campaign (a meeting, a posting, a complaint, a
    re-inspection, a decision, a form): it is open and its results are not frozen. After the
    province's approval froze them the services refuse every change (`services_common.ensure_unlocked`),
    so a button would only lead to that refusal."""
    return campaign.status == CampaignStatus.OPEN and not results_frozen(campaign)


def campaign_has_decisions(campaign: Campaign) -> bool:
    """Whether a commune of the campaign has a recognition decision (step 8) on record: from then on
    the campaign can be closed but not cancelled (`services.campaign_cancel`)."""
    return CommuneDecision.objects.filter(campaign=campaign).exists()


def campaigns_same_period(*, user, campaign: Campaign) -> QuerySet[Campaign]:
    """Other campaigns the reader may see, of the same kind and period (year, and month for a monthly one),
    not cancelled, covering one of this campaign's units or a unit above or below one. Allowed (a
    province may review again after an inspection), but a household can be in one open campaign of a kind
    only: the campaign page warns so that the officer sees it before listing households."""
    covered = list(campaign.covered.values_list("unit_path", flat=True))
    if not covered:
        return Campaign.objects.none()
    above = {"/" + "/".join(p.strip("/").split("/")[:n]) + "/" for p in covered for n in range(2, p.count("/"))}
    overlap = Q(covered__unit_path__in=above | set(covered))
    for path in covered:
        overlap |= Q(covered__unit_path__startswith=path)
    return (
        campaigns_visible_to(user=user)
        .filter(kind_id=campaign.kind_id, year=campaign.year, month=campaign.month)
        .exclude(pk=campaign.pk)
        .exclude(status=CampaignStatus.CANCELLED)
        .filter(overlap)
        .distinct()
        .order_by("pk")
    )


def campaign_get_visible(*, user, pk) -> Campaign:
    """The campaign, or 404 whether it is missing or out of the reader's area."""
    try:
        campaign = campaigns_visible_to(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        campaign = None
    if campaign is None:
        raise Http404
    return campaign


def units_for_campaigns(*, user, province: AdminUnit | None = None) -> QuerySet[AdminUnit]:
    """Provinces, districts and communes where `user` may run a campaign (not villages); with
    `province`, only that province and its units (in its own structure)."""
    units = AdminUnit.objects.visible_to(user, perm=MANAGE_PERM).exclude(level="village")
    if province is not None:
        units = units.filter(path__startswith=province.path)
    return units.order_by("structure", "sort_key")


def provinces_for_campaigns(*, user) -> QuerySet[AdminUnit]:
    """The provinces the campaign form asks for first (today's, then the legacy ones): those of the
    area where `user` may run campaigns when it covers several provinces, else none. A national
    officer would otherwise be offered all 14,000 units of the country, twice (about 2.7 MB)."""
    if not area_spans_provinces(user=user, perm=MANAGE_PERM):
        return AdminUnit.objects.none()
    return provinces_in_area(user=user, perm=MANAGE_PERM)


def covered_units(campaign: Campaign) -> list[AdminUnit]:
    return [cu.unit for cu in campaign.covered.select_related("unit").order_by("unit__sort_key")]


def board_units(campaign: Campaign) -> list[AdminUnit]:
    """The units that report in the campaign: the covered units and the units between them and the
    campaign's own unit (a legacy campaign covering communes has their district report too, e.g. the
    district's preliminary and official reports of Đắk Lắk's 2019 plan)."""
    covered = covered_units(campaign)
    root = campaign.unit.path
    between = {p for u in covered for p in _ancestor_paths([u.path]) if p.startswith(root) and p != root}
    between -= {u.path for u in covered}
    extra = list(AdminUnit.objects.filter(path__in=between)) if between else []
    return sorted([*covered, *extra], key=lambda u: u.sort_key)


def villages_of(campaign: Campaign, *, user, perm: str = MANAGE_PERM) -> QuerySet[AdminUnit]:
    """Villages under the covered units, inside the area where `user` holds `perm`."""
    paths = [cu.unit_path for cu in campaign.covered.all()] or [campaign.unit_path]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return AdminUnit.objects.visible_to(user, perm=perm).filter(condition, level="village").order_by("sort_key")


# -- the milestone board ------------------------------------------------------------------------


@dataclass
class BoardCell:
    milestone: Milestone
    state: str  # a MilestoneState value, or "" when the milestone is not of this unit's level
    completion: MilestoneCompletion | None = None
    can_complete: bool = False


@dataclass
class BoardRow:
    unit: AdminUnit
    cells: list[BoardCell] = field(default_factory=list)


@dataclass
class Board:
    campaign: Campaign
    milestones: list[Milestone]
    rows: list[BoardRow]
    today: date
    totals: dict[str, int]


def milestone_board(*, user, campaign: Campaign, today: date) -> Board:
    """Rows = the campaign's unit and its covered units that `user` may see; one cell per milestone.

    A unit above the reader's area is a row too, read only: a village head follows their commune, and
    every reader the campaign's own unit (the province), whose milestones the campaign page lists to
    all its readers; so every reader's `totals` count the milestones the page lists.

    A milestone applies to the units of its level; other cells are empty. `totals` counts the
    states of the applicable cells (what the page's summary and the API report).
    """
    scope = scope_of(user, VIEW_PERM)
    complete_scope = scope_of(user, COMPLETE_PERM)
    above = set() if scope.national else _ancestor_paths(scope.paths)
    covered = board_units(campaign)
    # A reader sees the campaign through its unit or a covered unit, so its unit is theirs or above it.
    visible = [campaign.unit]
    for unit in covered:
        if unit.pk != campaign.unit_id and (scope.covers(unit.path, unit.successor_path) or unit.path in above):
            visible.append(unit)
    milestones = list(campaign.milestones.order_by("deadline", "order", "pk"))
    completions = {
        (c.milestone_id, c.unit_id): c
        for c in MilestoneCompletion.objects.filter(milestone__campaign=campaign).select_related("by")
    }
    open_ = campaign.status == "open"
    totals = {"done_on_time": 0, "done_late": 0, "due_soon": 0, "overdue": 0, "pending": 0}
    rows = []
    for unit in visible:
        row = BoardRow(unit=unit)
        for milestone in milestones:
            if milestone.level != unit.level:
                row.cells.append(BoardCell(milestone=milestone, state=""))
                continue
            completion = completions.get((milestone.pk, unit.pk))
            state = milestone_status(
                milestone.deadline, completion.done_on if completion else None, today, campaign.due_soon_days
            )
            totals[state] += 1
            can_complete = open_ and completion is None and complete_scope.covers(unit.path, unit.successor_path)
            row.cells.append(
                BoardCell(milestone=milestone, state=state, completion=completion, can_complete=can_complete)
            )
        rows.append(row)
    return Board(campaign=campaign, milestones=milestones, rows=rows, today=today, totals=totals)


# -- review cases -------------------------------------------------------------------------------

VIEW_CASE_PERM = "reviews.view_reviewcase"
RECORD_CASE_PERM = "reviews.record_case"


def cases_visible_to(*, user, perm: str = VIEW_CASE_PERM) -> QuerySet[ReviewCase]:
    """Cases whose household lies in the area where `user` holds `perm` (default deny)."""
    return ReviewCase.objects.visible_to(user, perm=perm).select_related(
        "campaign", "household", "household__village", "household__commune"
    )


def case_list_visible_to(*, user, campaign: Campaign, filters: dict | None = None) -> QuerySet[ReviewCase]:
    """The campaign's cases in the reader's area; filters: unit (commune/village id), village, origin,
    state, q (head name accent-insensitive, member CCCD or household code: the registry's search)."""
    from ansinh.registry.selectors import households_search

    filters = filters or {}
    qs = cases_visible_to(user=user).filter(campaign=campaign)
    unit = _int(filters.get("unit"))
    if unit:
        qs = qs.filter(Q(household__commune_id=unit) | Q(household__village_id=unit))
    village = _int(filters.get("village"))
    if village:
        qs = qs.filter(household__village_id=village)
    if filters.get("origin"):
        qs = qs.filter(origin=filters["origin"])
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if (filters.get("q") or "").strip():
        households = households_search(Household.objects.all(), filters["q"]).values("pk")
        qs = qs.filter(household_id__in=households)
    return qs.order_by("household__unit_path", "household__head_sort_key", "household__code", "pk")


def _int(value) -> int | None:
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def case_get_visible(*, user, pk, perm: str = VIEW_CASE_PERM) -> ReviewCase:
    """The case, or 404 whether it is missing or out of the reader's area."""
    case = cases_visible_to(user=user, perm=perm).filter(pk=_int(pk) or 0).first()
    if case is None:
        raise Http404
    return case


def case_history(*, case: ReviewCase) -> QuerySet[AuditEvent]:
    """The case's history, newest first: events about the case itself; the listing events of the
    campaign for the household's unit or any unit above it (listing writes one event per unit); and
    the events of what the case went through as part of a group: its village meetings, its posting,
    the complaints about it, the commune's decision, and the approvals of its units. Group events from
    before the case existed (e.g. the commune's approval before a later application) are not its history."""
    from .models import Complaint, MeetingResult, UnitApproval

    parts = [p for p in case.unit_path.split("/") if p]
    paths = {"/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)}
    related = {
        "reviews.villagemeeting": MeetingResult.objects.filter(case=case).values_list("meeting_id", flat=True),
        "reviews.complaint": Complaint.objects.filter(case=case).values_list("pk", flat=True),
        "reviews.unitapproval": UnitApproval.objects.filter(campaign_id=case.campaign_id, unit_path__in=paths)
        .values_list("pk", flat=True),
        "reviews.posting": [case.posting_id] if case.posting_id else [],
        "reviews.communedecision": [case.decision_id] if case.decision_id else [],
    }  # fmt: skip
    group = Q(
        target_type="reviews.campaign", target_id=str(case.campaign_id), event_type=ReviewsEventType.CASES_LISTED,
        unit_path__in=paths,
    )  # fmt: skip
    for target_type, ids in related.items():
        ids = [str(pk) for pk in ids]
        if ids:
            group |= Q(target_type=target_type, target_id__in=ids)
    own = Q(target_type="reviews.reviewcase", target_id=str(case.pk))
    condition = own | (group & Q(occurred_at__gte=case.created_at))
    return AuditEvent.objects.filter(condition).select_related("actor").order_by("-occurred_at", "-id")


def case_units(*, user, campaign: Campaign, perm: str = RECORD_CASE_PERM) -> QuerySet[AdminUnit]:
    """Communes and villages of the campaign inside the area where `user` holds `perm`."""
    paths = [cu.unit_path for cu in campaign.covered.all()] or [campaign.unit_path]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return (
        AdminUnit.objects.visible_to(user, perm=perm)
        .filter(condition, level__in=["commune", "village"])
        .order_by("sort_key")
    )


def units_taking_cases(*, user, campaign: Campaign) -> QuerySet[AdminUnit]:
    """`case_units` (where `user` may record households) that still take new households: none once
    the campaign's results are frozen, none under a unit whose results are approved (what
    `services_cases.refuse_new_cases` refuses), none unless the campaign is open."""
    from .choices import LOCKED_APPROVAL_STATES
    from .models import UnitApproval

    units = case_units(user=user, campaign=campaign)
    if not campaign_takes_records(campaign):
        return units.none()
    locked = UnitApproval.objects.filter(campaign=campaign, state__in=list(LOCKED_APPROVAL_STATES))
    for path in locked.values_list("unit_path", flat=True):
        units = units.exclude(path__startswith=path)
    return units


@dataclass(frozen=True)
class UnitsOffered:
    """What a select of "commune or village" (`units_offered`) or of villages (`villages_offered`)
    offers: `units`, the unit to preselect (`chosen`) and whether villages were held back until a
    commune is chosen (`villages_held_back`)."""

    units: QuerySet[AdminUnit]
    chosen: int | None = None
    villages_held_back: bool = False


def villages_held_back(villages: QuerySet[AdminUnit]) -> bool:
    """Whether `villages` (scoped to the reader) are too many for one select by the household list's
    rule (`geo.selectors.villages_to_offer`): a page then offers a commune's villages once it is
    chosen. One query (``LIMIT 1``)."""
    return isinstance(villages_to_offer(villages), EmptyQuerySet)


def villages_offered(villages: QuerySet[AdminUnit], *, commune_id: int | None = None) -> UnitsOffered:
    """`villages` as a village select next to a commune select offers them (the application form,
    Mẫu 01): every one while they are few enough (a commune officer's, whatever commune is chosen),
    else those of `commune_id` (from the request: an id outside `villages`' communes offers none),
    and none before a commune is chosen; `villages_held_back` then tells the page to ask for a
    commune first. One query (``LIMIT 1``); a form checking a posted village keeps all of `villages`."""
    if not villages_held_back(villages):
        return UnitsOffered(units=villages)
    offered = villages.none() if commune_id is None else villages_to_offer(villages, commune_id=commune_id)
    return UnitsOffered(units=offered, villages_held_back=True)


def units_offered(units: QuerySet[AdminUnit], *, chosen_id: int | None = None) -> UnitsOffered:
    """`units` (communes and villages, e.g. `units_taking_cases`) as the "list the current poor
    households" select offers them, by the household list's rule (`geo.selectors.villages_to_offer`):
    all of them while the villages are few enough; else the communes, and the villages of the commune
    chosen (`chosen_id`, a commune or one of its villages, from the page's link), that unit preselected.

    A commune or village officer's units are offered as they were. `chosen_id` only narrows `units`:
    an id outside them chooses nothing. Before the units themselves are read: one query (whether the
    villages are too many, ``LIMIT 1``), and one more for the chosen unit when they are."""
    villages = units.filter(level=Level.VILLAGE)
    if not villages_held_back(villages):
        return UnitsOffered(units=units)
    communes = units.filter(level=Level.COMMUNE)
    found = units.filter(pk=chosen_id).values_list("level", "parent_id").first() if chosen_id is not None else None
    if found is None:
        return UnitsOffered(units=communes, villages_held_back=True)
    level, parent_id = found
    villages = villages_to_offer(villages, commune_id=chosen_id if level == Level.COMMUNE else parent_id)
    # The commune's villages right after it, not among the communes by their names.
    is_village = Q(level=Level.VILLAGE)
    offered = (communes | villages).order_by(
        Case(When(is_village, then=F("parent__sort_key")), default=F("sort_key")),
        Case(When(is_village, then=F("parent_id")), default=F("pk")),
        Case(When(is_village, then=Value(1)), default=Value(0)),
        "sort_key", "pk",
    )  # fmt: skip
    return UnitsOffered(units=offered, chosen=chosen_id, villages_held_back=True)


def form_a_checklist(on_date: date) -> FormAChecklist | None:
    return FormAChecklist.objects.filter(valid_from__lte=on_date).order_by("-valid_from", "-id").first()


def case_counts(*, user, campaign: Campaign) -> list[dict]:
    """How many of the campaign's cases in the reader's area are in each state (states with cases only)."""
    from django.db.models import Count

    from .choices import CaseState

    counts = dict(
        cases_visible_to(user=user).filter(campaign=campaign).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return [{"state": s.value, "label": s.label, "count": counts[s.value]} for s in CaseState if counts.get(s.value)]
