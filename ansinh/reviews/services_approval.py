"""Step 10: aggregation and approval upward through the campaign's approval chain.

QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 (the commune chair recognises the results and reports them upward)
and Điều 7 (reporting to the province and the ministry); the province's plan sets the chain (e.g. KH
6828/KH-UBND of Đắk Lắk, 21/8/2019: communes → districts approve → the province approves). The chain
is `Campaign.approval_chain`: ["commune", "province"] on the 2025 structure, ["commune", "district",
"province"] on the legacy one.

One `UnitApproval` row per unit of the chain (`approvals_ensure`); each row moves along
`choices.APPROVAL_TRANSITIONS`, one audited service per move:

- `results_submit`: a unit's results are ready (waiting / returned → ready). A commune needs its
  recognition decision, every case finished, no open on-time complaint and no unresolved
  re-inspection discrepancy; a higher unit needs every child approved (tier order, on the server).
- `results_approve`: an approver of that very level (not the submitter) approves a ready row whose
  children are all approved; the commune's decided cases become approved, the children accepted.
  Approval locks the data (`services_common.ensure_unlocked`).
- `results_return`: the level above sends an approved child back for revision with a reason; the
  child's cases (commune) go back to decided and the parent waits again.

Every refusal writes nothing. Rows are locked with ``select_for_update`` (after the campaign row), so
two approvers at once: exactly one succeeds, the other is refused.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from .choices import APPROVAL_TRANSITIONS, LOCKED_APPROVAL_STATES, ApprovalState, CaseState, case_can_move
from .events import ReviewsEventType
from .models import Campaign, ReviewCase, UnitApproval
from .selectors_approval import APPROVE_PERM, SUBMIT_PERM, acts_at, blockers_for
from .services_common import actor_user, ancestor_paths, lock_open_campaign, require_perm

__all__ = ["approvals_ensure", "results_approve", "results_return", "results_submit"]


def _can_move(old: str, new: str) -> bool:
    return new in APPROVAL_TRANSITIONS.get(ApprovalState(old), set())


# -- the rows -------------------------------------------------------------------------------------


def _campaign_communes(campaign: Campaign) -> list[AdminUnit]:
    """The communes of the campaign: a covered commune is itself, a covered district (or province)
    expands to its communes; with no covered unit, the campaign's own unit."""
    covered = [cu.unit for cu in campaign.covered.select_related("unit")] or [campaign.unit]
    communes: dict[int, AdminUnit] = {}
    for unit in covered:
        if unit.level == Level.COMMUNE:
            communes[unit.pk] = unit
        elif unit.level != Level.VILLAGE:
            for commune in AdminUnit.objects.filter(path__startswith=unit.path, level=Level.COMMUNE,
                                                    structure=unit.structure):  # fmt: skip
                communes[commune.pk] = commune
    return sorted(communes.values(), key=lambda u: u.sort_key)


def _unit_at(campaign: Campaign, commune: AdminUnit, level: str, cache: dict) -> AdminUnit | None:
    """`commune` itself, or its ancestor of `level` (the province: the campaign's unit when it is one)."""
    if level == Level.COMMUNE:
        return commune
    if level == Level.PROVINCE and campaign.unit.level == Level.PROVINCE:
        return campaign.unit
    key = (commune.path, level)
    if key not in cache:
        cache[key] = AdminUnit.objects.filter(path__in=ancestor_paths(commune.path), level=level).first()
    return cache[key]


