"""API of the review step 'decision' (mounted under /api/v1/reviews/ by reviews/api.py): the commune chair's
recognition decision (Mẫu số 02 of QĐ 24/2021/QĐ-TTg), its draft and the certificates (Mẫu số 03)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from . import documents_decision, selectors, selectors_decision, services_decision
from .api_common import ERRORS, WRITE_ERRORS, require_role_perm
from .models import Certificate, CommuneDecision
from .views_common import DOCX_CONTENT_TYPE, docx_response

router = Router(tags=["reviews"])

RECORD_PERM = selectors_decision.RECORD_DECISION_PERM
VIEW_PERM = selectors_decision.VIEW_DECISION_PERM
VIEW_CERTIFICATE_PERM = selectors_decision.VIEW_CERTIFICATE_PERM


class DecisionHouseholdOut(Schema):
    case_id: int
    household_id: int
    household_code: str
    head_name: str
    village: str
    previous_class: str
    final_class: str


class DecisionListOut(Schema):
    key: str = Field(description="poor, near_poor, escaped_poverty, escaped_near_poverty, average")
    title: str
    count: int
    households: list[DecisionHouseholdOut]


class DecisionOut(Schema):
    id: int
    campaign_id: int
    commune_id: int
    commune_name: str
    number: str
    signed_on: date
    signer_name: str
    signer_position: str
    counts: dict[str, int] = Field(description="poor, near_poor, escaped_poverty, escaped_near_poverty, average, "
                                               "newly_poor, newly_near_poor")  # fmt: skip

    @staticmethod
    def resolve_commune_name(obj: CommuneDecision) -> str:
        return obj.commune.name


class DecisionDetailOut(DecisionOut):
    lists: list[DecisionListOut]

    @staticmethod
    def resolve_lists(obj: CommuneDecision) -> list[dict]:
        return [
            {"key": item.key, "title": item.title, "count": item.count, "households": [
                {"case_id": c.pk, "household_id": c.household_id, "household_code": c.household.code,
                 "head_name": c.household.head_name, "village": c.household.village.name if c.household.village_id
                 else "", "previous_class": c.previous_class, "final_class": c.final_class}
                for c in item.cases]}
            for item in selectors_decision.decision_lists(obj)
        ]  # fmt: skip


class DecisionIn(Schema):
    commune_id: int
    number: str
    signed_on: date
    signer_name: str
    signer_position: str = "Chủ tịch"


class CertificateOut(Schema):
    id: int
    case_id: int
    household_code: str
    head_name: str
    number: str
    seq: int
    year: int
    klass: str
    issued_on: date

    @staticmethod
    def resolve_household_code(obj: Certificate) -> str:
        return obj.case.household.code

    @staticmethod
    def resolve_head_name(obj: Certificate) -> str:
        return obj.case.household.head_name


class CertificatesIn(Schema):
    issued_on: date | None = Field(None, description="Ngày cấp; để trống: hôm nay")


@router.get("/campaigns/{campaign_id}/decisions", response={200: list[DecisionOut], **ERRORS},
            operation_id="reviews_decision_list")  # fmt: skip
def decision_list(request, campaign_id: int):
    """The campaign's commune decisions in your area, with the number of households on each list."""
    require_role_perm(request, VIEW_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    return list(selectors_decision.decision_list_visible(request.user, campaign))


@router.post("/campaigns/{campaign_id}/decisions", response={201: DecisionDetailOut, **WRITE_ERRORS},
             operation_id="reviews_decision_create")  # fmt: skip
def decision_create(request, campaign_id: int, payload: DecisionIn):
    """Record (or, after the results were returned for revision, amend) the commune chair's recognition
    decision: every posted household of the commune is decided with its provisional class."""
    require_role_perm(request, RECORD_PERM)
    campaign = selectors.campaign_get_visible(user=request.user, pk=campaign_id)
    commune = selectors_decision.decision_communes(user=request.user, campaign=campaign).filter(
        pk=payload.commune_id).first()  # fmt: skip
    if commune is None:
        raise ValidationError({"commune_id": _("Không có xã này trong đợt rà soát, thuộc địa bàn của bạn.")})
    data = services_decision.DecisionData(
        number=payload.number,
        signed_on=payload.signed_on,
        signer_name=payload.signer_name,
        signer_position=payload.signer_position,
    )
    decision = services_decision.decision_record(actor=request.user, campaign=campaign, commune=commune, data=data)
    return Status(201, selectors_decision.decision_get_visible(user=request.user, pk=decision.pk))


@router.get("/decisions/{decision_id}", response={200: DecisionDetailOut, **ERRORS},
            operation_id="reviews_decision_get")  # fmt: skip
def decision_get(request, decision_id: int):
    """One decision with its five lists (by village, household code)."""
    require_role_perm(request, VIEW_PERM)
    return selectors_decision.decision_get_visible(user=request.user, pk=decision_id)


@router.get(
    "/decisions/{decision_id}/draft",
    response=ERRORS,
    operation_id="reviews_decision_draft",
    openapi_extra={
        "responses": {
            200: {
                "description": "Dự thảo quyết định (.docx)",
                "content": {DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def decision_draft(request, decision_id: int):
    """The draft decision (Mẫu số 02) with one annex per list, as a Word document."""
    from .views_decision import draft_filename

    require_role_perm(request, VIEW_PERM)
    decision = selectors_decision.decision_get_visible(user=request.user, pk=decision_id)
    content = documents_decision.decision_docx(decision, selectors_decision.decision_lists(decision))
    return docx_response(content, draft_filename(decision))


@router.get("/decisions/{decision_id}/certificates", response={200: list[CertificateOut], **ERRORS},
            operation_id="reviews_certificate_list")  # fmt: skip
def certificate_list(request, decision_id: int):
    """The certificates issued to the households of the decision, by number."""
    require_role_perm(request, VIEW_CERTIFICATE_PERM)
    decision = selectors_decision.decision_get_visible(user=request.user, pk=decision_id, perm=VIEW_CERTIFICATE_PERM)
    return list(selectors_decision.certificates_of(decision, user=request.user))


@router.post("/decisions/{decision_id}/certificates", response={201: list[CertificateOut], **WRITE_ERRORS},
             operation_id="reviews_certificates_issue")  # fmt: skip
def certificates_issue(request, decision_id: int, payload: CertificatesIn):
    """Issue the missing certificates (numbered per commune and year); answers the newly issued ones."""
    require_role_perm(request, RECORD_PERM)
    decision = selectors_decision.decision_get_visible(user=request.user, pk=decision_id, perm=RECORD_PERM)
    issued = services_decision.certificates_issue(actor=request.user, decision=decision, issued_on=payload.issued_on)
    return Status(201, list(Certificate.objects.filter(pk__in=[c.pk for c in issued])
                            .select_related("case", "case__household").order_by("seq")))  # fmt: skip
