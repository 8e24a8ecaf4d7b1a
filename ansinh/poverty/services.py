"""Writes of the poverty app: standards from data files and by administrators, form B facts, and
classifications of one household. Each function is one transaction with its audit event.

Bulk classification of a unit (preview, then commit) lives in `services_runs.py`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.core.partitions import reported_province_key
from ansinh.geo.selectors import unit_labels_by_path
from ansinh.registry.models import Household
from ansinh.registry.services import households_poverty_summary_set

from . import derivation, scoring
from .choices import AnswerSource, IncomeSource
from .classify import ClassificationInputError, Facts, Result, classify
from .events import PovertyEventType
from .indicators import compact, indicator_record
from .models import Assessment, Classification, PovertyStandard, StandardVersion
from .selectors import (
    CLASSIFY_PERM,
    EDIT_STANDARD_PERM,
    household_snapshot,
    latest_assessment,
    standard_in_force,
    standard_reaches,
)
from .standard import StandardDefinitionError, StandardSpec

DATA_DIR = Path(__file__).resolve().parent / "data" / "standards"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# -- standards ----------------------------------------------------------------------------------


def _columns(spec: StandardSpec) -> dict[str, Any]:
    return {
        "name": spec.name, "name_en": spec.name_en, "valid_from": spec.valid_from, "valid_to": spec.valid_to,
        "jurisdiction": list(spec.jurisdiction), "provisional": spec.provisional,
    }  # fmt: skip


def standards_load(*, directory: Path | None = None) -> dict[str, list[str]]:
    """Load every `<code>.json` of `directory` (default: the shipped standards) into the database.

    A standard not yet in the database is created (version 1). A file whose ``version`` is newer
    than the one last loaded adds a new version, unless an administrator edited the standard since:
    then the administrator's text is kept and the code is reported under ``kept``. Unchanged files
    change nothing. A malformed file is refused with its problems and nothing at all is written.
    """
    directory = directory or DATA_DIR
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": [], "kept": []}
    parsed = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            spec = StandardSpec.from_dict(data)
        except (ValueError, StandardDefinitionError) as exc:
            raise ApplicationError(
                _("Tệp chuẩn nghèo %(file)s không hợp lệ: %(error)s") % {"file": path.name, "error": exc},
                code="standard_invalid",
            ) from exc
        if spec.code != path.stem:
            raise ApplicationError(
                _("Tệp %(file)s phải mang mã chuẩn %(code)s.") % {"file": path.name, "code": path.stem},
                code="standard_invalid",
            )
        parsed.append((data, spec))
    with transaction.atomic():
        for data, spec in parsed:
            standard = PovertyStandard.objects.select_for_update().filter(code=spec.code).first()
            if standard is None:
                standard = PovertyStandard.objects.create(
                    code=spec.code, version=1, definition=data, file_version=spec.version, **_columns(spec)
                )
                StandardVersion.objects.create(standard=standard, version=1, definition=data, source="file")
                report["created"].append(spec.code)
            elif spec.version <= standard.file_version:
                report["unchanged"].append(spec.code)
                continue
            elif standard.edited_by_admin:
                report["kept"].append(spec.code)
                continue
            else:
                standard.version += 1
                standard.definition, standard.file_version = data, spec.version
                for name, value in _columns(spec).items():
                    setattr(standard, name, value)
                standard.save()
                StandardVersion.objects.create(
                    standard=standard, version=standard.version, definition=data, source="file"
                )
                report["updated"].append(spec.code)
            audit_record(
                actor=None, event_type=PovertyEventType.STANDARD_LOADED, target=standard, unit_path="",
                changes={"new": {"code": spec.code, "version": standard.version, "file_version": spec.version,
                                 "checksum": hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()}},
            )  # fmt: skip
    return report


def standard_edit(*, actor, standard: PovertyStandard, definition: dict[str, Any], reason: str) -> PovertyStandard:
    """An administrator changes a standard (lines, indicators, rules): a new version, audited.

    Refused without the national permission to edit standards, without a reason, when the
    definition is malformed (every problem listed) or when it renames the standard.
    """
    if not actor.has_perm(EDIT_STANDARD_PERM):
        raise PermissionDenied(_("Chỉ quản trị viên hệ thống được sửa chuẩn nghèo."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do sửa (ví dụ: số văn bản mới).")})
    try:
        spec = StandardSpec.from_dict(definition)
    except StandardDefinitionError as exc:
        raise ValidationError({"definition": exc.problems}) from exc
    with transaction.atomic():
        locked = PovertyStandard.objects.select_for_update().get(pk=standard.pk)
        if spec.code != locked.code:
            raise ValidationError({"definition": _("Không được đổi mã chuẩn (%(code)s).") % {"code": locked.code}})
        if definition == locked.definition:
            return locked
        old = locked.definition
        locked.version += 1
        locked.definition = definition
        locked.edited_by_admin = True
        for name, value in _columns(spec).items():
            setattr(locked, name, value)
        locked.save()
        StandardVersion.objects.create(
            standard=locked, version=locked.version, definition=definition, source="admin", reason=reason[:255],
            created_by=_user(actor),
        )  # fmt: skip
        changed = sorted(k for k in set(old) | set(definition) if old.get(k) != definition.get(k))
        audit_record(
            actor=actor, event_type=PovertyEventType.STANDARD_EDITED, target=locked, unit_path="",
            changes={"old": {k: old.get(k) for k in changed}, "new": {k: definition.get(k) for k in changed},
                     "version": locked.version, "reason": reason},
        )  # fmt: skip
    return locked


# -- form B facts -------------------------------------------------------------------------------


@dataclass
class AssessmentData:
    income_source: str
    income_per_capita: int | None = None
    income_score: int | None = None
    farming: bool = False
    answers: dict[str, bool] = field(default_factory=dict)
    score_answers: dict[str, Any] = field(default_factory=dict)  # form B items, scored with the table
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    assessed_on: date | None = None
    note: str = ""


def _clean_assessment(spec: StandardSpec, data: AssessmentData, today: date, *, household=None,
                      version: int = 0) -> dict[str, Any]:  # fmt: skip
    errors: dict[str, list[str]] = {}
    score_answers = {k: v for k, v in (data.score_answers or {}).items() if v not in (None, "")}
    score_detail: dict[str, Any] = {}
    if data.income_source not in IncomeSource.values:
        errors["income_source"] = [_("Hãy chọn nguồn thu nhập.")]
    elif data.income_source == IncomeSource.PROXY_SCORE:
        if spec.proxy_score is None:
            errors["income_source"] = [_("Chuẩn này không tính thu nhập bằng điểm phiếu B.")]
        elif score_answers:
            score_detail = _score(spec, score_answers, data, household, version, errors)
        if data.income_score is None and not score_answers:
            errors["income_score"] = [_("Hãy nhập điểm thu nhập hoặc trả lời các mục chấm điểm.")]
        elif data.income_score is not None and data.income_score < 0:
            errors["income_score"] = [_("Điểm không được âm.")]
    else:
        if data.income_per_capita is None:
            errors["income_per_capita"] = [_("Hãy nhập thu nhập bình quân đầu người/tháng.")]
        elif data.income_per_capita < 0:
            errors["income_per_capita"] = [_("Thu nhập không được âm.")]
    if data.assessed_on and data.assessed_on > today:
        errors["assessed_on"] = [_("Ngày thu thập ở tương lai.")]
    elif data.assessed_on and not _collected_for(spec, data.assessed_on):
        errors["assessed_on"] = [
            _("Ngày thu thập %(day)s nằm ngoài thời gian áp dụng chuẩn %(standard)s (từ năm trước năm bắt đầu "
              "áp dụng, vì rà soát cuối năm dùng chuẩn của kỳ sau, đến hết kỳ).")
            % {"day": data.assessed_on.strftime("%d/%m/%Y"), "standard": spec.code}
        ]  # fmt: skip
    codes = spec.indicator_codes
    for code in set(data.answers) | set(data.overrides):
        if code not in codes:
            errors.setdefault("answers", []).append(
                _("Chỉ số “%(code)s” không có trong chuẩn %(standard)s.") % {"code": code, "standard": spec.code}
            )
    overrides = {}
    for code, item in data.overrides.items():
        item = item if isinstance(item, dict) else {}
        reason = str(item.get("reason") or "").strip()
        if not reason:
            errors.setdefault(f"override_{code}", []).append(_("Sửa chỉ số suy ra từ sổ hộ phải ghi lý do."))
        overrides[code] = {"value": bool(item.get("value")), "reason": reason[:255]}
    if errors:
        raise ValidationError(errors)
    return {
        "income_source": data.income_source,
        "income_per_capita": data.income_per_capita if data.income_source != IncomeSource.PROXY_SCORE else None,
        "income_score": (
            score_detail.get("total", data.income_score) if data.income_source == IncomeSource.PROXY_SCORE else None
        ),
        "score_answers": score_answers if score_detail else {},
        "score_detail": score_detail,
        "farming": bool(data.farming),
        "answers": {code: bool(v) for code, v in data.answers.items()},
        "overrides": overrides,
        "assessed_on": data.assessed_on or today,
        "note": (data.note or "").strip()[:255],
    }


def _score(spec: StandardSpec, answers: dict[str, Any], data: AssessmentData, household, version: int,
           errors: dict[str, list[str]]) -> dict[str, Any]:  # fmt: skip
    """The score from form B item answers with the table of the household's region and area."""
    tables = spec.proxy_score.tables
    if tables is None:
        errors["score_answers"] = [_("Chuẩn này chưa có bảng điểm phiếu B; hãy nhập điểm tổng.")]
        return {}
    if data.income_score is not None:
        errors["income_score"] = [_("Nhập điểm tổng hoặc trả lời từng mục chấm điểm, không nhập cả hai.")]
        return {}
    try:
        return scoring.household_score(
            tables, unit_path=household.unit_path, area=household.area_type or "rural", answers=answers,
            standard=spec.code, version=version,
        )  # fmt: skip
    except scoring.ScoreInputError as exc:
        errors.update(exc.errors)
        return {}