def approvals_ensure(campaign: Campaign) -> list[UnitApproval]:
    """The campaign's approval rows, created when missing (idempotent): one per commune of the campaign
    and, for each higher level of `approval_chain`, one per ancestor unit of that level; each row's
    parent is the row of the next level of the chain. Paths are copied from the unit.

    Creating the rows is not audited: they are the campaign's structure (derived from its covered units
    and chain, recorded by CAMPAIGN_CREATED), not a decision; every state change is audited.
    """
    chain = [level for level in campaign.approval_chain if level != Level.VILLAGE]
    cache: dict = {}
    # units[level] = {unit_id: unit}; parent_of[unit_id] = unit id of the next level of the chain
    units: dict[str, dict[int, AdminUnit]] = {level: {} for level in chain}
    parent_of: dict[int, int | None] = {}
    for commune in _campaign_communes(campaign):
        below = None
        for level in chain:
            unit = _unit_at(campaign, commune, level, cache)
            if unit is None:
                continue
            units[level][unit.pk] = unit
            parent_of.setdefault(unit.pk, None)
            if below is not None:
                parent_of[below.pk] = unit.pk
            below = unit
    expected = {pk for level in chain for pk in units[level]}
    current = {row.unit_id: row for row in UnitApproval.objects.filter(campaign=campaign)}
    if expected <= set(current) and all(
        current[pk].parent_id == getattr(current.get(parent_of.get(pk)), "pk", None) for pk in expected
    ):
        return sorted(current.values(), key=lambda r: r.unit_path)  # nothing to create: no lock taken
    with transaction.atomic():
        existing = {row.unit_id: row for row in UnitApproval.objects.select_for_update().filter(campaign=campaign)}
        for level in reversed(chain):  # top level first, so parents exist before their children
            for unit in units[level].values():
                parent_unit = parent_of.get(unit.pk)
                parent = existing.get(parent_unit) if parent_unit else None
                row = existing.get(unit.pk)
                if row is None:
                    row = UnitApproval.objects.create(
                        campaign=campaign, unit=unit, level=level, parent=parent, unit_path=unit.path,
                        successor_path=unit.successor_path,
                    )  # fmt: skip
                    existing[unit.pk] = row
                elif parent is not None and row.parent_id != parent.pk:
                    row.parent = parent
                    row.save(update_fields=["parent", "updated_at"])
    return sorted(existing.values(), key=lambda r: r.unit_path)


# -- shared checks --------------------------------------------------------------------------------


def _lock(approval: UnitApproval) -> UnitApproval:
    """The campaign open (its row locked first, the same order everywhere) and this row locked."""
    lock_open_campaign(approval.campaign)
    return UnitApproval.objects.select_for_update().select_related("unit", "campaign").get(pk=approval.pk)


def _refuse_state(row: UnitApproval, to: str) -> None:
    if _can_move(row.state, to):
        return
    if row.state in LOCKED_APPROVAL_STATES:
        raise ApplicationError(
            _("Kết quả của %(unit)s đã được phê duyệt (“%(state)s”); không thực hiện lại được.")
            % {"unit": row.unit.name, "state": row.get_state_display()},
            code="invalid_state",
        )
    raise ApplicationError(
        _("Kết quả của %(unit)s đang ở trạng thái “%(state)s”, không chuyển sang “%(to)s” được.")
        % {"unit": row.unit.name, "state": row.get_state_display(), "to": ApprovalState(to).label},
        code="invalid_state",
    )


def _children_not_approved(row: UnitApproval) -> list[str]:
    return list(
        row.children.exclude(state=ApprovalState.APPROVED).select_related("unit").order_by("unit__sort_key")
        .values_list("unit__name", flat=True)
    )  # fmt: skip


def _refuse_children(row: UnitApproval) -> None:
    missing = _children_not_approved(row)
    if missing:
        raise ApplicationError(
            _("Chưa phê duyệt được %(unit)s: cấp dưới chưa được phê duyệt hết (%(n)s đơn vị: %(units)s). Phải phê "
              "duyệt lần lượt từ cấp dưới lên.")
            % {"unit": row.unit.name, "n": len(missing), "units": ", ".join(missing)},
            code="children_not_approved",
            details={"units": missing},
        )  # fmt: skip


def _refuse_commune(row: UnitApproval) -> None:
    """The commune's own conditions (QĐ 24/2021 Điều 4: decision after the complaints are settled; the
    re-inspection's discrepancies resolved)."""
    blockers = blockers_for(row.campaign, [row])[row.unit_id]
    if not blockers.blocked:
        return
    problems = []
    if not blockers.has_decision:
        problems.append(_("chưa có quyết định công nhận của Chủ tịch UBND xã"))
    if blockers.not_done:
        problems.append(_("còn %(n)s hộ chưa có quyết định công nhận (%(detail)s)")
                        % {"n": blockers.not_done_total, "detail": ", ".join(blockers.not_done_labels())})  # fmt: skip
    if blockers.open_complaints:
        problems.append(_("còn %(n)s khiếu nại đang xác minh") % {"n": blockers.open_complaints})
    if blockers.discrepancies:
        problems.append(_("còn %(n)s sai lệch phúc tra chưa xử lý") % {"n": blockers.discrepancies})
    raise ApplicationError(
        _("Kết quả của %(unit)s chưa trình được: %(problems)s.")
        % {"unit": row.unit.name, "problems": "; ".join(problems)},
        code="commune_not_ready",
        details={"has_decision": blockers.has_decision, "cases_not_decided": blockers.not_done,
                 "open_complaints": blockers.open_complaints, "discrepancies": blockers.discrepancies},
    )  # fmt: skip


