"""Reads of step 10 (aggregation and approval upward, QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 and the province's
plan): the campaign's approval rows the reader may see, with their children's states, what still blocks
a commune's submission, and which of the three actions (submit, approve, return) the reader may use.

`blockers_for` is also what `services_approval.results_submit` / `results_approve` check, so the page
and the server refuse for the same reasons.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, QuerySet
from django.http import Http404

from ansinh.geo.choices import Level

from .choices import LOCKED_APPROVAL_STATES, ApprovalState, CampaignStatus, CaseState, ComplaintStatus
from .models import Campaign, CommuneDecision, Complaint, ReinspectionSample, ReviewCase, UnitApproval
from .services_common import ancestor_paths

VIEW_APPROVAL_PERM = "reviews.view_unitapproval"
SUBMIT_PERM = "reviews.submit_results"
APPROVE_PERM = "reviews.approve_results"

# A commune's case is finished for approval once it is decided (or stopped at phiếu A, or withdrawn).
DONE_CASE_STATES = frozenset({CaseState.DECIDED, CaseState.SCREENED_OUT, CaseState.WITHDRAWN})

# Badge class of each state (existing colours; the text label always goes with it).
STATE_BADGES = {
    ApprovalState.WAITING: "", ApprovalState.READY: "badge-warn", ApprovalState.APPROVED: "badge-ok",
    ApprovalState.ACCEPTED: "badge-ok", ApprovalState.RETURNED: "badge-danger",
}  # fmt: skip

LEVEL_ORDER = {Level.VILLAGE: 0, Level.COMMUNE: 1, Level.DISTRICT: 2, Level.PROVINCE: 3}


def approvals_visible_to(*, user, perm: str = VIEW_APPROVAL_PERM) -> QuerySet[UnitApproval]:
    """Approval rows of units in the area where `user` holds `perm` (default deny)."""
    return UnitApproval.objects.visible_to(user, perm=perm).select_related(
        "campaign", "unit", "parent", "parent__unit", "submitted_by", "approved_by"
    )


def approval_get_visible(*, user, pk, perm: str = VIEW_APPROVAL_PERM) -> UnitApproval:
    """The approval row, or 404 whether it is missing or out of the reader's area."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    row = approvals_visible_to(user=user, perm=perm).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def approval_for(campaign: Campaign, path: str) -> UnitApproval | None:
    """The lowest approval row of `campaign` whose unit is `path`'s unit or one above it (for a case's
    path: its commune's row), or None before the rows exist."""
    rows = list(UnitApproval.objects.filter(campaign=campaign, unit_path__in=ancestor_paths(path)).select_related(
        "unit", "parent", "parent__unit"))  # fmt: skip
    return max(rows, key=lambda r: len(r.unit_path)) if rows else None


# -- who acts at which level ----------------------------------------------------------------------


def acts_at(user, unit) -> bool:
    """Whether `user` approves at `unit`'s own level: one of their active role assignments granting
    approve_results sits at exactly that unit (or, for a legacy unit, at the 2025 unit of the same level
    it is reported under). A province approver thus never approves a commune's own results, and a
    commune chair approves only their commune. Superusers act at any level."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for assignment in user.active_assignments():
        if assignment.unit_id is None or APPROVE_PERM not in user.role_perms(assignment):
            continue
        if assignment.unit_id == unit.pk:
            return True
        if unit.successor_path and assignment.unit.level == unit.level and assignment.unit.path == unit.successor_path:
            return True
    return False


# -- what blocks a commune ------------------------------------------------------------------------


@dataclass
class CommuneBlockers:
    """Why a commune's results cannot be submitted (or approved) yet; empty when nothing blocks."""

    has_decision: bool = False
    not_done: dict[str, int] = field(default_factory=dict)  # case state → count, for states not finished
    open_complaints: int = 0
    discrepancies: int = 0

    @property
    def not_done_total(self) -> int:
        return sum(self.not_done.values())

    @property
    def blocked(self) -> bool:
        return not self.has_decision or bool(self.not_done) or bool(self.open_complaints) or bool(self.discrepancies)

    def not_done_labels(self) -> list[str]:
        return [f"{n} {CaseState(state).label.lower()}" for state, n in sorted(self.not_done.items())]


def _commune_of(path: str, commune_paths: set[str]) -> str | None:
    for candidate in ancestor_paths(path):
        if candidate in commune_paths:
            return candidate
    return None


def blockers_for(campaign: Campaign, communes: list) -> dict[int, CommuneBlockers]:
    """For each commune row (or AdminUnit) of `communes`, what blocks its submission, keyed by unit id.

    Counted under the commune's path: cases not decided / screened out / withdrawn (approved cases of a
    commune being approved count as finished), on-time complaints still open, re-inspection
    discrepancies not resolved; and whether the commune's recognition decision (step 8) exists."""
    units = [getattr(c, "unit", c) for c in communes]
    by_path = {u.path: u.pk for u in units}
    result = {u.pk: CommuneBlockers() for u in units}
    if not units:
        return result
    paths = set(by_path)
    decided = set(CommuneDecision.objects.filter(campaign=campaign, commune_id__in=list(result)).values_list(
        "commune_id", flat=True))  # fmt: skip
    for pk in decided:
        result[pk].has_decision = True
    finished = [*DONE_CASE_STATES, CaseState.APPROVED]
    rows = (ReviewCase.objects.filter(campaign=campaign).exclude(state__in=finished).order_by()
            .values_list("unit_path", "state").annotate(n=Count("pk")))  # fmt: skip
    for path, state, n in rows:
        commune = _commune_of(path, paths)
        if commune:
            counts = result[by_path[commune]].not_done
            counts[state] = counts.get(state, 0) + n
    complaints = (Complaint.objects.filter(campaign=campaign, status=ComplaintStatus.OPEN, late=False).order_by()
                  .values_list("unit_path").annotate(n=Count("pk")))  # fmt: skip
    for path, n in complaints:
        commune = _commune_of(path, paths)
        if commune:
            result[by_path[commune]].open_complaints += n
    samples = (ReinspectionSample.objects.filter(reinspection__campaign=campaign, discrepancy=True,
                                                 resolved_on__isnull=True)
               .order_by().values_list("unit_path").annotate(n=Count("pk")))  # fmt: skip
    for path, n in samples:
        commune = _commune_of(path, paths)
        if commune:
            result[by_path[commune]].discrepancies += n
    return result