def _require(actor, perm: str, household: Household) -> None:
    if actor is not None and not actor.has_perm(perm, household):
        raise PermissionDenied(_("Bạn không được phân loại hộ trên địa bàn này."))


def _collected_for(spec: StandardSpec, day: date) -> bool:
    """Form B under a standard is collected from the year before it applies (the year-end review of
    QĐ 24/2021 already measures the next period's standard: late 2021 for 2022–2025) to its end."""
    return date(spec.valid_from.year - 1, 1, 1) <= day and (spec.valid_to is None or day <= spec.valid_to)


def assessment_record(*, actor, household: Household, standard: PovertyStandard, data: AssessmentData) -> Assessment:
    """Record what form B says about the household under `standard` (a new row; the latest counts).
    Refused under a local standard that does not reach the household (decision 0039)."""
    _require(actor, CLASSIFY_PERM, household)
    require_reach(standard, household.village or household.commune)
    spec = standard.spec()
    values = _clean_assessment(spec, data, timezone.localdate(), household=household, version=standard.version)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            household=household, standard=standard, unit_path=household.unit_path,
            successor_path=household.successor_path, created_by=_user(actor), **values,
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=PovertyEventType.ASSESSMENT_RECORDED, target=household,
            unit_path=household.unit_path,
            changes={"new": {"standard": standard.code, "assessment": assessment.pk, **values}},
        )  # fmt: skip
    return assessment


