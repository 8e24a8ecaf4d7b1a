"""/api/v1/reviews: re-inspection (phúc tra, step 7): suspicious communes, re-inspections with their
samples, findings, the commune's resolution of discrepancies and closing.

Each endpoint checks the role, fetches through a selector (404 whether missing or out of area), calls
one service and serialises; the same checks as the pages.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from ansinh.geo.models import AdminUnit

from . import selectors, selectors_inspection, services_inspection
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm
from .models import Reinspection, ReinspectionSample, ReviewCase

router = Router(tags=["reviews"])


# -- output -------------------------------------------------------------------------------------


class ReasonOut(Schema):
    code: str = Field(description="rate_gap (tỷ lệ nghèo chênh), complaints (có khiếu nại), other")
    text: str


class UnitRateOut(Schema):
    unit: UnitRefOut
    households: int = Field(description="Số hộ đang quản lý của xã (sổ hộ)")
    cases: int = Field(description="Số hộ trong đợt rà soát")
    poor_before: int
    poor_now: int
    rate_before: float | None = Field(description="Tỷ lệ hộ nghèo trước rà soát (%)")
    rate_now: float | None = Field(description="Tỷ lệ hộ nghèo hiện nay (%)")
    change: float | None = Field(description="Thay đổi (điểm phần trăm)")
    complaints: int
    reinspections: int
    open_discrepancies: int
    flagged: bool
    reasons: list[ReasonOut]


class SuspiciousUnitsOut(Schema):
    campaign_id: int
    households: int
    poor_before: int
    poor_now: int
    change: float | None = Field(description="Thay đổi chung của đợt (điểm phần trăm)")
    gap_points: float = Field(description="Ngưỡng chênh lệch (điểm %), tỉnh quy định: data/reinspection.json")
    units: list[UnitRateOut]


class SampleOut(Schema):
    id: int
    case_id: int
    household_code: str
    head_name: str
    commune_class: str
    found_class: str
    findings: str
    inspector_name: str
    inspected_on: date | None
    discrepancy: bool
    resolution: str
    resolved_on: date | None

    @staticmethod
    def resolve_household_code(obj: ReinspectionSample) -> str:
        return obj.case.household.code

    @staticmethod
    def resolve_head_name(obj: ReinspectionSample) -> str:
        return obj.case.household.head_name


class ReinspectionListOut(Schema):
    id: int
    campaign_id: int
    unit: UnitRefOut
    ordered_by_unit: UnitRefOut
    ordered_on: date
    reasons: list[ReasonOut]
    status: str = Field(description="open, closed")
    closed_on: date | None


class ReinspectionOut(ReinspectionListOut):
    samples: list[SampleOut]

    @staticmethod
    def resolve_samples(obj: Reinspection):
        return list(selectors_inspection.samples_of(obj))


# -- input --------------------------------------------------------------------------------------


class ReinspectionIn(Schema):
    commune_id: int
    reasons: list[str] = Field(description="Lý do chọn xã (ít nhất một)")
    case_ids: list[int] | None = Field(None, description="Các hộ (review case) cần phúc tra; hoặc sample_size")
    sample_size: int | None = Field(None, description="Số hộ chọn ngẫu nhiên trong các hộ đã có kết quả sơ bộ")
    seed: int | None = Field(None, description="Hạt giống chọn ngẫu nhiên (để chọn lại đúng mẫu); để trống: tự sinh")


class FindingIn(Schema):
    found_class: str = Field(description="poor, near_poor, average, not_poor")
    findings: str = ""
    inspector_name: str = Field("", description="Để trống: tên của bạn")
    inspected_on: date


class ResolveIn(Schema):
    resolution: str
    resurvey: bool = Field(False, description="true: đưa hộ về rà soát lại phiếu B")


# -- endpoints ----------------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}/suspicious-units", response={200: SuspiciousUnitsOut, **ERRORS},
            operation_id="reviews_suspicious_units")  # fmt: skip
def suspicious_units(request, campaign_id: int):
    """The campaign's communes in your area: poverty rate before and now, change, and why they are flagged
    (change far from the campaign's, complaints)."""
    require_role_perm(request, selectors_inspection.VIEW_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    result = selectors_inspection.suspicious_units(user=request.user, campaign=campaign)
    return {
        "campaign_id": campaign.pk, "households": result.households, "poor_before": result.poor_before,
        "poor_now": result.poor_now, "change": result.change, "gap_points": result.gap_points,
        "units": [
            {"unit": r.unit, "households": r.households, "cases": r.cases, "poor_before": r.poor_before,
             "poor_now": r.poor_now, "rate_before": r.rate_before, "rate_now": r.rate_now, "change": r.change,
             "complaints": r.complaints, "reinspections": r.reinspections, "open_discrepancies": r.open_discrepancies,
             "flagged": r.flagged, "reasons": r.reasons}
            for r in result.rows
        ],
    }  # fmt: skip


@router.post("/campaigns/{campaign_id}/reinspections", response={201: ReinspectionOut, **WRITE_ERRORS},
             operation_id="reviews_reinspection_create")  # fmt: skip
def reinspection_create(request, campaign_id: int, payload: ReinspectionIn):
    """Order a re-inspection of one commune: the households named (case_ids) or a random sample."""
    require_role_perm(request, selectors_inspection.REINSPECT_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    commune = AdminUnit.objects.filter(pk=payload.commune_id).first()
    if commune is None:
        raise ValidationError({"commune_id": _("Không có đơn vị này.")})
    cases = None
    if payload.case_ids is not None:
        found = {c.pk: c for c in ReviewCase.objects.filter(campaign=campaign, pk__in=payload.case_ids)}
        missing = [pk for pk in payload.case_ids if pk not in found]
        if missing:
            raise ValidationError(
                {"case_ids": _("Không có hộ trong đợt: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
            )
        cases = [found[pk] for pk in payload.case_ids]
    reinspection = services_inspection.reinspection_order(
        actor=request.user, campaign=campaign, commune=commune, reasons=payload.reasons, cases=cases,
        sample_size=payload.sample_size, seed=payload.seed,
    )  # fmt: skip
    return Status(201, selectors_inspection.reinspection_get_visible(user=request.user, pk=reinspection.pk))


@router.get("/campaigns/{campaign_id}/reinspections", response={200: list[ReinspectionListOut], **ERRORS},
            operation_id="reviews_reinspection_list")  # fmt: skip
def reinspection_list(request, campaign_id: int):
    """The campaign's re-inspections in your area, newest first."""
    require_role_perm(request, selectors_inspection.VIEW_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    return list(selectors_inspection.reinspection_list(user=request.user, campaign=campaign))


@router.get("/reinspections/{reinspection_id}", response={200: ReinspectionOut, **ERRORS},
            operation_id="reviews_reinspection_get")  # fmt: skip
def reinspection_get(request, reinspection_id: int):
    require_role_perm(request, selectors_inspection.VIEW_PERM)
    return selectors_inspection.reinspection_get_visible(user=request.user, pk=reinspection_id)


@router.post("/reinspection-samples/{sample_id}/finding", response={200: SampleOut, **WRITE_ERRORS},
             operation_id="reviews_finding_record")  # fmt: skip
def finding_record(request, sample_id: int, payload: FindingIn):
    """Record (or correct, until the commune resolved it) the inspector's finding for one household."""
    require_role_perm(request, selectors_inspection.REINSPECT_PERM)
    sample = selectors_inspection.sample_get_visible(user=request.user, pk=sample_id)
    return services_inspection.finding_record(
        actor=request.user, sample=sample, found_class=payload.found_class, findings=payload.findings,
        inspector_name=payload.inspector_name, inspected_on=payload.inspected_on,
    )  # fmt: skip


@router.post("/reinspection-samples/{sample_id}/resolve", response={200: SampleOut, **WRITE_ERRORS},
             operation_id="reviews_discrepancy_resolve")  # fmt: skip
def discrepancy_resolve(request, sample_id: int, payload: ResolveIn):
    """The commune explains or handles a discrepancy (resurvey: the household goes back to phiếu B)."""
    require_role_perm(request, selectors_inspection.RESOLVE_PERM)
    sample = selectors_inspection.sample_get_visible(user=request.user, pk=sample_id)
    return services_inspection.discrepancy_resolve(actor=request.user, sample=sample, resolution=payload.resolution,
                                                   resurvey=payload.resurvey)  # fmt: skip


@router.post("/reinspections/{reinspection_id}/close", response={200: ReinspectionOut, **WRITE_ERRORS},
             operation_id="reviews_reinspection_close")  # fmt: skip
def reinspection_close(request, reinspection_id: int):
    """Close the re-inspection (409 while a sampled household has no finding)."""
    require_role_perm(request, selectors_inspection.REINSPECT_PERM)
    reinspection = selectors_inspection.reinspection_get_visible(user=request.user, pk=reinspection_id)
    services_inspection.reinspection_close(actor=request.user, reinspection=reinspection)
    return selectors_inspection.reinspection_get_visible(user=request.user, pk=reinspection.pk)