def _require_level(actor, unit: AdminUnit) -> None:
    if not acts_at(actor, unit):
        raise PermissionDenied(
            _("Bạn không phê duyệt ở cấp của %(unit)s: chỉ người có vai trò phê duyệt giao tại chính đơn vị này "
              "mới phê duyệt hoặc trả lại kết quả ở cấp đó.") % {"unit": unit.name}
        )  # fmt: skip


def _audit(actor, event_type, row: UnitApproval, old: str, **extra) -> None:
    audit_record(
        actor=actor, event_type=event_type, target=row, unit_path=row.unit_path,
        changes={"old": {"state": old}, "new": {"state": row.state, **extra}},
    )  # fmt: skip


# -- the three moves ------------------------------------------------------------------------------


def results_submit(*, actor, approval: UnitApproval) -> UnitApproval:
    """Submit a unit's results for approval at its level (waiting or returned → ready).

    A commune (QĐ 24/2021/QĐ-TTg Điều 4 khoản 2): its recognition decision (Mẫu 02) recorded, every
    case decided, screened out or withdrawn, no complaint received on time still open, no re-inspection
    discrepancy unresolved. A higher unit: every unit below it approved (tier order enforced here).
    Refused (nothing written) without reviews.submit_results over the unit, when the campaign is not
    open, or from another state.
    """
    require_perm(actor, SUBMIT_PERM, approval,
                 _("Bạn không có quyền trình kết quả rà soát của %(unit)s.")
                 % {"unit": approval.unit.name})  # fmt: skip
    with transaction.atomic():
        row = _lock(approval)
        _refuse_state(row, ApprovalState.READY)
        if row.level == Level.COMMUNE:
            _refuse_commune(row)
        else:
            missing = _children_not_approved(row)
            if missing:
                raise ApplicationError(
                    _("Chưa trình được kết quả của %(unit)s: còn %(n)s đơn vị cấp dưới chưa được phê duyệt "
                      "(%(units)s).")
                    % {"unit": row.unit.name, "n": len(missing), "units": ", ".join(missing)},
                    code="children_not_approved",
                    details={"units": missing},
                )  # fmt: skip
        old = row.state
        row.state, row.submitted_by, row.submitted_at = ApprovalState.READY, actor_user(actor), timezone.now()
        row.save(update_fields=["state", "submitted_by", "submitted_at", "updated_at"])
        _audit(actor, ReviewsEventType.RESULTS_SUBMITTED, row, old, submitted_by=getattr(row.submitted_by, "pk", None))
    return row


def results_approve(*, actor, approval: UnitApproval) -> UnitApproval:
    """Approve a ready unit's results (ready → approved) at its own level; approval locks them.

    Needs reviews.approve_results over the unit AND a role assignment of that very level (see
    `selectors_approval.acts_at`: the commune chair approves the commune, the province approver the
    province). Refused (nothing written): another state ("đã được phê duyệt" when already approved, e.g.
    by a concurrent approver), the approver is the one who submitted (no self-approval), a child not
    approved (tier order), or a commune whose conditions no longer hold (e.g. a discrepancy recorded
    since the submission). Effects: a commune's decided cases → approved; the children → accepted.
    """
    require_perm(actor, APPROVE_PERM, approval,
                 _("Bạn không có quyền phê duyệt kết quả rà soát của %(unit)s.")
                 % {"unit": approval.unit.name})  # fmt: skip
    _require_level(actor, approval.unit)
    with transaction.atomic():
        row = _lock(approval)
        _refuse_state(row, ApprovalState.APPROVED)
        user = actor_user(actor)
        if user is not None and row.submitted_by_id == user.pk:
            raise ApplicationError(
                _("Bạn đã trình kết quả của %(unit)s nên không tự phê duyệt được; người phê duyệt phải là người khác.")
                % {"unit": row.unit.name},
                code="self_approval",
            )  # fmt: skip
        _refuse_children(row)
        cases = 0
        if row.level == Level.COMMUNE:
            _refuse_commune(row)
            cases = _move_cases(row, CaseState.DECIDED, CaseState.APPROVED)
        now = timezone.now()
        children = list(row.children.select_for_update().filter(state=ApprovalState.APPROVED))
        for child in children:
            child.state, child.accepted_at = ApprovalState.ACCEPTED, now
            child.save(update_fields=["state", "accepted_at", "updated_at"])
        old = row.state
        row.state, row.approved_by, row.approved_at, row.returned_reason = ApprovalState.APPROVED, user, now, ""
        row.save(update_fields=["state", "approved_by", "approved_at", "returned_reason", "updated_at"])
        _audit(actor, ReviewsEventType.RESULTS_APPROVED, row, old, cases_approved=cases,
               children_accepted=[c.unit_path for c in children])  # fmt: skip
    return row


