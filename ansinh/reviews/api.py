"""/api/v1/reviews: review campaigns, their milestone board, creation and milestone completion; the households
in a campaign (cases), applications and phiếu A.

Each endpoint parses, fetches through a selector (404 whether missing or out of area), calls one
service and serialises. Errors are exceptions, mapped to the one error shape in `ansinh.core.api`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import PagePagination
from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import PovertyStandard
from ansinh.registry.models import Household
from ansinh.registry.services import HouseholdData, MemberData

from . import selectors, services, services_cases
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm
from .choices import MilestoneState
from .models import Campaign, CampaignKind, ReviewCase

router = Router(tags=["reviews"])

_require = require_role_perm


# -- output -------------------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    code: str
    name: str
    name_en: str = Field(description="Tên mốc tiếng Anh (rỗng: chỉ có tên tiếng Việt)")
    level: str
    deadline: date
    source: str
    source_en: str = Field(description="Căn cứ tiếng Anh (rỗng: chỉ có tiếng Việt)")


class CampaignListOut(Schema):
    id: int
    name: str
    kind: str = Field(description="Mã loại rà soát: periodic, monthly, average_farming …")
    year: int
    month: int | None
    period_start: date
    period_end: date
    plan_number: str
    plan_date: date
    standard: str
    unit: UnitRefOut
    structure: str
    approval_chain: list[str] = Field(description="Các cấp báo cáo, phê duyệt theo thứ tự")
    status: str

    @staticmethod
    def resolve_kind(obj: Campaign) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_standard(obj: Campaign) -> str:
        return obj.standard.code


class SteeringMemberOut(Schema):
    id: int
    unit_id: int
    full_name: str
    position: str
    committee_role: str
    removed_on: date | None


class AssignmentOut(Schema):
    id: int
    village_id: int
    person_name: str
    user_id: int | None
    role: str
    start_on: date
    end_on: date | None


class TrainingOut(Schema):
    id: int
    unit_id: int
    held_on: date
    topic: str
    place: str
    attendees: list[str]


class CampaignOut(CampaignListOut):
    due_soon_days: int
    note: str
    cancel_reason: str
    units: list[UnitRefOut]
    milestones: list[MilestoneOut]
    steering_members: list[SteeringMemberOut]
    assignments: list[AssignmentOut]
    trainings: list[TrainingOut]

    @staticmethod
    def resolve_units(obj: Campaign) -> list[AdminUnit]:
        return selectors.covered_units(obj)

    @staticmethod
    def resolve_milestones(obj: Campaign):
        return list(obj.milestones.order_by("deadline", "order"))

    @staticmethod
    def resolve_steering_members(obj: Campaign):
        return list(obj.steering_members.order_by("id"))

    @staticmethod
    def resolve_assignments(obj: Campaign):
        return list(obj.assignments.order_by("id"))

    @staticmethod
    def resolve_trainings(obj: Campaign):
        return list(obj.trainings.order_by("held_on", "id"))


class BoardCellOut(Schema):
    milestone_id: int
    state: str | None = Field(description="done_on_time, done_late, due_soon, overdue, pending; null: không áp dụng")
    done_on: date | None = None
    late: bool | None = None


class BoardRowOut(Schema):
    unit: UnitRefOut
    cells: list[BoardCellOut]


class BoardOut(Schema):
    campaign_id: int
    today: date
    due_soon_days: int
    milestones: list[MilestoneOut]
    rows: list[BoardRowOut]
    totals: dict[str, int] = Field(description="Số ô theo từng trạng thái")


class CompletionOut(Schema):
    id: int
    milestone_id: int
    unit_id: int
    done_on: date
    late: bool
    state: str
    note: str


# -- input --------------------------------------------------------------------------------------


class CampaignIn(Schema):
    kind: str = Field(description="Mã loại rà soát")
    year: int
    month: int | None = Field(None, description="Bắt buộc với loại hằng tháng")
    unit_id: int = Field(description="Đơn vị chủ trì (tỉnh, huyện hoặc xã)")
    unit_ids: list[int] = Field(description="Các đơn vị tham gia")
    plan_number: str
    plan_date: date
    standard: str | None = Field(None, description="Mã chuẩn; để trống: chuẩn áp dụng ngày bắt đầu đợt")
    name: str = ""
    approval_chain: list[str] | None = Field(None, description="Để trống: theo cơ cấu đơn vị")
    note: str = ""


class CompletionIn(Schema):
    unit_id: int
    done_on: date
    note: str = ""


# -- endpoints ----------------------------------------------------------------------------------


@router.get("/campaigns", response={200: list[CampaignListOut], **ERRORS}, operation_id="reviews_campaign_list")
@paginate(PagePagination)
def campaign_list(request, kind: str | None = None, status: str | None = None, year: int | None = None):
    """Campaigns run by, or covering a unit of, your area (newest first); filter by kind, status, year."""
    _require(request, selectors.VIEW_PERM)
    filters = {"kind": kind, "status": status, "year": year}
    return selectors.campaign_list_visible_to(user=request.user, filters=filters)


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, operation_id="reviews_campaign_get")
def campaign_get(request, campaign_id: int):
    _require(request, selectors.VIEW_PERM)
    return selectors.campaign_get_visible(user=request.user, pk=campaign_id)


@router.post("/campaigns", response={201: CampaignOut, **WRITE_ERRORS}, operation_id="reviews_campaign_create")
def campaign_create(request, payload: CampaignIn):
    """Create a campaign in draft; the milestones come from the kind's template for the unit's structure."""
    _require(request, selectors.MANAGE_PERM)
    kind = CampaignKind.objects.filter(code=payload.kind).first()
    if kind is None:
        raise ValidationError({"kind": _("Không có loại rà soát mã %(code)s.") % {"code": payload.kind}})
    standard = None
    if payload.standard:
        standard = PovertyStandard.objects.filter(code=payload.standard).first()
        if standard is None:
            raise ValidationError({"standard": _("Không có chuẩn nghèo mã %(code)s.") % {"code": payload.standard}})
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=[payload.unit_id, *payload.unit_ids])}
    if payload.unit_id not in units:
        raise ValidationError({"unit_id": _("Không có đơn vị này.")})
    missing = [pk for pk in payload.unit_ids if pk not in units]
    if missing:
        raise ValidationError({"unit_ids": _("Không có đơn vị: %(ids)s.") % {"ids": ", ".join(map(str, missing))}})
    data = services.CampaignData(
        kind=kind, year=payload.year, month=payload.month, unit=units[payload.unit_id],
        units=[units[pk] for pk in payload.unit_ids], plan_number=payload.plan_number, plan_date=payload.plan_date,
        standard=standard, name=payload.name, approval_chain=payload.approval_chain, note=payload.note,
    )  # fmt: skip
    campaign = services.campaign_create(actor=request.user, data=data)
    return Status(201, selectors.campaign_get_visible(user=request.user, pk=campaign.pk))


@router.get(
    "/campaigns/{campaign_id}/board", response={200: BoardOut, **ERRORS}, operation_id="reviews_milestone_board"
)
def milestone_board(request, campaign_id: int, today: date | None = None):
    """The milestone board: one row per unit of your area, one cell per milestone (``?today=`` to look back)."""
    _require(request, selectors.VIEW_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    board = selectors.milestone_board(user=request.user, campaign=campaign, today=today or timezone.localdate())
    rows = [
        {
            "unit": row.unit,
            "cells": [
                {"milestone_id": c.milestone.pk, "state": c.state or None,
                 "done_on": c.completion.done_on if c.completion else None,
                 "late": c.completion.late if c.completion else None}
                for c in row.cells
            ],
        }
        for row in board.rows
    ]  # fmt: skip
    return {
        "campaign_id": campaign.pk, "today": board.today, "due_soon_days": campaign.due_soon_days,
        "milestones": board.milestones, "rows": rows, "totals": board.totals,
    }  # fmt: skip


@router.post(
    "/campaigns/{campaign_id}/milestones/{milestone_id}/complete",
    response={201: CompletionOut, **WRITE_ERRORS},
    operation_id="reviews_milestone_complete",
)
def milestone_complete(request, campaign_id: int, milestone_id: int, payload: CompletionIn):
    """Record that a unit did a milestone (409 unless the campaign is open or when already recorded)."""
    _require(request, selectors.COMPLETE_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    milestone = campaign.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    unit = AdminUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Không có đơn vị này.")})
    completion = services.milestone_complete(
        actor=request.user, milestone=milestone, unit=unit, done_on=payload.done_on, note=payload.note
    )
    state = MilestoneState.DONE_LATE if completion.late else MilestoneState.DONE_ON_TIME
    return Status(201, {
        "id": completion.pk, "milestone_id": milestone.pk, "unit_id": unit.pk, "done_on": completion.done_on,
        "late": completion.late, "state": state.value, "note": completion.note,
    })  # fmt: skip


# -- review cases -------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    campaign_id: int
    household_id: int
    household_code: str
    head_name: str
    commune_id: int
    village_id: int | None
    origin: str = Field(description="poor_list, near_poor_list, applied")
    state: str = Field(
        description="listed, screened_out, surveying, surveyed, met, posted, decided, approved, withdrawn"
    )
    channel: str
    received_on: date | None
    applicant_name: str
    form_a_version: str | None
    screened_out_reason: list[dict]

    @staticmethod
    def resolve_household_code(obj: ReviewCase) -> str:
        return obj.household.code

    @staticmethod
    def resolve_head_name(obj: ReviewCase) -> str:
        return obj.household.head_name

    @staticmethod
    def resolve_commune_id(obj: ReviewCase) -> int:
        return obj.household.commune_id

    @staticmethod
    def resolve_village_id(obj: ReviewCase) -> int | None:
        return obj.household.village_id

    @staticmethod
    def resolve_form_a_version(obj: ReviewCase) -> str | None:
        return obj.form_a.version if obj.form_a_id else None


class NewHouseholdIn(Schema):
    commune_id: int
    village_id: int | None = None
    code: str
    head_name: str
    head_sex: str = Field(description="male, female")
    head_birth_year: int
    head_id_number: str = ""


class ApplicationIn(Schema):
    household_id: int | None = Field(None, description="Hộ đã có trong sổ; để trống khi gửi new_household")
    new_household: NewHouseholdIn | None = Field(None, description="Hộ chưa có trong sổ: đăng ký trước")
    channel: str = Field(description="in_person, post, online")
    received_on: date
    applicant_name: str = ""
    reason: str = ""


class FormAIn(Schema):
    answers: dict[str, bool] = Field(description="Mã tiêu chí → hộ có đặc điểm đó hay không (trả lời đủ mọi tiêu chí)")


@router.get("/campaigns/{campaign_id}/cases", response={200: list[CaseOut], **ERRORS},
            operation_id="reviews_case_list")  # fmt: skip
@paginate(PagePagination)
def case_list(request, campaign_id: int, unit: int | None = None, village: int | None = None,
              origin: str | None = None, state: str | None = None, q: str | None = None):  # fmt: skip
    """The campaign's households in your area; filter by unit, village, origin, state; ``q`` searches names
    (accents ignored), CCCD or household code."""
    _require(request, selectors.VIEW_CASE_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    filters = {"unit": unit, "village": village, "origin": origin, "state": state, "q": q}
    return selectors.case_list_visible_to(user=request.user, campaign=campaign, filters=filters).select_related(
        "form_a"
    )


@router.post("/campaigns/{campaign_id}/applications", response={201: CaseOut, **WRITE_ERRORS},
             operation_id="reviews_application_create")  # fmt: skip
def application_create(request, campaign_id: int, payload: ApplicationIn):
    """Record an application (Mẫu 01): a registered household, or a new one registered first."""
    _require(request, selectors.RECORD_CASE_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    household = new = None
    if payload.household_id is not None:
        household = Household.objects.visible_to(request.user).filter(pk=payload.household_id).first()
        if household is None:
            raise ValidationError({"household_id": _("Không có hộ này trong địa bàn của bạn.")})
    if payload.new_household is not None:
        n = payload.new_household
        units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=[n.commune_id, n.village_id or 0])}
        if n.commune_id not in units or (n.village_id and n.village_id not in units):
            raise ValidationError({"new_household": _("Không có đơn vị này.")})
        new = services_cases.NewHouseholdData(
            commune=units[n.commune_id],
            household=HouseholdData(code=n.code, village=units.get(n.village_id) if n.village_id else None),
            members=[MemberData(full_name=n.head_name, sex=n.head_sex, relation="head", birth_year=n.head_birth_year,
                                id_number=n.head_id_number)],
        )  # fmt: skip
    application = services_cases.ApplicationData(
        channel=payload.channel, received_on=payload.received_on, applicant_name=payload.applicant_name,
        reason=payload.reason,
    )  # fmt: skip
    case = services_cases.application_record(
        actor=request.user, campaign=campaign, household=household, application=application, new_household=new
    )
    return Status(201, selectors.case_get_visible(user=request.user, pk=case.pk))


@router.post("/cases/{case_id}/form-a", response={200: CaseOut, **WRITE_ERRORS},
             operation_id="reviews_form_a_record")  # fmt: skip
def form_a_record(request, case_id: int, payload: FormAIn):
    """Record phiếu A for an applicant household: any criterion → screened_out, none → surveying."""
    _require(request, selectors.RECORD_CASE_PERM)
    case = selectors.case_get_visible(user=request.user, pk=case_id, perm=selectors.RECORD_CASE_PERM)
    services_cases.form_a_record(actor=request.user, case=case, answers=payload.answers)
    return selectors.case_get_visible(user=request.user, pk=case.pk)


# Steps 3–10 and the results, one module each, under the same /reviews prefix.
def _add_step_routers() -> None:
    from . import api_approval, api_decision, api_inspection, api_posting, api_results, api_survey

    for step in (api_survey, api_posting, api_inspection, api_decision, api_approval, api_results):
        router.add_router("", step.router)


_add_step_routers()
