"""/api/v1/poverty: standards, classification of external records, households' results, bulk runs.

Each endpoint parses, fetches through a selector (404 whether missing or out of area), calls one
service and serialises. Errors are exceptions, mapped to the one error shape in `ansinh.core.api`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.geo.models import AdminUnit
from ansinh.registry import selectors as registry_selectors

from . import selectors, services, services_runs
from .explain import class_label, reason_text
from .models import Assessment, Classification, ClassificationRun, PovertyStandard
from .privacy import can_view_income, reason_masked, score_detail_masked
from .records import RecordError, records_check, records_classify

router = Router(tags=["poverty"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}
STANDARD_VIEW_PERM = "poverty.view_povertystandard"


def _require(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per object)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


def _standard(code: str) -> PovertyStandard:
    standard = selectors.standard_by_code(code)
    if standard is None:
        raise Http404
    return standard


def _standard_field(code: str | None) -> PovertyStandard | None:
    """A standard named in a request body (422 when there is none with that code)."""
    if not code:
        return None
    standard = selectors.standard_by_code(code)
    if standard is None:
        raise ValidationError({"standard": _("Không có chuẩn nghèo mã %(code)s.") % {"code": code}})
    return standard


# -- output -------------------------------------------------------------------------------------


# Texts the data files hold in both languages come as a pair: the Vietnamese one (the legal text) under
# its name and the English one beside it with "_en" (empty when the data has none), whatever the
# caller's language.
_EN = "Tiếng Anh; rỗng khi dữ liệu chưa có bản tiếng Anh"


class LegalBasisOut(Schema):
    number: str
    date: date
    title: str
    title_en: str = Field(description=_EN)


class StandardIndicatorOut(Schema):
    code: str
    name: str
    name_en: str = Field(description=_EN)
    dimension: str
    dimension_name: str
    dimension_name_en: str = Field(description=_EN)
    threshold: str = Field(description="Ngưỡng thiếu hụt")
    threshold_en: str = Field(description=_EN)
    source: str = Field(description="Căn cứ pháp lý")
    source_en: str = Field(description=_EN)
    derived: bool = Field(description="true: suy ra từ sổ hộ; false: trả lời trên phiếu B")


class StandardListOut(Schema):
    code: str
    name: str
    name_en: str = Field(description=_EN)
    valid_from: date
    valid_to: date | None
    jurisdiction: list[str] = Field(description="Đường dẫn đơn vị của chuẩn địa phương; rỗng: toàn quốc")
    provisional: bool
    version: int
    legal_basis: list[LegalBasisOut]
    notes: str
    notes_en: str = Field(description=_EN)
    indicators: list[StandardIndicatorOut]

    @staticmethod
    def resolve_legal_basis(obj: PovertyStandard) -> list[dict]:
        return [{"number": b.number, "date": b.date, "title": b.title, "title_en": b.title_en}
                for b in _spec(obj).legal_basis]  # fmt: skip

    @staticmethod
    def resolve_notes(obj: PovertyStandard) -> str:
        return _spec(obj).notes

    @staticmethod
    def resolve_notes_en(obj: PovertyStandard) -> str:
        return _spec(obj).notes_en

    @staticmethod
    def resolve_indicators(obj: PovertyStandard) -> list[dict]:
        return [_indicator_out(i) for i in _spec(obj).indicators]


def _spec(standard: PovertyStandard):
    """The standard's parsed definition, parsed once per serialised object (several fields read it)."""
    spec = getattr(standard, "_api_spec", None)
    if spec is None:
        spec = standard._api_spec = standard.spec()
    return spec


def _indicator_out(indicator) -> dict[str, Any]:
    return {
        "code": indicator.code, "name": indicator.name, "name_en": indicator.name_en,
        "dimension": indicator.dimension, "dimension_name": indicator.dimension_name,
        "dimension_name_en": indicator.dimension_name_en, "threshold": indicator.threshold,
        "threshold_en": indicator.threshold_en, "source": indicator.source, "source_en": indicator.source_en,
        "derived": indicator.derived,
    }  # fmt: skip


class StandardOut(StandardListOut):
    definition: dict[str, Any] = Field(description="Nội dung chuẩn (JSON như tệp dữ liệu)")


class PovertyReasonOut(Schema):
    code: str
    text: str
    data: dict[str, Any] = Field(description="Các tham số của lý do (thu nhập, chuẩn, chỉ số …)")


_INCOME_NOTE = "null khi người gọi không có quyền poverty.view_income trên địa bàn của hộ (dữ liệu cá nhân)"


def _shows_income(context, obj) -> bool:
    request = (context or {}).get("request")
    return request is not None and can_view_income(request.user, obj)


def _without_code(reason: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in reason.items() if k != "code"}


