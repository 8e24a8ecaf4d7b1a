"""Writes of the review cases (one household in one campaign): phiếu A as data, listing, applications,
phiếu A screening and the start of the survey (steps 1–2 of QĐ 24/2021/QĐ-TTg Điều 4).

Every function is one transaction that checks the actor's permission over the household's unit,
validates, writes and records its audit event; a refusal writes nothing at all. A case moves only
along `choices.CASE_TRANSITIONS`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import HouseholdStatus, PovertyClass
from ansinh.registry.models import Household
from ansinh.registry.services import HouseholdData, MemberData, household_register

from .choices import ApplicationChannel, CampaignStatus, CaseOrigin, CaseState
from .events import ReviewsEventType
from .models import Campaign, FormAChecklist, ReviewCase
from .selectors import form_a_checklist
from .services_common import (
    actor_user,
    approval_locked,
    covered_paths,
    lock_case,
    lock_open_campaign,
    results_frozen,
    today_or,
)

FORM_A_FILE = Path(__file__).resolve().parent / "data" / "form_a.json"
RECORD_PERM = "reviews.record_case"
EDIT_FORM_A_PERM = "reviews.change_formachecklist"

# Households on the lists the commune manages at review time are reviewed again (step 1 (a)).
LISTED_CLASSES = {PovertyClass.POOR: CaseOrigin.POOR_LIST, PovertyClass.NEAR_POOR: CaseOrigin.NEAR_POOR_LIST}


def _require_record(actor, unit: AdminUnit) -> None:
    if not actor.has_perm(RECORD_PERM, unit):
        raise PermissionDenied(_("%(unit)s không thuộc địa bàn bạn được ghi nhận hộ rà soát.") % {"unit": unit.name})


def _require_case(actor, case: ReviewCase) -> None:
    if not actor.has_perm(RECORD_PERM, case):
        raise PermissionDenied(_("Hộ này không thuộc địa bàn bạn được ghi nhận hộ rà soát."))


def _in_campaign(campaign: Campaign, path: str) -> bool:
    return any(path.startswith(p) for p in covered_paths(campaign))


def refuse_new_cases(campaign: Campaign, path: str) -> None:
    """Refused (ApplicationError) when no household may join the campaign at `path` any more: the
    campaign's results are frozen, or the results of that unit (or a unit above it) are approved.

    QĐ 24/2021/QĐ-TTg: once the commune chair has recognised the results and they are approved, the
    periodic review is over for that commune; a later application goes to the monthly regular review
    (Điều 5). Only an open campaign takes households at all (`lock_open_campaign`)."""
    if results_frozen(campaign):
        raise ApplicationError(
            _("Kết quả đợt rà soát này đã được chốt; không thêm hộ vào đợt được nữa. Giấy đề nghị mới được xem "
              "xét trong đợt rà soát thường xuyên."),
            code="results_frozen",
        )  # fmt: skip
    row = approval_locked(campaign, path)
    if row is not None:
        raise ApplicationError(
            _("Kết quả rà soát của %(unit)s đã được phê duyệt; không thêm hộ vào đợt được nữa. Giấy đề nghị mới "
              "được xem xét trong đợt rà soát thường xuyên.") % {"unit": row.unit.name},
            code="results_locked",
        )  # fmt: skip


# -- phiếu A as data ----------------------------------------------------------------------------


def checklist_problems(item: Any) -> list[str]:
    problems = []
    if not isinstance(item, dict):
        return ["checklist must be an object"]
    for key in ("version", "name", "valid_from"):
        if not str(item.get(key) or "").strip():
            problems.append(f"missing {key}")
    if item.get("valid_from") and parse_date(str(item["valid_from"])) is None:
        problems.append("valid_from must be YYYY-MM-DD")
    criteria = item.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        return [*problems, "criteria must be a non-empty list"]
    seen = set()
    for i, c in enumerate(criteria):
        if not isinstance(c, dict) or not str(c.get("code") or "").strip() or not str(c.get("text") or "").strip():
            problems.append(f"criteria[{i}] needs code and text")
            continue
        if c["code"] in seen:
            problems.append(f"criteria[{i}]: duplicate code {c['code']}")
        seen.add(c["code"])
        if not isinstance(c.get("provisional", False), bool):
            problems.append(f"criteria[{i}]: provisional must be true or false")
        for key in ("text_en", "source_en"):
            if c.get(key) is not None and not isinstance(c[key], str):
                problems.append(f"criteria[{i}]: {key} must be text")
    for key in ("name_en", "source_en"):
        if item.get(key) is not None and not isinstance(item[key], str):
            problems.append(f"{key} must be text")
    return problems


def _clean_criteria(criteria: list[dict]) -> list[dict]:
    return [
        {"code": str(c["code"]).strip(), "text": str(c["text"]).strip(), "text_en": str(c.get("text_en") or "").strip(),
         "source": str(c.get("source") or "").strip(), "source_en": str(c.get("source_en") or "").strip(),
         "provisional": bool(c.get("provisional", False))}
        for c in criteria
    ]  # fmt: skip


def _checksum(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def form_a_load(*, path: Path | None = None) -> dict[str, list[str]]:
    """Load the phiếu A checklists of the data file (default: the shipped one) into `FormAChecklist`.

    A new version is created; a changed version is updated unless an administrator edited it since
    (reported as ``kept``). Running it again changes nothing. A malformed file is refused whole.
    """
    path = Path(path or FORM_A_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["checklists"]
        problems = [f"{i}: {p}" for i, item in enumerate(items) for p in checklist_problems(item)]
    except (ValueError, KeyError, TypeError) as exc:
        problems = [str(exc)]
    if problems:
        raise ApplicationError(
            _("Tệp phiếu A %(file)s không hợp lệ: %(error)s") % {"file": path.name, "error": "; ".join(problems)},
            code="form_a_invalid",
        )
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": [], "kept": []}
    with transaction.atomic():
        for item in items:
            version = str(item["version"]).strip()
            values = {
                "name": item["name"].strip(), "name_en": str(item.get("name_en") or "").strip()[:200],
                "source": str(item.get("source") or "").strip()[:255],
                "source_en": str(item.get("source_en") or "").strip()[:255],
                "valid_from": parse_date(str(item["valid_from"])), "criteria": _clean_criteria(item["criteria"]),
            }  # fmt: skip
            checksum = _checksum(values | {"valid_from": str(values["valid_from"])})
            checklist = FormAChecklist.objects.select_for_update().filter(version=version).first()
            if checklist is None:
                checklist = FormAChecklist.objects.create(version=version, file_checksum=checksum, **values)
                report["created"].append(version)
            elif checklist.file_checksum == checksum:
                report["unchanged"].append(version)
                continue
            elif checklist.edited_by_admin:
                report["kept"].append(version)
                continue
            else:
                for name, value in values.items():
                    setattr(checklist, name, value)
                checklist.file_checksum = checksum
                checklist.save()
                report["updated"].append(version)
            audit_record(
                actor=None, event_type=ReviewsEventType.FORM_A_LOADED, target=checklist, unit_path="",
                changes={"new": {"version": version, "criteria": [c["code"] for c in values["criteria"]],
                                 "checksum": checksum}},
            )  # fmt: skip
    return report


def form_a_edit(*, actor, checklist: FormAChecklist, criteria: list[dict], reason: str) -> FormAChecklist:
    """An administrator changes the criteria of one phiếu A version, audited with a reason.

    Cases already screened keep the answers and reasons they recorded. Refused without the
    permission, without a reason, or when a criterion lacks a code or text or a code repeats.
    """
    if not actor.has_perm(EDIT_FORM_A_PERM):
        raise PermissionDenied(_("Chỉ quản trị viên hệ thống được sửa phiếu A."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do sửa (ví dụ: số văn bản mới).")})
    problems = checklist_problems({"version": "x", "name": "x", "valid_from": "2000-01-01", "criteria": criteria})
    if problems:
        raise ValidationError({"criteria": problems})
    criteria = _clean_criteria(criteria)
    with transaction.atomic():
        locked = FormAChecklist.objects.select_for_update().get(pk=checklist.pk)
        if locked.criteria == criteria:
            return locked
        old = locked.criteria
        locked.criteria, locked.edited_by_admin = criteria, True
        locked.save()
        audit_record(
            actor=actor, event_type=ReviewsEventType.FORM_A_EDITED, target=locked, unit_path="",
            changes={"old": {"criteria": old}, "new": {"criteria": criteria}, "reason": reason},
        )  # fmt: skip
    return locked


def form_a_current(on_date: date) -> FormAChecklist | None:
    """The phiếu A version in force on `on_date` (the latest one starting on or before it)."""
    return form_a_checklist(on_date)


def _other_open_cases(campaign: Campaign):
    """Cases of the other open campaigns of the same kind (a household is in at most one of them)."""
    return ReviewCase.objects.filter(campaign__kind_id=campaign.kind_id, campaign__status=CampaignStatus.OPEN).exclude(
        campaign=campaign
    )


# -- step 1: listing ----------------------------------------------------------------------------


def cases_list_current(*, actor, campaign: Campaign, unit: AdminUnit) -> dict[str, int]:
    """Add every active household of `unit` (a commune or village of the campaign) currently classified
    poor or near-poor (`Household.poverty_class`) as a case, origin "on the poor / near-poor list".

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 1 điểm a: the list to review includes every household on the
    lists the commune manages. Idempotent: households already in the campaign are left as they are.
    One bulk insert and one audit event with the counts. Refused (nothing written) when the campaign
    is not open, its results are frozen or the unit's results approved (`refuse_new_cases`), the unit
    is not a commune or village of the campaign, or lies outside the actor's area.
    """
    _require_record(actor, unit)
    if unit.level not in (Level.COMMUNE, Level.VILLAGE) or not _in_campaign(campaign, unit.path):
        raise ValidationError({"unit": _("%(unit)s không phải xã hoặc thôn thuộc đợt rà soát này.")
                               % {"unit": unit.name}})  # fmt: skip
    with transaction.atomic():
        locked = lock_open_campaign(campaign)
        refuse_new_cases(locked, unit.path)
        households = list(
            Household.objects.filter(
                unit_path__startswith=unit.path, status=HouseholdStatus.ACTIVE, poverty_class__in=list(LISTED_CLASSES)
            ).values_list("pk", "poverty_class", "unit_path", "successor_path")
        )
        existing = set(
            ReviewCase.objects.filter(campaign=locked, household_id__in=[h[0] for h in households]).values_list(
                "household_id", flat=True
            )
        ) if households else set()  # fmt: skip
        elsewhere = set(
            _other_open_cases(locked).filter(household_id__in=[h[0] for h in households]).values_list(
                "household_id", flat=True
            )
        ) if households else set()  # fmt: skip
        new = [
            ReviewCase(campaign=locked, household_id=pk, origin=LISTED_CLASSES[klass], state=CaseState.LISTED,
                       previous_class=klass, unit_path=path, successor_path=successor, created_by=actor_user(actor))
            for pk, klass, path, successor in households if pk not in existing and pk not in elsewhere
        ]  # fmt: skip
        ReviewCase.objects.bulk_create(new, batch_size=500)
        counts = {
            "added": len(new),
            "already": len(existing),
            "in_other_campaign": len(elsewhere - existing),
            "poor": sum(1 for c in new if c.origin == CaseOrigin.POOR_LIST),
            "near_poor": sum(1 for c in new if c.origin == CaseOrigin.NEAR_POOR_LIST),
        }
        audit_record(
            actor=actor, event_type=ReviewsEventType.CASES_LISTED, target=locked, unit_path=unit.path,
            changes={"new": {"unit": unit.path, **counts}},
        )  # fmt: skip
    return counts


# -- step 1: applications -----------------------------------------------------------------------


@dataclass
class ApplicationData:
    """The application (Giấy đề nghị, Mẫu số 01 of QĐ 24/2021) as received by the commune."""

    channel: str
    received_on: date
    applicant_name: str = ""
    reason: str = ""


@dataclass
class NewHouseholdData:
    """A household not yet in the registry: registered through `registry.services.household_register`."""

    commune: AdminUnit
    household: HouseholdData
    members: list[MemberData]


def _clean_application(campaign: Campaign, data: ApplicationData, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if data.channel not in ApplicationChannel.values:
        errors["channel"] = [_("Hãy chọn hình thức nộp: trực tiếp, bưu chính hoặc trực tuyến.")]
    if data.received_on is None:
        errors["received_on"] = [_("Hãy nhập ngày nhận giấy đề nghị.")]
    elif data.received_on > today:
        errors["received_on"] = [_("Ngày nhận giấy đề nghị không được ở tương lai.")]
    elif not campaign.period_start <= data.received_on <= campaign.period_end:
        errors["received_on"] = [
            _("Ngày nhận phải trong thời gian của đợt rà soát (%(start)s – %(end)s).")
            % {"start": campaign.period_start.strftime("%d/%m/%Y"), "end": campaign.period_end.strftime("%d/%m/%Y")}
        ]
    if errors:
        raise ValidationError(errors)


def application_record(
    *, actor, campaign: Campaign, household: Household | None, application: ApplicationData,
    new_household: NewHouseholdData | None = None, today: date | None = None,
) -> ReviewCase:  # fmt: skip
    """Record a household's application to be reviewed: a case with origin "applied", state listed
    (phiếu A comes next). A household outside the registry (`household` None) is first registered
    through the registry's own service from `new_household`, in the same transaction.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 1 điểm b; Mẫu 01 may come directly, by post or online (Điều 5).
    Refused (nothing written, not even the household): campaign not open, its results frozen or the
    unit's results approved (`refuse_new_cases`); the household or the new
    household's commune outside the campaign's units or the actor's area; received_on missing, in the
    future or outside the campaign period; the household already in the campaign; what the registry
    refuses for a new household (including an actor who may not register households there).
    """
    if (household is None) == (new_household is None):
        raise ValidationError({"household": _("Hãy chọn hộ trong sổ hoặc nhập hộ mới (một trong hai).")})
    if household is not None:
        unit = household.village or household.commune
    else:
        unit = new_household.household.village or new_household.commune
    _require_record(actor, unit)
    if not _in_campaign(campaign, unit.path):
        raise ValidationError({"household": _("%(unit)s không thuộc các đơn vị của đợt rà soát.")
                               % {"unit": unit.name}})  # fmt: skip
    if household is not None and household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"household": _("Hộ này không còn được quản lý (%(status)s).")
                               % {"status": household.get_status_display()}})  # fmt: skip
    _clean_application(campaign, application, today_or(today))
    with transaction.atomic():
        locked = lock_open_campaign(campaign)
        refuse_new_cases(locked, unit.path)
        if household is None:
            household = household_register(
                actor=actor, commune=new_household.commune, data=new_household.household,
                members=new_household.members,
            )  # fmt: skip
        elif ReviewCase.objects.filter(campaign=locked, household=household).exists():
            raise ApplicationError(
                _("Hộ %(household)s đã có trong đợt rà soát này; không ghi nhận giấy đề nghị lần nữa.")
                % {"household": household},
                code="duplicate_application",
            )
        else:
            other = _other_open_cases(locked).filter(household=household).select_related("campaign").first()
            if other is not None:
                raise ApplicationError(
                    _("Hộ %(household)s đang trong đợt rà soát cùng loại “%(campaign)s”; một hộ không được rà soát "
                      "trong hai đợt cùng loại đang mở.") % {"household": household, "campaign": other.campaign},
                    code="household_in_open_campaign",
                )  # fmt: skip
        case = ReviewCase.objects.create(
            campaign=locked, household=household, origin=CaseOrigin.APPLIED, state=CaseState.LISTED,
            channel=application.channel, received_on=application.received_on,
            applicant_name=(application.applicant_name or household.head_name or "").strip()[:150],
            reason=(application.reason or "").strip(), previous_class=household.poverty_class or "",
            unit_path=household.unit_path,
            successor_path=household.successor_path, created_by=actor_user(actor),
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.APPLICATION_RECORDED, target=case, unit_path=case.unit_path,
            changes={"new": {"campaign": locked.pk, "household": household.pk, "code": household.code,
                             "channel": case.channel, "received_on": case.received_on,
                             "applicant_name": case.applicant_name, "new_household": new_household is not None}},
        )  # fmt: skip
    return case


# -- step 2: phiếu A and the start of the survey ------------------------------------------------


def _lock_listed(case: ReviewCase, to: str) -> ReviewCase:
    """`lock_case`, for steps that only start from the listing: phiếu A and the start of the survey
    (the map also lets later steps send a case back to phiếu B, which these two must not do)."""
    locked = lock_case(case, to)
    if locked.state != CaseState.LISTED:
        raise ApplicationError(
            _("Hộ đang ở bước “%(state)s”, không chuyển sang “%(to)s” được.")
            % {"state": locked.get_state_display(), "to": CaseState(to).label},
            code="invalid_transition",
        )
    return locked


def form_a_record(*, actor, case: ReviewCase, answers: dict[str, bool], today: date | None = None) -> ReviewCase:
    """Record phiếu A for an applicant household: matching any exclusion criterion → screened out
    (the criteria matched kept as the reason); none → surveying (phiếu B next).

    TT 07/2021 Phụ lục II: phiếu A is only for households that applied. Refused (nothing written)
    for a listed household (no phiếu A; use `case_start_survey`), a case past the listing step, a
    campaign not open, a case outside the actor's area, no phiếu A version loaded, or answers that
    leave a criterion unanswered or name an unknown one.
    """
    _require_case(actor, case)
    if case.origin != CaseOrigin.APPLIED:
        raise ApplicationError(
            _("Phiếu A chỉ dùng cho hộ có giấy đề nghị; hộ trong danh sách hiện có chuyển thẳng sang phiếu B."),
            code="form_a_not_needed",
        )
    on_date = today_or(today)
    checklist = form_a_current(on_date)
    if checklist is None:
        raise ApplicationError(_("Chưa nạp phiếu A (lệnh reviews_load_form_a)."), code="form_a_missing")
    codes = [c["code"] for c in checklist.criteria]
    answers = dict(answers or {})
    errors = []
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        errors.append(_("Tiêu chí không có trong phiếu A: %(codes)s.") % {"codes": ", ".join(unknown)})
    missing = [c["text"] for c in checklist.criteria if not isinstance(answers.get(c["code"]), bool)]
    if missing:
        errors.append(_("Chưa trả lời: %(items)s.") % {"items": "; ".join(missing)})
    if errors:
        raise ValidationError({"answers": errors})
    matched = [{"code": c["code"], "text": c["text"], "text_en": c.get("text_en") or ""}
               for c in checklist.criteria if answers[c["code"]]]  # fmt: skip
    to = CaseState.SCREENED_OUT if matched else CaseState.SURVEYING
    with transaction.atomic():
        locked = _lock_listed(case, to)
        old = locked.state
        locked.state, locked.form_a, locked.form_a_on = to, checklist, on_date
        locked.form_a_answers = {code: answers[code] for code in codes}
        locked.screened_out_reason = matched
        locked.save()
        audit_record(
            actor=actor, event_type=ReviewsEventType.FORM_A_RECORDED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"state": old}, "new": {"state": to, "form_a": checklist.version,
                                                    "answers": locked.form_a_answers, "matched": matched}},
        )  # fmt: skip
    return locked


def case_start_survey(*, actor, case: ReviewCase) -> ReviewCase:
    """A household on the current poor / near-poor list goes straight to phiếu B (listed → surveying).

    Refused (nothing written) for an applicant household (phiếu A first), a case past the listing
    step, a campaign not open, or a case outside the actor's area.
    """
    _require_case(actor, case)
    if case.origin == CaseOrigin.APPLIED:
        raise ApplicationError(_("Hộ có giấy đề nghị phải qua phiếu A trước."), code="form_a_required")
    with transaction.atomic():
        locked = _lock_listed(case, CaseState.SURVEYING)
        old = locked.state
        locked.state = CaseState.SURVEYING
        locked.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.CASE_SURVEY_STARTED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"state": old}, "new": {"state": CaseState.SURVEYING.value}},
        )  # fmt: skip
    return locked