def _move_cases(row: UnitApproval, old: str, new: str) -> int:
    """Move every case of the commune in state `old` to `new` (all locked, each move checked against
    CASE_TRANSITIONS; `lock_case` is not usable here because the commune is, or becomes, locked)."""
    if not case_can_move(old, new):  # pragma: no cover - guarded by choices.CASE_TRANSITIONS
        raise ApplicationError(_("Không chuyển hộ từ “%(old)s” sang “%(new)s” được.")
                               % {"old": CaseState(old).label, "new": CaseState(new).label},
                               code="invalid_transition")  # fmt: skip
    cases = ReviewCase.objects.select_for_update().filter(campaign_id=row.campaign_id,
                                                          unit_path__startswith=row.unit_path, state=old)  # fmt: skip
    pks = list(cases.values_list("pk", flat=True))
    if pks:
        ReviewCase.objects.filter(pk__in=pks).update(state=new, updated_at=timezone.now())
    return len(pks)


def results_return(*, actor, approval: UnitApproval, reason: str) -> UnitApproval:
    """The level above returns an approved child's results for revision, with a reason (approved →
    returned): the data is unlocked again (ARCHITECTURE: reopening is its own audited transition).

    Needs reviews.approve_results at the parent's own level. Refused (nothing written): no reason, a
    unit with no level above, a child not approved, or a parent already approved or accepted (return the
    parent first). Effects: a commune's approved cases → decided (so households can be re-surveyed and
    decided again, which amends the decision); the child's own children accepted → approved (its
    acceptance is withdrawn, so it can return one of them in turn); the parent ready → waiting.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại để cấp dưới chỉnh sửa.")})
    parent = approval.parent
    if parent is None:
        raise ApplicationError(_("%(unit)s là cấp cao nhất của trình tự phê duyệt; không có cấp trên để trả lại.")
                               % {"unit": approval.unit.name}, code="no_parent")  # fmt: skip
    require_perm(actor, APPROVE_PERM, parent,
                 _("Bạn không có quyền trả lại kết quả cho %(unit)s.") % {"unit": approval.unit.name})  # fmt: skip
    _require_level(actor, parent.unit)
    with transaction.atomic():
        lock_open_campaign(approval.campaign)
        parent = UnitApproval.objects.select_for_update().select_related("unit").get(pk=parent.pk)
        row = UnitApproval.objects.select_for_update().select_related("unit", "campaign").get(pk=approval.pk)
        if parent.state in LOCKED_APPROVAL_STATES:
            raise ApplicationError(
                _("Kết quả của %(parent)s đã được phê duyệt; phải trả lại %(parent)s trước khi trả lại %(unit)s.")
                % {"parent": parent.unit.name, "unit": row.unit.name},
                code="parent_locked",
            )  # fmt: skip
        if row.state != ApprovalState.APPROVED:
            raise ApplicationError(
                _("Chỉ trả lại được kết quả đã phê duyệt; %(unit)s đang “%(state)s”.")
                % {"unit": row.unit.name, "state": row.get_state_display()},
                code="invalid_state",
            )  # fmt: skip
        _refuse_state(row, ApprovalState.RETURNED)
        cases = _move_cases(row, CaseState.APPROVED, CaseState.DECIDED) if row.level == Level.COMMUNE else 0
        reopened = list(row.children.select_for_update().filter(state=ApprovalState.ACCEPTED))
        for child in reopened:
            child.state, child.accepted_at = ApprovalState.APPROVED, None
            child.save(update_fields=["state", "accepted_at", "updated_at"])
        old = row.state
        row.state, row.returned_reason, row.approved_by, row.approved_at = ApprovalState.RETURNED, reason, None, None
        row.save(update_fields=["state", "returned_reason", "approved_by", "approved_at", "updated_at"])
        parent_old = parent.state
        if parent.state == ApprovalState.READY:
            parent.state = ApprovalState.WAITING
            parent.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.RESULTS_RETURNED, target=row, unit_path=row.unit_path,
            changes={"old": {"state": old, "parent_state": parent_old},
                     "new": {"state": row.state, "parent_state": parent.state, "cases_reopened": cases,
                             "children_reopened": [c.unit_path for c in reopened]},
                     "reason": reason, "by_level": parent.unit_path},
        )  # fmt: skip
    return row
