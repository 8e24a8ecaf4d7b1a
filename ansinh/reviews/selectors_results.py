"""Reads of a review campaign's results and progress, scoped to the reader's area.

PUBLIC INTERFACE (stable; the reports, support programmes and targets modules call these, so their
signatures and meanings only change together with their callers):

- `households_of_class(user=, klass=, unit=, campaign=)`: households of class X in unit U as of campaign C;
- `transition_counts(user=, campaign=, unit=None)`: how many households made each transition;
- `results_frozen(campaign)`: whether the campaign's results are frozen;
- `results_visible_to(user=, campaign=, filters=)`: the frozen results, one row per household;
- `progress_by_unit(user=, campaign=, unit=None, today=)`: the progress dashboard of one level;
- `case_progress_counts(user=, campaign=, unit=None)`: the dashboard's counts for one unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.http import Http404

from ansinh.core.scoping import scope_of
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household

from .choices import STATE_BADGES, CaseState, MilestoneState, Transition
from .models import Campaign, CampaignResult, CaseCount, Milestone, MilestoneCompletion, ReviewCase
from .services_common import ancestor_paths, results_frozen
from .status import milestone_status

VIEW_CASE_PERM = "reviews.view_reviewcase"
VIEW_RESULT_PERM = "reviews.view_campaignresult"
VIEW_HOUSEHOLD_PERM = "registry.view_household"

S = CaseState
# Dashboard columns: each counts the cases that reached the step (a later state counts as having
# passed the earlier steps), plus the cases that stopped (screened out by phiếu A, withdrawn).
PROGRESS_COLUMNS: dict[str, frozenset[str] | None] = {
    "listed": None,  # every case of the campaign
    "surveyed": frozenset({S.SURVEYED, S.MET, S.POSTED, S.DECIDED, S.APPROVED}),
    "met": frozenset({S.MET, S.POSTED, S.DECIDED, S.APPROVED}),
    "posted": frozenset({S.POSTED, S.DECIDED, S.APPROVED}),
    "decided": frozenset({S.DECIDED, S.APPROVED}),
    "approved": frozenset({S.APPROVED}),
    "screened_out": frozenset({S.SCREENED_OUT}),
    "withdrawn": frozenset({S.WITHDRAWN}),
}
DECIDED_STATES = (S.DECIDED, S.APPROVED)


def _under(unit: AdminUnit) -> Q:
    """Rows placed in `unit` or below it (by their own path or their successor's)."""
    return Q(unit_path__startswith=unit.path) | Q(successor_path__startswith=unit.path)


# -- frozen results (public) ----------------------------------------------------------------------


def households_of_class(*, user, klass: str, unit: AdminUnit, campaign: Campaign) -> QuerySet[Household]:
    """PUBLIC: the households of class `klass` (registry PovertyClass: poor, near_poor, average,
    not_poor) in `unit` (placed there or below it at the time of the review) as of `campaign`.

    Read from the campaign's frozen results (`CampaignResult.final_class`). While the campaign is not
    frozen yet, falls back to the recognised class (`ReviewCase.final_class`) of its decided or
    approved cases: provisional, and it may still change until the results are frozen.
    Only households visible to `user` (``registry.view_household`` over their unit) are returned.
    """
    if results_frozen(campaign):
        ids = CampaignResult.objects.filter(_under(unit), campaign=campaign, final_class=klass).values("household_id")
    else:
        ids = ReviewCase.objects.filter(_under(unit), campaign=campaign, state__in=DECIDED_STATES,
                                        final_class=klass).values("household_id")  # fmt: skip
    return Household.objects.visible_to(user, perm=VIEW_HOUSEHOLD_PERM).filter(pk__in=ids)


def results_visible_to(*, user, campaign: Campaign, filters: dict | None = None) -> QuerySet[CampaignResult]:
    """PUBLIC: the campaign's frozen results in the reader's area (``reviews.view_campaignresult``),
    sorted by unit then household code. Filters: ``klass`` (final class; ``none`` for households that
    left), ``transition``, ``unit`` (an AdminUnit or its id: that unit and below)."""
    filters = filters or {}
    qs = CampaignResult.objects.visible_to(user, perm=VIEW_RESULT_PERM).filter(campaign=campaign)
    klass = filters.get("klass")
    if klass:
        qs = qs.filter(final_class="" if klass == "none" else klass)
    if filters.get("transition"):
        qs = qs.filter(transition=filters["transition"])
    unit = _unit(filters.get("unit"))
    if unit is not None:
        qs = qs.filter(_under(unit))
    return qs.select_related("household", "household__commune", "household__village").order_by(
        "unit_path", "household__code", "pk"
    )


def transition_counts(*, user, campaign: Campaign, unit: AdminUnit | None = None) -> dict[str, int]:
    """PUBLIC: {transition code: number of households} of the campaign's frozen results in the reader's
    area (and under `unit` when given); every `choices.Transition` is a key, in its order (0 when none).
    Empty counts (all 0) while the campaign is not frozen."""
    qs = CampaignResult.objects.visible_to(user, perm=VIEW_RESULT_PERM).filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(_under(unit))
    counts = dict(qs.order_by().values_list("transition").annotate(n=Count("pk")))
    return {t.value: counts.get(t.value, 0) for t in Transition}


def _unit(value) -> AdminUnit | None:
    if isinstance(value, AdminUnit):
        return value
    try:
        pk = int(getattr(value, "pk", value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return AdminUnit.objects.filter(pk=pk).first() if pk else None


# -- progress dashboard ---------------------------------------------------------------------------


@dataclass
class Cell:
    key: str
    count: int
    percent: float | None  # of the cases listed; None when none listed


@dataclass
class Lateness:
    milestone: Milestone
    state: str
    label: str
    badge: str


@dataclass
class ProgressRow:
    unit: AdminUnit | None  # None: cases placed on the unit itself, in no unit below it
    counts: dict[str, int]
    milestones: list[Lateness] = field(default_factory=list)
    can_drill: bool = False

    @property
    def cells(self) -> list[Cell]:
        listed = self.counts.get("listed", 0)
        return [
            Cell(key, self.counts.get(key, 0), round(100 * self.counts.get(key, 0) / listed, 1) if listed else None)
            for key in PROGRESS_COLUMNS
        ]

    @property
    def overdue(self) -> int:
        return sum(1 for m in self.milestones if m.state == MilestoneState.OVERDUE)

    @property
    def done_late(self) -> int:
        return sum(1 for m in self.milestones if m.state == MilestoneState.DONE_LATE)


@dataclass
class Progress:
    campaign: Campaign
    unit: AdminUnit
    today: date
    breadcrumb: list[AdminUnit]
    rows: list[ProgressRow]
    totals: ProgressRow


def _aggregates() -> dict:
    """One sum of the count rows per dashboard column (0, not NULL, when no row matches)."""
    return {
        key: Coalesce(Sum("n") if states is None else Sum("n", filter=Q(state__in=list(states))), 0)
        for key, states in PROGRESS_COLUMNS.items()
    }


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(PROGRESS_COLUMNS, 0)


def _counts(user, campaign: Campaign) -> QuerySet[CaseCount]:
    """The campaign's count rows the reader may see. A count row carries the two paths that place its
    cases (unit and successor), and the area scope of cases is decided by those two paths alone
    (`ReviewCase.scope_fields`, no per-case rule), so the rows visible are exactly the counts of the
    cases visible (``ReviewCase.objects.visible_to``) grouped by place and state."""
    return CaseCount.objects.visible_to(user, perm=VIEW_CASE_PERM).filter(campaign=campaign)


def case_progress_counts(*, user, campaign: Campaign, unit: AdminUnit | None = None) -> dict[str, int]:
    """PUBLIC: {column: number of cases} (columns of `PROGRESS_COLUMNS`) of the campaign's cases in the
    reader's area, under `unit` when given: one aggregate query over the count table (`CaseCount`)."""
    qs = _counts(user, campaign)
    if unit is not None:
        qs = qs.filter(unit_path__startswith=unit.path)
    return qs.order_by().aggregate(**_aggregates())


def _campaign_paths(campaign: Campaign) -> list[str]:
    return list(campaign.covered.values_list("unit_path", flat=True)) or [campaign.unit_path]


def _related(path: str, paths: list[str]) -> bool:
    """`path` is one of `paths`, inside one or contains one."""
    return any(path.startswith(p) or p.startswith(path) for p in paths)


def progress_unit(*, user, campaign: Campaign, unit_id=None) -> AdminUnit:
    """The unit the dashboard shows (default: the campaign's), or 404 when it is outside the campaign
    or outside the reader's area (a unit above the reader's area, inside the campaign, is allowed:
    the reader sees only their own rows in it)."""
    if unit_id in (None, ""):
        return campaign.unit
    unit = _unit(unit_id)
    if unit is None or not unit.path.startswith(campaign.unit.path):
        raise Http404
    if not _related(unit.path, _campaign_paths(campaign)) and unit.pk != campaign.unit_id:
        raise Http404
    scope = scope_of(user, VIEW_CASE_PERM)
    if scope.covers(unit.path, unit.successor_path) or any(p.startswith(unit.path) for p in scope.paths):
        return unit
    # A legacy unit above a reader of the 2025 structure: allowed when it holds cases the reader sees.
    if _counts(user, campaign).filter(unit_path__startswith=unit.path).exists():
        return unit
    raise Http404


def _child_key(unit: AdminUnit):
    """The path component of a case's unit right below `unit` ("" for a case placed on `unit` itself):
    paths are materialised as ``/2025/38/16000/T1/``, so the component ends at the next "/"."""
    rest = Substr("unit_path", len(unit.path) + 1)
    return Case(
        When(unit_path=unit.path, then=Value("")),
        default=Substr(rest, 1, StrIndex(rest, Value("/")) - 1),
        output_field=CharField(),
    )


def progress_by_unit(*, user, campaign: Campaign, unit: AdminUnit | None = None, today: date) -> Progress:
    """PUBLIC: the progress dashboard of `unit` (default: the campaign's unit): one row per unit right
    below it (province → communes on the 2025 structure, province → districts → communes on the legacy
    one, commune → villages), with the cases listed, surveyed (phiếu B scored, or any later step), met,
    posted, decided, approved, screened out and withdrawn, each with its % of those listed; and the
    lateness of that unit's milestones (`status.milestone_status`: overdue, done late…). A row with
    no unit holds the cases placed on `unit` itself. `totals` sums the rows and carries `unit`'s own
    milestones.

    Counts come from one aggregate query grouped by the child's path component over the campaign's count
    table (`CaseCount`: one row per place and state, kept by triggers, decision 0015), limited to the
    cases the reader may see (``reviews.view_reviewcase``), so it reads about villages × states rows,
    not the cases; rows without cases are shown only for units of the campaign inside the reader's area
    (or containing part of it).
    """
    unit = unit or campaign.unit
    qs = _counts(user, campaign).filter(unit_path__startswith=unit.path)
    grouped = {
        row.pop("child"): row
        for row in qs.annotate(child=_child_key(unit)).order_by().values("child").annotate(**_aggregates())
    }  # fmt: skip
    scope = scope_of(user, VIEW_CASE_PERM)
    paths = _campaign_paths(campaign)
    children = []
    for child in AdminUnit.objects.filter(parent=unit).order_by("sort_key"):
        code = child.path[len(unit.path) : -1]
        in_area = scope.covers(child.path, child.successor_path) or any(p.startswith(child.path) for p in scope.paths)
        if code in grouped or (in_area and _related(child.path, paths)):
            children.append((code, child))
    milestones = list(campaign.milestones.order_by("deadline", "order", "pk"))
    levels = {child.level for _c, child in children} | {unit.level}
    completions = {
        (c.milestone_id, c.unit_id): c.done_on
        for c in MilestoneCompletion.objects.filter(milestone__campaign=campaign, milestone__level__in=levels,
                                                    unit__in=[unit, *(child for _c, child in children)])
    }  # fmt: skip

    def lateness(of: AdminUnit) -> list[Lateness]:
        result = []
        for m in milestones:
            if m.level != of.level:
                continue
            state = milestone_status(m.deadline, completions.get((m.pk, of.pk)), today, campaign.due_soon_days)
            result.append(Lateness(m, state, str(MilestoneState(state).label), STATE_BADGES[MilestoneState(state)]))
        return result

    rows = [
        ProgressRow(unit=child, counts=grouped.get(code, _empty_counts()), milestones=lateness(child),
                    can_drill=child.level != "village")
        for code, child in children
    ]  # fmt: skip
    known = {code for code, _child in children}
    stray = _empty_counts()
    for code, counts in grouped.items():
        if code not in known:  # placed on the unit itself (or on a unit no longer below it)
            for key in stray:
                stray[key] += counts[key]
    if any(stray.values()):
        rows.append(ProgressRow(unit=None, counts=stray))
    totals = ProgressRow(unit=unit, counts={key: sum(r.counts[key] for r in rows) for key in PROGRESS_COLUMNS},
                         milestones=lateness(unit))  # fmt: skip
    crumbs = AdminUnit.objects.filter(path__in=ancestor_paths(unit.path), path__startswith=campaign.unit.path)
    breadcrumb = sorted(crumbs, key=lambda u: len(u.path))
    return Progress(campaign=campaign, unit=unit, today=today, breadcrumb=breadcrumb, rows=rows, totals=totals)
