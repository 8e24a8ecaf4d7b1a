"""API of steps 3 and 4 of the review (mounted under /api/v1/reviews/ by reviews/api.py): phiếu B and the
provisional class of a household, sending it back to phiếu B, village meetings and their minutes (.docx).

Each endpoint checks the role, fetches through a selector (404 whether missing or out of area), calls
one service and serialises; refusals are mapped by `ansinh.core.api` (422, 409, 403).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import PagePagination
from ansinh.geo.models import AdminUnit
from ansinh.poverty.services import AssessmentData

from . import selectors, selectors_survey, services_survey
from .api_common import ERRORS, WRITE_ERRORS, UnitRefOut, require_role_perm
from .documents_survey import meeting_minutes_docx, minutes_filename
from .models import MeetingResult, ReviewCase, VillageMeeting
from .views_common import DOCX_CONTENT_TYPE, docx_response

router = Router(tags=["reviews"])

RECORD_PERM = selectors.RECORD_CASE_PERM
VIEW_MEETING_PERM = selectors_survey.VIEW_MEETING_PERM


# -- phiếu B ------------------------------------------------------------------------------------


class SurveyCaseOut(Schema):
    id: int
    campaign_id: int
    household_id: int
    household_code: str
    head_name: str
    state: str
    assessment_id: int | None
    provisional_class: str = Field(description="poor, near_poor, average, not_poor; trống khi chưa có phiếu B")
    provisional_flags: list[str]
    provisional_reasons: list[dict]
    deprivations: list[str] = Field(description="Mã các chỉ số thiếu hụt, theo thứ tự của chuẩn")
    surveyed_on: date | None
    meeting_id: int | None

    @staticmethod
    def resolve_household_code(obj: ReviewCase) -> str:
        return obj.household.code

    @staticmethod
    def resolve_head_name(obj: ReviewCase) -> str:
        return obj.household.head_name


class SurveyOverrideIn(Schema):
    value: bool
    reason: str = Field(description="Bắt buộc: vì sao sửa giá trị suy ra từ sổ hộ")


class FormBIn(Schema):
    income_source: str = Field(description="Nguồn thu nhập (mã IncomeSource của ứng dụng poverty), ví dụ declared")
    income_per_capita: int | None = Field(None, description="Thu nhập bình quân đầu người (đồng)")
    income_score: int | None = Field(None, description="Điểm thu nhập phiếu B (khi nguồn là proxy_score)")
    farming: bool = False
    answers: dict[str, bool] = Field(default_factory=dict, description="Mã chỉ số → thiếu hụt hay không")
    overrides: dict[str, SurveyOverrideIn] = Field(default_factory=dict, description="Sửa chỉ số suy ra từ sổ hộ")
    assessed_on: date | None = None
    note: str = ""


class ResurveyIn(Schema):
    reason: str


def _case_out(request, case_id: int) -> ReviewCase:
    return selectors.case_get_visible(user=request.user, pk=case_id)


@router.post("/cases/{case_id}/form-b", response={200: SurveyCaseOut, **WRITE_ERRORS},
             operation_id="reviews_form_b_record")  # fmt: skip
def form_b_record(request, case_id: int, payload: FormBIn):
    """Record phiếu B of a household being surveyed: the provisional class (surveying → surveyed).
    409 ``classification_incomplete`` when the income or an indicator is missing (nothing written)."""
    require_role_perm(request, RECORD_PERM)
    case = selectors.case_get_visible(user=request.user, pk=case_id, perm=RECORD_PERM)
    data = AssessmentData(
        income_source=payload.income_source, income_per_capita=payload.income_per_capita,
        income_score=payload.income_score, farming=payload.farming, answers=payload.answers,
        overrides={code: item.dict() for code, item in payload.overrides.items()}, assessed_on=payload.assessed_on,
        note=payload.note,
    )  # fmt: skip
    services_survey.form_b_record(actor=request.user, case=case, data=data, today=timezone.localdate())
    return _case_out(request, case.pk)


@router.post("/cases/{case_id}/resurvey", response={200: SurveyCaseOut, **WRITE_ERRORS},
             operation_id="reviews_case_resurvey")  # fmt: skip
def case_resurvey(request, case_id: int, payload: ResurveyIn):
    """Send a surveyed (or met, not yet posted) household back to phiếu B, with a reason."""
    require_role_perm(request, RECORD_PERM)
    case = selectors.case_get_visible(user=request.user, pk=case_id, perm=RECORD_PERM)
    services_survey.case_resurvey(actor=request.user, case=case, reason=payload.reason)
    return _case_out(request, case.pk)


# -- village meetings ---------------------------------------------------------------------------


class SignatoryIn(Schema):
    name: str
    role: str = ""


class MeetingResultIn(Schema):
    case_id: int
    agreeing: int = Field(description="Số người dự họp đồng ý với kết quả sơ bộ của hộ")
    passed: bool | None = Field(None, description="Tùy chọn: nếu gửi, phải đúng với quy tắc từ 50% trở lên")


class MeetingIn(Schema):
    village_id: int
    held_on: date
    place: str = ""
    chair: str
    secretary: str
    attendees: list[str] = Field(default_factory=list)
    attendee_count: int
    signatories: list[SignatoryIn] = Field(default_factory=list)
    note: str = ""
    results: list[MeetingResultIn]


class MeetingResultOut(Schema):
    case_id: int
    household_code: str
    head_name: str
    proposed_class: str
    agreeing: int
    passed: bool

    @staticmethod
    def resolve_household_code(obj: MeetingResult) -> str:
        return obj.case.household.code

    @staticmethod
    def resolve_head_name(obj: MeetingResult) -> str:
        return obj.case.household.head_name


class MeetingOut(Schema):
    id: int
    campaign_id: int
    village: UnitRefOut
    held_on: date
    place: str
    chair: str
    secretary: str
    attendees: list[str]
    attendee_count: int
    signatories: list[dict]
    note: str
    results: list[MeetingResultOut]

    @staticmethod
    def resolve_results(obj: VillageMeeting) -> list[MeetingResult]:
        return selectors_survey.meeting_results(obj)


@router.post("/campaigns/{campaign_id}/meetings", response={201: MeetingOut, **WRITE_ERRORS},
             operation_id="reviews_meeting_create")  # fmt: skip
def meeting_create(request, campaign_id: int, payload: MeetingIn):
    """Record a village meeting and the agreeing count per surveyed household: at least 50% of the
    attendees → met; under 50% → back to phiếu B. A ``passed`` that contradicts the rule is refused (422)."""
    require_role_perm(request, RECORD_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    village = AdminUnit.objects.filter(pk=payload.village_id).first()
    if village is None:
        raise ValidationError({"village_id": _("Không có thôn, tổ dân phố này.")})
    ids = [r.case_id for r in payload.results]
    cases = {c.pk: c for c in selectors.cases_visible_to(user=request.user, perm=RECORD_PERM).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in cases]
    if missing:
        raise ValidationError({"results": _("Không có hộ %(ids)s trong địa bàn của bạn.")
                               % {"ids": ", ".join(missing)}})  # fmt: skip
    data = services_survey.MeetingData(
        held_on=payload.held_on, place=payload.place, chair=payload.chair, secretary=payload.secretary,
        attendees=payload.attendees, attendee_count=payload.attendee_count,
        signatories=[s.dict() for s in payload.signatories], note=payload.note,
        passes={r.case_id: r.passed for r in payload.results if r.passed is not None},
    )  # fmt: skip
    meeting = services_survey.meeting_record(
        actor=request.user, campaign=campaign, village=village, data=data,
        results=[(cases[r.case_id], r.agreeing) for r in payload.results], today=timezone.localdate(),
    )  # fmt: skip
    return Status(201, selectors_survey.meeting_get_visible(user=request.user, pk=meeting.pk))


@router.get("/campaigns/{campaign_id}/meetings", response={200: list[MeetingOut], **ERRORS},
            operation_id="reviews_meeting_list")  # fmt: skip
@paginate(PagePagination)
def meeting_list(request, campaign_id: int, village: int | None = None):
    """The campaign's village meetings in your area (filter by village id), with their results."""
    require_role_perm(request, VIEW_MEETING_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    return selectors_survey.meeting_list(user=request.user, campaign=campaign, village=village)


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, operation_id="reviews_meeting_get")
def meeting_get(request, meeting_id: int):
    require_role_perm(request, VIEW_MEETING_PERM)
    return selectors_survey.meeting_get_visible(user=request.user, pk=meeting_id)


@router.get(
    "/meetings/{meeting_id}/minutes", response=ERRORS, operation_id="reviews_meeting_minutes",
    openapi_extra={"responses": {"200": {"description": "Biên bản họp dân (.docx, 2 bản)",
                                         "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}}},
)  # fmt: skip
def meeting_minutes(request, meeting_id: int):
    """The minutes of the meeting as a Word document (biên bản họp dân, lập thành 02 bản)."""
    require_role_perm(request, VIEW_MEETING_PERM)
    meeting = selectors_survey.meeting_get_visible(user=request.user, pk=meeting_id)
    return docx_response(
        meeting_minutes_docx(meeting, selectors_survey.meeting_results(meeting)), minutes_filename(meeting)
    )