# -- classification -----------------------------------------------------------------------------


@dataclass
class Evaluation:
    """One household under one standard: the indicator table and the classification result."""

    indicators: list[dict[str, Any]]
    facts: Facts | None
    result: Result | None
    missing: list[str]  # why it cannot be classified (no income, unanswered indicators)


def evaluate(spec: StandardSpec, household: Household, assessment: Assessment | None, *, on_date: date,
             members=None) -> Evaluation:  # fmt: skip
    """Derive, answer and override every indicator, then classify (pure given its inputs)."""
    snapshot = household_snapshot(household, on_date=on_date, members=members)
    answers = assessment.answers if assessment else {}
    overrides = assessment.overrides if assessment else {}
    rows, deprived, missing = [], [], []
    for indicator in spec.indicators:
        derived = derivation.derive(indicator.rule, indicator.params, snapshot) if indicator.derived else None
        # The record a stored result rebuilds on read from its form B (`indicators.result_indicators`).
        row = indicator_record(indicator.code, derived.value if derived else None, derived.facts if derived else {},
                               answers, overrides)  # fmt: skip
        if row["source"] == AnswerSource.MISSING:
            missing.append(indicator.code)
        rows.append(row)
        if row["final"]:
            deprived.append(indicator.code)
    if assessment is None:
        return Evaluation(rows, None, None, ["income", *missing])
    facts = Facts(
        area=household.area_type or "rural", deprivations=frozenset(deprived), farming=assessment.farming,
        income_source=assessment.income_source, income_per_capita=assessment.income_per_capita,
        income_score=assessment.income_score, on_date=on_date,
    )  # fmt: skip
    if missing:
        return Evaluation(rows, facts, None, missing)
    try:
        result = classify(facts, spec)
    except ClassificationInputError as exc:
        return Evaluation(rows, facts, None, [str(exc)])
    if facts.income_source == IncomeSource.PROXY_SCORE and assessment.score_detail:
        result = scoring.with_table_reason(result, assessment.score_detail)
    return Evaluation(rows, facts, result, [])