# -- the tree ------------------------------------------------------------------------------------


@dataclass
class ApprovalNode:
    row: UnitApproval
    children: dict[str, int]  # ApprovalState value → count of child rows in that state
    children_total: int
    not_approved_children: list[str]  # names of the children not approved yet
    blockers: CommuneBlockers | None  # commune rows only
    locked: bool
    can_submit: bool = False
    can_approve: bool = False
    can_return: bool = False

    @property
    def unit(self):
        return self.row.unit

    @property
    def level(self) -> str:
        return self.row.level

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def badge(self) -> str:
        return STATE_BADGES.get(self.row.state, "")

    @property
    def submitted_by(self):
        return self.row.submitted_by

    @property
    def submitted_at(self) -> datetime | None:
        return self.row.submitted_at

    @property
    def approved_by(self):
        return self.row.approved_by

    @property
    def approved_at(self) -> datetime | None:
        return self.row.approved_at

    @property
    def children_list(self) -> list[dict]:
        return [{"state": s.value, "label": s.label, "count": self.children[s.value], "badge": STATE_BADGES[s]}
                for s in ApprovalState if self.children.get(s.value)]  # fmt: skip


def _children_by_parent(campaign: Campaign) -> dict[int, list[tuple[str, str]]]:
    children: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for parent_id, state, name in UnitApproval.objects.filter(campaign=campaign, parent__isnull=False).values_list(
        "parent_id", "state", "unit__name"
    ):
        children[parent_id].append((state, name))
    return children


def approval_tree(*, user, campaign: Campaign, pk: int | None = None) -> list[ApprovalNode]:
    """The campaign's approval rows visible to `user` (highest level first, then by unit), each with its
    children counted by state, who submitted / approved it and when, what blocks it (commune rows: cases
    not finished, open complaints, unresolved discrepancies, missing decision) and the actions `user`
    may take on it now (the services check the same again). `pk`: only that row."""
    qs = approvals_visible_to(user=user).filter(campaign=campaign)
    if pk is not None:
        qs = qs.filter(pk=pk)
    rows = list(qs.order_by("unit__sort_key", "unit_path"))
    rows.sort(key=lambda r: (-LEVEL_ORDER.get(r.level, 0), r.unit.sort_key))
    children = _children_by_parent(campaign)
    blockers = blockers_for(campaign, [r for r in rows if r.level == Level.COMMUNE])
    open_ = campaign.status == CampaignStatus.OPEN
    nodes = []
    for row in rows:
        kids = children.get(row.pk, [])
        counts = Counter(state for state, _ in kids)
        node = ApprovalNode(
            row=row, children=dict(counts), children_total=len(kids),
            not_approved_children=sorted(name for state, name in kids if state != ApprovalState.APPROVED),
            blockers=blockers.get(row.unit_id) if row.level == Level.COMMUNE else None,
            locked=row.state in LOCKED_APPROVAL_STATES,
        )  # fmt: skip
        if open_:
            node.can_submit = row.state in (ApprovalState.WAITING, ApprovalState.RETURNED) and user.has_perm(
                SUBMIT_PERM, row)  # fmt: skip
            node.can_approve = (row.state == ApprovalState.READY and user.has_perm(APPROVE_PERM, row)
                                and acts_at(user, row.unit) and row.submitted_by_id != user.pk)  # fmt: skip
            parent = row.parent
            node.can_return = (row.state == ApprovalState.APPROVED and parent is not None
                               and parent.state not in LOCKED_APPROVAL_STATES
                               and user.has_perm(APPROVE_PERM, parent) and acts_at(user, parent.unit))  # fmt: skip
        nodes.append(node)
    return nodes


def approval_counts(*, user, campaign: Campaign) -> list[dict]:
    """Per level of the chain (in chain order), how many of the visible rows are in each state."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for level, state in approvals_visible_to(user=user).filter(campaign=campaign).values_list("level", "state"):
        counts[level][state] += 1
    levels = [lv for lv in campaign.approval_chain if lv in counts] + [lv for lv in counts
                                                                      if lv not in campaign.approval_chain]  # fmt: skip
    return [
        {"level": level, "label": Level(level).label, "total": sum(counts[level].values()),
         "states": [{"state": s.value, "label": s.label, "count": counts[level][s.value], "badge": STATE_BADGES[s]}
                    for s in ApprovalState if counts[level][s.value]]}
        for level in levels
    ]  # fmt: skip
