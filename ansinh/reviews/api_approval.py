"""API of the review step 'approval' (mounted under /api/v1/reviews/ by reviews/api.py): the campaign's
approval rows in your area and the three moves (submit, approve, return for revision), with the same
checks as the pages (QĐ 24/2021/QĐ-TTg Điều 4; tier order, no self-approval, approval locks the data).
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema

from . import selectors, selectors_approval, services_approval
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm

router = Router(tags=["reviews"])


class BlockersOut(Schema):
    has_decision: bool = Field(description="Đã có quyết định công nhận của xã")
    cases_not_decided: dict[str, int] = Field(description="Tình trạng hộ → số hộ chưa có quyết định")
    open_complaints: int
    discrepancies: int


class ApprovalOut(Schema):
    id: int
    campaign_id: int
    unit: UnitRefOut
    level: str
    parent_id: int | None
    state: str = Field(description="waiting, ready, approved, accepted, returned")
    locked: bool = Field(description="Đã phê duyệt (hoặc cấp trên đã tiếp nhận): dữ liệu bị khóa")
    children: dict[str, int] = Field(description="Trạng thái → số đơn vị cấp dưới")
    children_not_approved: list[str]
    blockers: BlockersOut | None = Field(None, description="Chỉ với xã: những gì còn vướng khi trình")
    submitted_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    accepted_at: datetime | None
    returned_reason: str
    can_submit: bool
    can_approve: bool
    can_return: bool


class ReturnIn(Schema):
    reason: str = Field(description="Lý do trả lại, nội dung cần chỉnh sửa")


def _out(node) -> dict:
    row, b = node.row, node.blockers
    return {
        "id": row.pk, "campaign_id": row.campaign_id, "unit": row.unit, "level": row.level,
        "parent_id": row.parent_id, "state": row.state, "locked": node.locked, "children": node.children,
        "children_not_approved": node.not_approved_children,
        "blockers": None if b is None else {"has_decision": b.has_decision, "cases_not_decided": b.not_done,
                                            "open_complaints": b.open_complaints, "discrepancies": b.discrepancies},
        "submitted_by": str(row.submitted_by) if row.submitted_by_id else None, "submitted_at": row.submitted_at,
        "approved_by": str(row.approved_by) if row.approved_by_id else None, "approved_at": row.approved_at,
        "accepted_at": row.accepted_at, "returned_reason": row.returned_reason,
        "can_submit": node.can_submit, "can_approve": node.can_approve, "can_return": node.can_return,
    }  # fmt: skip


def _one(request, row) -> dict:
    campaign = row.campaign
    campaign.refresh_from_db()
    return _out(selectors_approval.approval_tree(user=request.user, campaign=campaign, pk=row.pk)[0])


@router.get("/campaigns/{campaign_id}/approvals", response={200: list[ApprovalOut], **ERRORS},
            operation_id="reviews_approval_list")  # fmt: skip
def approval_list(request, campaign_id: int):
    """The campaign's approval rows in your area (highest level first), with children by state, what
    blocks each commune and the actions you may take. The rows are created on first use."""
    require_role_perm(request, selectors_approval.VIEW_APPROVAL_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    services_approval.approvals_ensure(campaign)
    return [_out(node) for node in selectors_approval.approval_tree(user=request.user, campaign=campaign)]


@router.post("/approvals/{approval_id}/submit", response={200: ApprovalOut, **WRITE_ERRORS},
             operation_id="reviews_approval_submit")  # fmt: skip
def approval_submit(request, approval_id: int):
    """Submit the unit's results (waiting / returned → ready). A commune needs its decision, every case
    decided, no open complaint, no unresolved discrepancy; a higher unit needs every child approved."""
    require_role_perm(request, selectors_approval.SUBMIT_PERM)
    row = selectors_approval.approval_get_visible(user=request.user, pk=approval_id)
    services_approval.results_submit(actor=request.user, approval=row)
    return _one(request, row)


@router.post("/approvals/{approval_id}/approve", response={200: ApprovalOut, **WRITE_ERRORS},
             operation_id="reviews_approval_approve")  # fmt: skip
def approval_approve(request, approval_id: int):
    """Approve the unit's results at its own level (ready → approved; locks the data). Refused for the
    submitter (no self-approval), an approver of another level, or a child not yet approved."""
    require_role_perm(request, selectors_approval.APPROVE_PERM)
    row = selectors_approval.approval_get_visible(user=request.user, pk=approval_id)
    services_approval.results_approve(actor=request.user, approval=row)
    return _one(request, row)


@router.post("/approvals/{approval_id}/return", response={200: ApprovalOut, **WRITE_ERRORS},
             operation_id="reviews_approval_return")  # fmt: skip
def approval_return(request, approval_id: int, payload: ReturnIn):
    """Return an approved child's results for revision with a reason (approved → returned; unlocks it).
    Only the level right above, while its own results are not approved."""
    require_role_perm(request, selectors_approval.APPROVE_PERM)
    row = selectors_approval.approval_get_visible(user=request.user, pk=approval_id)
    services_approval.results_return(actor=request.user, approval=row, reason=payload.reason)
    return _one(request, row)