class _OfStandardVersion(Schema):
    """The resolvers of `standard_version`, `standard_name` and `standard_name_en`: the standard version a
    result or a run was made under, its number and its name in both languages, from `obj.standard_version`.
    Ninja schemas inherit resolvers; each schema declares the fields where its output lists them."""

    @staticmethod
    def resolve_standard_version(obj) -> int:
        return obj.standard_version.version

    @staticmethod
    def resolve_standard_name(obj) -> str:
        return obj.standard_version.spec().name

    @staticmethod
    def resolve_standard_name_en(obj) -> str:
        return obj.standard_version.spec().name_en


class ClassificationOut(_OfStandardVersion):
    id: int
    household_id: int
    standard_code: str
    standard_version: int
    standard_name: str
    standard_name_en: str = Field(description=_EN)
    poverty_class: str = Field(description="poor, near_poor, average hoặc not_poor")
    class_label: str = Field(description="Tên phân loại theo ngôn ngữ của người gọi")
    flags: list[str]
    area: str
    farming: bool
    income_source: str
    income_per_capita: int | None = Field(description=_INCOME_NOTE)
    income_score: int | None = Field(description=_INCOME_NOTE)
    deprivations: list[str]
    indicators: list[dict[str, Any]] = Field(
        description="Mỗi chỉ số: code, name, name_en (tiếng Anh; rỗng khi dữ liệu chưa có), derived, facts, answer, "
        "override, reason, final, source"
    )
    reasons: list[PovertyReasonOut] = Field(
        description="Lý do; không có quyền poverty.view_income: thu nhập, điểm trong text bị che, trong data là null"
    )
    on_date: date
    run_id: int | None
    created_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_poverty_class(obj: Classification) -> str:
        return obj.klass

    @staticmethod
    def resolve_class_label(obj: Classification) -> str:
        return class_label(obj.klass)

    @staticmethod
    def resolve_income_per_capita(obj: Classification, context) -> int | None:
        return obj.income_per_capita if _shows_income(context, obj) else None

    @staticmethod
    def resolve_income_score(obj: Classification, context) -> int | None:
        return obj.income_score if _shows_income(context, obj) else None

    @staticmethod
    def resolve_reasons(obj: Classification, context) -> list[dict]:
        spec = obj.standard_version.spec()
        shown = _shows_income(context, obj)
        return [
            {"code": r.get("code", ""), "text": reason_text(r, spec, show_income=shown),
             "data": _without_code(r if shown else reason_masked(r))}
            for r in obj.result_reasons()
        ]  # fmt: skip

    @staticmethod
    def resolve_indicators(obj: Classification) -> list[dict[str, Any]]:
        # Built from the form B on rows that store [[derived, facts], …]; the names from the result's standard.
        names = {i.code: (i.name, i.name_en) for i in obj.standard_version.spec().indicators}
        rows = obj.result_indicators()
        for row in rows:
            row["name"], row["name_en"] = names.get(row.get("code"), ("", ""))
        return rows

    @staticmethod
    def resolve_created_by(obj: Classification) -> str | None:
        return str(obj.created_by) if obj.created_by_id else None


class AssessmentOut(Schema):
    id: int
    household_id: int
    standard_code: str
    assessed_on: date
    income_source: str
    income_per_capita: int | None = Field(description=_INCOME_NOTE)
    income_score: int | None = Field(description=_INCOME_NOTE)
    score_answers: dict[str, Any] = Field(
        description="Trả lời các mục chấm điểm phiếu B (rỗng: nhập điểm tổng, hoặc không có quyền poverty.view_income)"
    )
    score_detail: dict[str, Any] = Field(
        description="Cách tính điểm: standard, version, region, region_name, area, provisional, base, "
        "items [{code, answer, points}], total (rỗng: nhập điểm tổng; không có quyền poverty.view_income: "
        "không có items và total)"
    )
    farming: bool
    answers: dict[str, bool]
    overrides: dict[str, Any]
    note: str

    @staticmethod
    def resolve_standard_code(obj: Assessment) -> str:
        return obj.standard.code

    @staticmethod
    def resolve_income_per_capita(obj: Assessment, context) -> int | None:
        return obj.income_per_capita if _shows_income(context, obj) else None

    @staticmethod
    def resolve_income_score(obj: Assessment, context) -> int | None:
        return obj.income_score if _shows_income(context, obj) else None

    @staticmethod
    def resolve_score_answers(obj: Assessment, context) -> dict[str, Any]:
        return obj.score_answers if _shows_income(context, obj) else {}

    @staticmethod
    def resolve_score_detail(obj: Assessment, context) -> dict[str, Any]:
        return obj.score_detail if _shows_income(context, obj) else score_detail_masked(obj.score_detail)


