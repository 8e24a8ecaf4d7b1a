"""API of steps 5 and 6 of the review (mounted under /api/v1/reviews/ by reviews/api.py): public postings
(niêm yết công khai) with their posted list, and the complaints raised during them (khiếu nại).

Each endpoint checks the role, fetches through a selector (404 whether missing or out of area), calls
one service and serialises; refusals are mapped by `ansinh.core.api` (422 validation, 409 rule).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import PagePagination
from ansinh.geo.models import AdminUnit

from . import selectors, selectors_posting, services_posting
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm
from .models import Complaint, Posting

router = Router(tags=["reviews"])

RECORD_PERM = services_posting.RECORD_PERM
HANDLE_PERM = services_posting.HANDLE_COMPLAINT_PERM


# -- schemas ------------------------------------------------------------------------------------


class PostingIn(Schema):
    unit_id: int = Field(description="Xã hoặc thôn của đợt rà soát")
    places: list[str] = Field(description="Nơi niêm yết, ví dụ: Nhà văn hóa thôn, Trụ sở UBND xã")
    start_on: date
    working_days: int | None = Field(None, description="Số ngày làm việc; để trống: theo loại rà soát (mặc định 3)")
    note: str = ""


class PostingOut(Schema):
    id: int
    campaign_id: int
    unit: UnitRefOut
    places: list[str]
    start_on: date
    working_days: int
    end_on: date = Field(description="Ngày cuối cùng niêm yết (không tính thứ Bảy, Chủ nhật, ngày lễ, Tết)")
    note: str
    case_count: int

    @staticmethod
    def resolve_case_count(obj: Posting) -> int:
        value = getattr(obj, "case_count", None)
        return value if value is not None else obj.cases.count()


class PostedCaseOut(Schema):
    case_id: int
    household_code: str
    head_name: str
    village: str
    proposed_class: str
    proposed_label: str
    reasons: list[str] = Field(description="Lý do của kết quả đề xuất, thành câu")
    complaints: int

    @staticmethod
    def resolve_case_id(obj) -> int:
        return obj.case.pk


class PostingDetailOut(PostingOut):
    cases: list[PostedCaseOut]

    @staticmethod
    def resolve_cases(obj: Posting):
        return selectors_posting.posted_rows(obj)


class ComplaintIn(Schema):
    complainant_name: str
    complainant_contact: str = ""
    content: str
    channel: str = Field(description="in_person, letter, phone, online, meeting")
    received_on: date
    late: bool | None = Field(
        None, description="Để trống: xác định theo ngày nhận; false cho khiếu nại nhận sau khi hết niêm yết bị từ chối"
    )


class ComplaintVerifyIn(Schema):
    upheld: bool = Field(description="true: khiếu nại đúng, hộ rà soát lại phiếu B; false: không đúng")
    reason: str
    verified_on: date | None = None


class ComplaintOut(Schema):
    id: int
    campaign_id: int
    case_id: int
    posting_id: int | None
    household_code: str
    complainant_name: str
    complainant_contact: str
    content: str
    channel: str
    received_on: date
    late: bool = Field(description="Nhận sau khi hết thời gian niêm yết")
    status: str = Field(description="open, upheld, rejected")
    outcome_reason: str
    verified_on: date | None
    case_state: str

    @staticmethod
    def resolve_household_code(obj: Complaint) -> str:
        return obj.case.household.code

    @staticmethod
    def resolve_case_state(obj: Complaint) -> str:
        return obj.case.state


# -- postings -----------------------------------------------------------------------------------


@router.post("/campaigns/{campaign_id}/postings", response={201: PostingDetailOut, **WRITE_ERRORS},
             operation_id="reviews_posting_create")  # fmt: skip
def posting_create(request, campaign_id: int, payload: PostingIn):
    """Post the results of a commune or village: every household agreed at the meeting becomes posted; the end
    date is computed in working days. Refused (409) before the meeting."""
    require_role_perm(request, RECORD_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    unit = AdminUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Không có đơn vị này.")})
    posting = services_posting.posting_open(
        actor=request.user, campaign=campaign, unit=unit, places=payload.places, start_on=payload.start_on,
        working_days=payload.working_days, note=payload.note,
    )  # fmt: skip
    return Status(201, selectors_posting.posting_get_visible(user=request.user, pk=posting.pk))


@router.get("/campaigns/{campaign_id}/postings", response={200: list[PostingOut], **ERRORS},
            operation_id="reviews_posting_list")  # fmt: skip
@paginate(PagePagination)
def posting_list(request, campaign_id: int):
    """The campaign's postings in your area, newest first."""
    require_role_perm(request, selectors_posting.VIEW_POSTING_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    return selectors_posting.posting_list(request.user, campaign)


@router.get("/postings/{posting_id}", response={200: PostingDetailOut, **ERRORS}, operation_id="reviews_posting_get")
def posting_get(request, posting_id: int):
    """One posting with its posted list: households, proposed class, reasons and number of complaints."""
    require_role_perm(request, selectors_posting.VIEW_POSTING_PERM)
    return selectors_posting.posting_get_visible(user=request.user, pk=posting_id)


# -- complaints ---------------------------------------------------------------------------------


@router.post("/cases/{case_id}/complaints", response={201: ComplaintOut, **WRITE_ERRORS},
             operation_id="reviews_complaint_create")  # fmt: skip
def complaint_create(request, case_id: int, payload: ComplaintIn):
    """Record a complaint about a posted household; one received after the posting is recorded as late
    (422 if ``late`` is false for it)."""
    require_role_perm(request, HANDLE_PERM)
    case = selectors.case_get_visible(user=request.user, pk=case_id, perm=HANDLE_PERM)
    data = services_posting.ComplaintData(
        complainant_name=payload.complainant_name, complainant_contact=payload.complainant_contact,
        content=payload.content, channel=payload.channel, received_on=payload.received_on,
        late_claimed=payload.late,
    )  # fmt: skip
    complaint = services_posting.complaint_record(actor=request.user, case=case, data=data)
    return Status(201, selectors_posting.complaint_get_visible(user=request.user, pk=complaint.pk))


@router.get("/campaigns/{campaign_id}/complaints", response={200: list[ComplaintOut], **ERRORS},
            operation_id="reviews_complaint_list")  # fmt: skip
@paginate(PagePagination)
def complaint_list(request, campaign_id: int, status: str | None = None):
    """The campaign's complaints in your area; ``status``: open, upheld, rejected."""
    require_role_perm(request, selectors_posting.VIEW_COMPLAINT_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    return selectors_posting.complaint_list(request.user, campaign, status=status)


@router.post("/complaints/{complaint_id}/verify", response={200: ComplaintOut, **WRITE_ERRORS},
             operation_id="reviews_complaint_verify")  # fmt: skip
def complaint_verify(request, complaint_id: int, payload: ComplaintVerifyIn):
    """The commune steering committee's conclusion: upheld sends a posted household back to phiếu B."""
    require_role_perm(request, HANDLE_PERM)
    complaint = selectors_posting.complaint_get_visible(user=request.user, pk=complaint_id, perm=HANDLE_PERM)
    services_posting.complaint_verify(actor=request.user, complaint=complaint, upheld=payload.upheld,
                                      reason=payload.reason, verified_on=payload.verified_on)  # fmt: skip
    return selectors_posting.complaint_get_visible(user=request.user, pk=complaint.pk)
