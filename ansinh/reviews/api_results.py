"""API of a review campaign's results (mounted under /api/v1/reviews/ by reviews/api.py): the progress
dashboard per unit, the frozen results and their transition counts, and freezing them.

Same checks as the pages: the role's permission (403), then the campaign and unit fetched in the
reader's area (404), then the selector or the service (refusals 409/403).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from ansinh.core.api import PagePagination

from . import selectors, selectors_results, services_results
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm
from .models import CampaignResult

router = Router(tags=["reviews"])


class ProgressCellOut(Schema):
    key: str = Field(description="listed, surveyed, met, posted, decided, approved, screened_out, withdrawn")
    count: int
    percent: float | None = Field(description="% trên số hộ trong danh sách; null khi chưa có hộ nào")


class LatenessOut(Schema):
    milestone_id: int
    name: str
    name_en: str = Field(description="Tên mốc tiếng Anh (rỗng: chỉ có tên tiếng Việt)")
    deadline: date
    state: str = Field(description="done_on_time, done_late, due_soon, overdue, pending")


class ProgressRowOut(Schema):
    unit: UnitRefOut | None = Field(description="null: hộ gắn trực tiếp với đơn vị đang xem, chưa có đơn vị cấp dưới")
    cells: list[ProgressCellOut]
    milestones: list[LatenessOut]
    overdue: int
    done_late: int


class ProgressOut(Schema):
    campaign_id: int
    today: date
    unit: UnitRefOut
    breadcrumb: list[UnitRefOut]
    rows: list[ProgressRowOut]
    totals: ProgressRowOut


class ResultOut(Schema):
    id: int
    household_id: int
    household_code: str
    head_name: str
    commune_id: int
    village_id: int | None
    case_id: int | None
    previous_class: str
    final_class: str = Field(description="poor, near_poor, average, not_poor; rỗng: hộ đã rút khỏi đợt")
    transition: str
    standard_code: str
    decided_on: date | None
    unit_path: str
    frozen_at: datetime

    @staticmethod
    def resolve_household_code(obj: CampaignResult) -> str:
        return obj.household.code

    @staticmethod
    def resolve_head_name(obj: CampaignResult) -> str:
        return obj.household.head_name

    @staticmethod
    def resolve_commune_id(obj: CampaignResult) -> int:
        return obj.household.commune_id

    @staticmethod
    def resolve_village_id(obj: CampaignResult) -> int | None:
        return obj.household.village_id


class TransitionCountsOut(Schema):
    campaign_id: int
    frozen: bool
    unit_id: int | None
    counts: dict[str, int] = Field(description="Mã diễn biến → số hộ (mọi mã, 0 khi không có)")
    total: int


class FreezeOut(Schema):
    campaign_id: int
    results: int
    counts: dict[str, int]


def _row(row: selectors_results.ProgressRow) -> dict:
    return {
        "unit": row.unit, "cells": [{"key": c.key, "count": c.count, "percent": c.percent} for c in row.cells],
        "milestones": [{"milestone_id": m.milestone.pk, "name": m.milestone.name, "name_en": m.milestone.name_en,
                        "deadline": m.milestone.deadline, "state": m.state} for m in row.milestones],
        "overdue": row.overdue, "done_late": row.done_late,
    }  # fmt: skip


def _scoped_unit(request, campaign, unit_id):
    return selectors_results.progress_unit(user=request.user, campaign=campaign, unit_id=unit_id)


@router.get("/campaigns/{campaign_id}/progress", response={200: ProgressOut, **ERRORS},
            operation_id="reviews_progress")  # fmt: skip
def progress(request, campaign_id: int, unit_id: int | None = None, today: date | None = None):
    """The progress dashboard: the units right below ``unit_id`` (default: the campaign's unit) with the
    households listed, surveyed, met, posted, decided, approved, screened out, withdrawn, % and lateness."""
    require_role_perm(request, selectors_results.VIEW_CASE_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    unit = _scoped_unit(request, campaign, unit_id)
    result = selectors_results.progress_by_unit(user=request.user, campaign=campaign, unit=unit,
                                                today=today or timezone.localdate())  # fmt: skip
    return {
        "campaign_id": campaign.pk, "today": result.today, "unit": result.unit, "breadcrumb": result.breadcrumb,
        "rows": [_row(r) for r in result.rows], "totals": _row(result.totals),
    }  # fmt: skip


@router.get("/campaigns/{campaign_id}/results", response={200: list[ResultOut], **ERRORS},
            operation_id="reviews_results_list")  # fmt: skip
@paginate(PagePagination)
def results_list(request, campaign_id: int, klass: str | None = None, transition: str | None = None,
                 unit_id: int | None = None):  # fmt: skip
    """The campaign's frozen results in your area, sorted by unit then household code; filter by final
    class (``none``: households that left), transition, unit (that unit and below). Empty until frozen."""
    require_role_perm(request, selectors_results.VIEW_RESULT_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    unit = _scoped_unit(request, campaign, unit_id) if unit_id else None
    filters = {"klass": klass, "transition": transition, "unit": unit}
    return selectors_results.results_visible_to(user=request.user, campaign=campaign, filters=filters)


@router.get("/campaigns/{campaign_id}/transitions", response={200: TransitionCountsOut, **ERRORS},
            operation_id="reviews_transition_counts")  # fmt: skip
def transitions(request, campaign_id: int, unit_id: int | None = None):
    """How many households of your area made each transition (frozen results; all 0 until frozen)."""
    require_role_perm(request, selectors_results.VIEW_RESULT_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    unit = _scoped_unit(request, campaign, unit_id) if unit_id else None
    counts = selectors_results.transition_counts(user=request.user, campaign=campaign, unit=unit)
    return {
        "campaign_id": campaign.pk, "frozen": selectors_results.results_frozen(campaign),
        "unit_id": unit.pk if unit else None, "counts": counts, "total": sum(counts.values()),
    }  # fmt: skip


@router.post("/campaigns/{campaign_id}/results/freeze", response={200: FreezeOut, **WRITE_ERRORS},
             operation_id="reviews_results_freeze")  # fmt: skip
def results_freeze(request, campaign_id: int):
    """Freeze the campaign's results (once; 409 when not approved at the top of the chain, households
    not final, or already frozen)."""
    require_role_perm(request, services_results.MANAGE_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    count = services_results.results_freeze(actor=request.user, campaign=campaign)
    counts = selectors_results.transition_counts(user=request.user, campaign=campaign)
    return {"campaign_id": campaign.pk, "results": count, "counts": {k: n for k, n in counts.items() if n}}