class PovertyUnitRefOut(Schema):
    id: int
    name: str


class RunOut(_OfStandardVersion):
    id: int
    unit: PovertyUnitRefOut
    standard_code: str
    standard_name: str
    standard_name_en: str = Field(description=_EN)
    standard_version: int
    on_date: date
    status: str
    counts: dict[str, Any]
    job_id: int | None
    error: str
    created_at: datetime

    @staticmethod
    def resolve_error(obj: ClassificationRun) -> str:
        return obj.error_text()  # in the caller's language when stored as an entry (decision 0024)

    @staticmethod
    def resolve_standard_code(obj: ClassificationRun) -> str:
        return obj.standard_version.standard.code


class RunDetailOut(RunOut):
    preview: dict[str, Any] = Field(
        description='counts, per_commune, transitions ("cũ>mới": số hộ mà lần ghi sẽ đổi phân loại), '
        "kept_transitions (hộ có phân loại đã công nhận theo quyết định, cùng chuẩn, được giữ dù kết quả tính khác; "
        'counts["kept"], counts["recognised"]), changes và incomplete (mẫu tối đa 200 hộ)'
    )


# -- input --------------------------------------------------------------------------------------


class PovertyOverrideIn(Schema):
    value: bool
    reason: str = Field("", description="Bắt buộc: lý do sửa chỉ số suy ra từ sổ hộ")


class AssessmentIn(Schema):
    standard: str | None = Field(None, description="Mã chuẩn; để trống: chuẩn áp dụng cho hộ hôm nay")
    income_source: str = Field(description="proxy_score, declared hoặc computed")
    income_per_capita: int | None = Field(None, description="Đồng/người/tháng (declared, computed)")
    income_score: int | None = Field(None, description="Điểm thu nhập phiếu B (proxy_score), nhập tổng")
    score_answers: dict[str, str | int | float] = Field(
        {},
        description="Hoặc trả lời các mục chấm điểm (proxy_score): {mã mục: mã câu trả lời hoặc số}; điểm tính theo "
        "bảng điểm của vùng và khu vực của hộ. Không dùng cùng income_score.",
    )
    farming: bool = False
    answers: dict[str, bool] = Field({}, description="Trả lời các chỉ số không suy ra từ sổ hộ: {mã: true/false}")
    overrides: dict[str, PovertyOverrideIn] = Field({}, description="Sửa chỉ số suy ra: {mã: {value, reason}}")
    assessed_on: date | None = None
    note: str = ""


class ClassifyIn(Schema):
    standard: str | None = Field(None, description="Mã chuẩn; để trống: chuẩn áp dụng cho hộ hôm nay")


class RunIn(Schema):
    unit_id: int = Field(description="Địa bàn (xã, tỉnh …) nơi bạn được phân loại hộ")
    standard: str
    on_date: date | None = None


# -- standards ----------------------------------------------------------------------------------


@router.get("/standards", response={200: list[StandardListOut], **ERRORS}, operation_id="poverty_standard_list")
@paginate(PagePagination)
def standard_list(request):
    """Every poverty standard, national and local (reference data, the same for every reader)."""
    _require(request, STANDARD_VIEW_PERM)
    return selectors.standards_all()


@router.get("/standards/{code}", response={200: StandardOut, **ERRORS}, operation_id="poverty_standard_get")
def standard_get(request, code: str):
    _require(request, STANDARD_VIEW_PERM)
    return _standard(code)


@router.post(
    "/standards/{code}/classify",
    response={200: list[dict[str, Any]], **WRITE_ERRORS},
    operation_id="poverty_standard_classify",
)
def standard_classify(request, code: str, records: list[Any] = Body(...)):  # noqa: B008
    """Classify external records (nothing is written), exactly as ``manage.py poverty_classify``.

    Body: a JSON list of ``{"id", "area": "rural"|"urban", "income_per_capita", "deprivations": [codes],
    "farming"}``. Answer: ``[{"id", "class", "flags", "reasons": [{"code", "text", …}]}]``. One bad
    record refuses the whole list (422, naming the record).
    """
    _require(request, STANDARD_VIEW_PERM)
    spec = _standard(code).spec()
    try:
        checked = records_check(records, spec)
    except RecordError as exc:
        key = f"records.{exc.index}" if exc.index is not None else "records"
        raise ValidationError({key: [exc.message]}) from exc
    return records_classify(checked, spec)


# -- households ---------------------------------------------------------------------------------


def _household(request, household_id: int, perm: str):
    return registry_selectors.household_get_visible(user=request.user, pk=household_id, perm=perm)