def classification_row(*, household: Household, version: StandardVersion, evaluation: Evaluation,
                       assessment: Assessment | None, on_date: date, actor, run=None) -> Classification:  # fmt: skip
    """An unsaved result row (the bulk run saves many at once). It stores no reasons: they are built
    from the row's facts when read (`Classification.result_reasons()`, decision 0027); of the indicator
    records only each derived value with its facts (`indicators.compact`): the rest comes from the form
    B when read (`Classification.result_indicators()`, decision 0028). Its province key (the partition
    on PostgreSQL, decision 0034) follows from the household's paths."""
    facts, result = evaluation.facts, evaluation.result
    return Classification(
        household=household, standard_version=version, standard_code=version.standard.code, assessment=assessment,
        run=run, klass=result.klass, flags=list(result.flags), area=facts.area, farming=facts.farming,
        income_source=facts.income_source, income_per_capita=facts.income_per_capita,
        income_score=facts.income_score, deprivations=sorted(facts.deprivations,
                                                              key=[i["code"] for i in evaluation.indicators].index),
        indicators=compact(evaluation.indicators), reasons=[], on_date=on_date,
        unit_path=household.unit_path, successor_path=household.successor_path,
        province_key=reported_province_key(household.unit_path, household.successor_path), created_by=_user(actor),
    )  # fmt: skip


def require_reach(standard: PovertyStandard, unit) -> None:
    """Refuse a local standard for a unit it does not wholly cover (`selectors.standard_reaches`): a
    province's standard classifies nobody outside the province's land (decision 0039)."""
    if standard_reaches(standard, unit):
        return
    places = unit_labels_by_path(standard.jurisdiction)
    raise ApplicationError(
        _("Chuẩn %(code)s là chuẩn địa phương, chỉ áp dụng trên địa bàn %(places)s; %(unit)s không nằm trọn "
          "trong địa bàn đó.") % {"code": standard.code, "places": ", ".join(places[p] for p in standard.jurisdiction),
                                 "unit": unit.name},
        code="standard_out_of_reach", details={"field": "standard"},
    )  # fmt: skip


def household_classify(*, actor, household: Household, standard: PovertyStandard | None = None,
                       on_date: date | None = None) -> Classification:  # fmt: skip
    """Classify one household under `standard` (default: the one in force for its commune today).

    Refused without the classify permission over the household, when no standard is in force,
    without form B facts (income) for that standard, or while an indicator has no answer. The
    result is a new row (history is never overwritten) and becomes the household's current class,
    unless a recognition decision gave the household its class under the same standard: only a
    later decision changes that (the event says the class was kept).
    """
    _require(actor, CLASSIFY_PERM, household)
    on_date = on_date or timezone.localdate()
    if standard is None:
        standard = standard_in_force(on_date, household.village or household.commune)
        if standard is None:
            raise ApplicationError(_("Không có chuẩn nghèo nào áp dụng vào ngày này."), code="no_standard")
    require_reach(standard, household.village or household.commune)
    with transaction.atomic():
        version = StandardVersion.objects.select_related("standard").get(standard=standard, version=standard.version)
        assessment = latest_assessment(household, standard)
        evaluation = evaluate(version.spec(), household, assessment, on_date=on_date)
        if evaluation.result is None:
            raise ApplicationError(_missing_message(evaluation, version.spec()), code="classification_incomplete",
                                   details={"missing": evaluation.missing})  # fmt: skip
        row = classification_row(
            household=household, version=version, evaluation=evaluation, assessment=assessment, on_date=on_date,
            actor=actor,
        )  # fmt: skip
        # No database foreign key to form B since it is partitioned (decision 0037): the writer checks.
        Assessment.objects.require([row.assessment_id], province_keys=[row.province_key])
        row.save()
        household.refresh_from_db(fields=["poverty_class", "poverty_standard", "poverty_class_source"])
        updated = households_poverty_summary_set([(household.pk, row.klass)], standard_code=standard.code,
                                                 on_date=on_date)  # fmt: skip
        new = {"class": row.klass, "flags": row.flags, "standard": standard.code, "version": version.version,
               "classification": row.pk}  # fmt: skip
        if not updated:
            new["recognised_class_kept"] = household.poverty_class
        audit_record(
            actor=actor, event_type=PovertyEventType.HOUSEHOLD_CLASSIFIED, target=household,
            unit_path=household.unit_path, changes={"old": {"class": household.poverty_class or None}, "new": new},
        )  # fmt: skip
    return row


def _missing_message(evaluation: Evaluation, spec: StandardSpec) -> str:
    if "income" in evaluation.missing:
        return _("Chưa có thông tin thu nhập (phiếu B) của hộ theo chuẩn %(code)s.") % {"code": spec.code}
    names = []
    for code in evaluation.missing:
        try:
            names.append(spec.indicator(code).name)
        except KeyError:
            names.append(code)
    return _("Chưa xác định được các chỉ số: %(names)s. Hãy trả lời trên phiếu B.") % {"names": "; ".join(names)}