@router.get(
    "/households/{household_id}/classifications",
    response={200: list[ClassificationOut], **ERRORS},
    operation_id="poverty_household_classifications",
)
@paginate(PagePagination)
def household_classifications(request, household_id: int):
    """The household's classification history, newest first (results are never overwritten)."""
    _require(request, selectors.VIEW_PERM)
    household = _household(request, household_id, selectors.VIEW_PERM)
    return selectors.classifications_of(user=request.user, household=household)


@router.post(
    "/households/{household_id}/assessments",
    response={201: AssessmentOut, **WRITE_ERRORS},
    operation_id="poverty_assessment_create",
)
def assessment_create(request, household_id: int, payload: AssessmentIn):
    """Record form B facts (income, answers, overrides with reasons) of the household under a standard."""
    _require(request, selectors.CLASSIFY_PERM)
    household = _household(request, household_id, selectors.CLASSIFY_PERM)
    standard = _standard_field(payload.standard) or _in_force(household)
    data = services.AssessmentData(
        income_source=payload.income_source, income_per_capita=payload.income_per_capita,
        income_score=payload.income_score, farming=payload.farming, answers=dict(payload.answers),
        overrides={code: item.model_dump() for code, item in payload.overrides.items()},
        assessed_on=payload.assessed_on, note=payload.note, score_answers=dict(payload.score_answers),
    )  # fmt: skip
    assessment = services.assessment_record(actor=request.user, household=household, standard=standard, data=data)
    return Status(201, assessment)


def _in_force(household) -> PovertyStandard:
    standard = selectors.standard_in_force(timezone.localdate(), household.village or household.commune)
    if standard is None:
        raise ValidationError({"standard": _("Không có chuẩn nghèo nào áp dụng vào ngày này.")})
    return standard


@router.post(
    "/households/{household_id}/classify",
    response={201: ClassificationOut, **WRITE_ERRORS},
    operation_id="poverty_household_classify",
)
def household_classify(request, household_id: int, payload: ClassifyIn):
    """Classify the household from its registry facts and latest form B; a new result row (409 if incomplete)."""
    _require(request, selectors.CLASSIFY_PERM)
    household = _household(request, household_id, selectors.CLASSIFY_PERM)
    standard = _standard_field(payload.standard)
    row = services.household_classify(actor=request.user, household=household, standard=standard)
    return Status(201, selectors.classification_get_visible(user=request.user, pk=row.pk))


# -- bulk runs ----------------------------------------------------------------------------------


@router.post("/runs", response={201: RunDetailOut, **WRITE_ERRORS}, operation_id="poverty_run_create")
def run_create(request, payload: RunIn):
    """Start a bulk classification of a unit: the preview runs as a background job (see ``job_id``)."""
    _require(request, selectors.CLASSIFY_PERM)
    unit = AdminUnit.objects.visible_to(request.user, perm=selectors.CLASSIFY_PERM).filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Không có địa bàn này trong phạm vi bạn được phân loại hộ.")})
    standard = _standard_field(payload.standard)
    if standard is None:
        raise ValidationError({"standard": _("Hãy chọn chuẩn nghèo.")})
    run = services_runs.run_start(actor=request.user, unit=unit, standard=standard, on_date=payload.on_date)
    return Status(201, selectors.run_get_visible(user=request.user, pk=run.pk))


@router.get("/runs", response={200: list[RunOut], **ERRORS}, operation_id="poverty_run_list")
@paginate(PagePagination)
def run_list(request):
    _require(request, selectors.VIEW_PERM)
    return selectors.runs_visible_to(user=request.user)


@router.get("/runs/{run_id}", response={200: RunDetailOut, **ERRORS}, operation_id="poverty_run_get")
def run_get(request, run_id: int):
    _require(request, selectors.VIEW_PERM)
    return selectors.run_get_visible(user=request.user, pk=run_id)


@router.post("/runs/{run_id}/commit", response={200: RunDetailOut, **WRITE_ERRORS}, operation_id="poverty_run_commit")
def run_commit(request, run_id: int):
    """Write the results of a previewed run (a background job; 409 unless the run is previewed)."""
    _require(request, selectors.CLASSIFY_PERM)
    run = selectors.run_get_visible(user=request.user, pk=run_id)
    services_runs.run_commit(actor=request.user, run=run)
    return selectors.run_get_visible(user=request.user, pk=run_id)


@router.post("/runs/{run_id}/cancel", response={200: RunDetailOut, **WRITE_ERRORS}, operation_id="poverty_run_cancel")
def run_cancel(request, run_id: int):
    """Drop a previewed run; nothing is written."""
    _require(request, selectors.CLASSIFY_PERM)
    run = selectors.run_get_visible(user=request.user, pk=run_id)
    services_runs.run_cancel(actor=request.user, run=run)
    return selectors.run_get_visible(user=request.user, pk=run_id)
