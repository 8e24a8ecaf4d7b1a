"""Writes of the reviews app: campaign kinds (data), campaigns and their plan.

Each function is one transaction that checks the actor's permission over the unit concerned,
validates, writes and records its audit event; a refusal writes nothing at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import REFORM_DATE, Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import PovertyStandard
from ansinh.poverty.selectors import standard_in_force, standard_reaches

from .choices import CAMPAIGN_TRANSITIONS, EDITABLE_STATUSES, AssignmentRole, CampaignStatus, CommitteeRole
from .events import ReviewsEventType
from .kinds import STRUCTURE_LEVELS, KindDefinitionError, KindSpec
from .models import (
    Assignment,
    Campaign,
    CampaignKind,
    CampaignUnit,
    Milestone,
    MilestoneCompletion,
    SteeringMember,
    TrainingSession,
)
from .selectors import COMPLETE_PERM, EDIT_KIND_PERM, MANAGE_PERM, board_units, campaign_has_decisions

TEMPLATES_FILE = Path(__file__).resolve().parent / "data" / "campaign_templates.json"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _require(actor, perm: str, unit: AdminUnit) -> None:
    if not actor.has_perm(perm, unit):
        raise PermissionDenied(_("Bạn không có quyền này tại %(unit)s.") % {"unit": unit.name})


# -- campaign kinds (data) ----------------------------------------------------------------------


def kinds_load(*, path: Path | None = None) -> dict[str, list[str]]:
    """Load the kinds of the templates file (default: the shipped one) into `CampaignKind`.

    A new kind is created; a file whose ``version`` is newer than the one last loaded replaces a
    kind's definition unless an administrator edited it since (then it is reported as ``kept``).
    Running it again changes nothing. A malformed file is refused whole, nothing written.
    """
    path = path or TEMPLATES_FILE
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        version = int(data["version"])
        specs = [(item, KindSpec.from_dict(item)) for item in data["kinds"]]
    except (ValueError, KeyError, TypeError, KindDefinitionError) as exc:
        raise ApplicationError(
            _("Tệp mẫu đợt rà soát %(file)s không hợp lệ: %(error)s") % {"file": Path(path).name, "error": exc},
            code="templates_invalid",
        ) from exc
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": [], "kept": []}
    with transaction.atomic():
        for item, spec in specs:
            kind = CampaignKind.objects.select_for_update().filter(code=spec.code).first()
            if kind is None:
                kind = CampaignKind.objects.create(
                    code=spec.code, name=spec.name, order=spec.order, definition=item, file_version=version
                )
                report["created"].append(spec.code)
            elif version <= kind.file_version:
                report["unchanged"].append(spec.code)
                continue
            elif kind.edited_by_admin:
                report["kept"].append(spec.code)
                continue
            else:
                kind.name, kind.order, kind.definition, kind.file_version = spec.name, spec.order, item, version
                kind.save()
                report["updated"].append(spec.code)
            audit_record(
                actor=None, event_type=ReviewsEventType.KIND_LOADED, target=kind, unit_path="",
                changes={"new": {"code": spec.code, "file_version": version,
                                 "checksum": hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()}},
            )  # fmt: skip
    return report


def kind_edit(*, actor, kind: CampaignKind, definition: dict[str, Any], reason: str) -> CampaignKind:
    """An administrator changes a kind (period, chains, milestones, due-soon window), audited.

    Existing campaigns keep the milestones they were created with. Refused without the
    permission, without a reason, when the definition is malformed or renames the kind.
    """
    if not actor.has_perm(EDIT_KIND_PERM):
        raise PermissionDenied(_("Chỉ quản trị viên hệ thống được sửa mẫu đợt rà soát."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do sửa (ví dụ: số văn bản mới).")})
    try:
        spec = KindSpec.from_dict(definition)
    except KindDefinitionError as exc:
        raise ValidationError({"definition": exc.problems}) from exc
    with transaction.atomic():
        locked = CampaignKind.objects.select_for_update().get(pk=kind.pk)
        if spec.code != locked.code:
            message = _("Không được đổi mã loại rà soát (%(code)s).") % {"code": locked.code}
            raise ValidationError({"definition": message})
        if definition == locked.definition:
            return locked
        old = locked.definition
        locked.definition, locked.name, locked.order, locked.edited_by_admin = definition, spec.name, spec.order, True
        locked.save()
        changed = sorted(k for k in set(old) | set(definition) if old.get(k) != definition.get(k))
        audit_record(
            actor=actor, event_type=ReviewsEventType.KIND_EDITED, target=locked, unit_path="",
            changes={"old": {k: old.get(k) for k in changed}, "new": {k: definition.get(k) for k in changed},
                     "reason": reason},
        )  # fmt: skip
    return locked


# -- campaigns ----------------------------------------------------------------------------------


@dataclass
class CampaignData:
    kind: CampaignKind
    year: int
    unit: AdminUnit
    units: Sequence[AdminUnit]
    plan_number: str
    plan_date: date
    month: int | None = None
    standard: PovertyStandard | None = None
    name: str = ""
    approval_chain: Sequence[str] | None = None
    note: str = ""


def _standard_allowed(standard: PovertyStandard, days: tuple[date, ...]) -> bool:
    """In force on one of the kind's days (`KindSpec.standard_dates`): a yearly review's 1 January after it
    (QĐ 24/2021/QĐ-TTg Điều 3: its lists are used that year) or its first day; a monthly review's first day."""
    return any(standard.valid_from <= day and (standard.valid_to is None or day <= standard.valid_to) for day in days)


def _clean_campaign(actor, data: CampaignData, today: date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    spec = data.kind.spec()
    start = end = None
    if spec.is_monthly and not data.month:
        err("month", _("Rà soát hằng tháng phải chọn tháng."))
    elif data.month is not None and not 1 <= data.month <= 12:
        err("month", _("Tháng phải từ 1 đến 12."))
    elif not 2000 <= data.year <= 2100:
        err("year", _("Năm không hợp lệ."))
    else:
        start, end = spec.period_for(data.year, data.month if spec.is_monthly else None)
    if not (data.plan_number or "").strip():
        err("plan_number", _("Hãy nhập số kế hoạch (ví dụ: 6828/KH-UBND)."))
    if data.plan_date is None:
        err("plan_date", _("Hãy nhập ngày ban hành kế hoạch."))
    elif data.plan_date > today:
        err("plan_date", _("Ngày kế hoạch không được ở tương lai."))
    unit = data.unit
    if unit.level == Level.VILLAGE:
        err("unit", _("Đơn vị chủ trì phải là tỉnh, huyện hoặc xã, không phải thôn."))
    elif not actor.has_perm(MANAGE_PERM, unit):
        err("unit", _("%(unit)s không thuộc địa bàn bạn được quản lý đợt rà soát.") % {"unit": unit.name})
    structure = unit.structure
    if start is not None:
        if start < REFORM_DATE and structure != Structure.LEGACY:
            err("unit", _("Đợt bắt đầu trước 01/7/2025 phải dùng đơn vị hành chính cũ (3 cấp)."))
        elif start >= REFORM_DATE and structure != Structure.Y2025:
            err("unit", _("Đợt bắt đầu từ 01/7/2025 phải dùng đơn vị hành chính mới (2 cấp); "
                          "đơn vị cũ đã hết hiệu lực."))  # fmt: skip
    units = list(dict.fromkeys(data.units))
    if not units:
        err("units", _("Hãy chọn ít nhất một đơn vị tham gia rà soát."))
    for covered in units:
        if covered.level == Level.VILLAGE:
            err("units", _("%(unit)s là thôn; hãy chọn xã (hoặc huyện).") % {"unit": covered.name})
        elif covered.structure != structure:
            err("units", _("%(unit)s thuộc cơ cấu đơn vị khác với đơn vị chủ trì.") % {"unit": covered.name})
        elif not covered.path.startswith(unit.path):
            err("units", _("%(unit)s không nằm trong %(root)s.") % {"unit": covered.name, "root": unit.name})
        elif not actor.has_perm(MANAGE_PERM, covered):
            err("units", _("%(unit)s không thuộc địa bàn của bạn.") % {"unit": covered.name})
    chain = list(data.approval_chain) if data.approval_chain else spec.chain_for(structure)
    allowed = STRUCTURE_LEVELS.get(structure, [])
    if len(set(chain)) != len(chain) or any(level not in allowed for level in chain):
        err("approval_chain", _("Trình tự phê duyệt chỉ gồm các cấp có trong cơ cấu này, mỗi cấp một lần."))
    standard = data.standard
    if start is not None and end is not None:
        days = spec.standard_dates(start, end)
        if standard is None:
            # The standard the lists are for: a yearly review's next year (decision 0040), else the first day's.
            standard = next((found for day in days if (found := standard_in_force(day, unit)) is not None), None)
            if standard is None:
                err("standard", _("Không có chuẩn nghèo nào áp dụng ngày %(day)s; hãy chọn chuẩn.")
                    % {"day": days[0].strftime("%d/%m/%Y")})  # fmt: skip
        elif not _standard_allowed(standard, days):
            fitting = dict.fromkeys(found.code for day in days if (found := standard_in_force(day, unit)))
            err("standard", _("Chuẩn %(code)s không áp dụng cho đợt này: đợt dùng chuẩn áp dụng ngày %(days)s "
                              "(%(fitting)s).")
                % {"code": standard.code, "days": ", ".join(d.strftime("%d/%m/%Y") for d in days),
                   "fitting": ", ".join(fitting) or "—"})  # fmt: skip
        elif not standard_reaches(standard, unit):
            err("standard", _("Chuẩn %(code)s là chuẩn địa phương, không áp dụng cho toàn bộ %(unit)s.")
                % {"code": standard.code, "unit": unit.name})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    period = f"{data.month:02d}/{data.year}" if spec.is_monthly else str(data.year)
    return {
        "spec": spec, "start": start, "end": end, "units": units, "chain": chain, "standard": standard,
        "name": (data.name or "").strip() or f"{spec.name} {period} — {unit.short_name or unit.name}",
    }  # fmt: skip


def campaign_create(*, actor, data: CampaignData, today: date | None = None) -> Campaign:
    """Create a campaign in draft, with its covered units and the kind's milestones for its structure.

    Refused (ValidationError, nothing written) when the plan date is in the future, no standard
    fits the period, a unit lies outside the actor's area or the root unit, or the units are of the
    wrong structure for the period (legacy before 1/7/2025, the 2025 units from then on).
    """
    cleaned = _clean_campaign(actor, data, _today(today))
    spec, unit = cleaned["spec"], data.unit
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=cleaned["name"][:200], kind=data.kind, year=data.year,
            month=data.month if spec.is_monthly else None, period_start=cleaned["start"], period_end=cleaned["end"],
            plan_number=data.plan_number.strip(), plan_date=data.plan_date, standard=cleaned["standard"], unit=unit,
            structure=unit.structure, approval_chain=cleaned["chain"], due_soon_days=spec.due_soon_days,
            note=data.note, unit_path=unit.path, successor_path=unit.successor_path, created_by=_user(actor),
        )  # fmt: skip
        CampaignUnit.objects.bulk_create(
            CampaignUnit(campaign=campaign, unit=u, unit_path=u.path, successor_path=u.successor_path)
            for u in cleaned["units"]
        )
        Milestone.objects.bulk_create(
            Milestone(campaign=campaign, code=t.code, name=t.name, name_en=t.name_en[:200], level=t.level,
                      source=t.source[:200], source_en=t.source_en[:200], order=i,
                      deadline=t.deadline_for(cleaned["start"]))
            for i, t in enumerate(spec.milestones_for(unit.structure))
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.CAMPAIGN_CREATED, target=campaign, unit_path=campaign.unit_path,
            changes={"new": {
                "name": campaign.name, "kind": data.kind.code, "period": [campaign.period_start, campaign.period_end],
                "plan": f"{campaign.plan_number} ({campaign.plan_date})", "standard": campaign.standard.code,
                "units": [u.path for u in cleaned["units"]], "approval_chain": campaign.approval_chain,
            }},
        )  # fmt: skip
    return campaign


def _transition(*, actor, campaign: Campaign, to: str, event: int, extra: dict | None = None,
                check=None) -> Campaign:  # fmt: skip
    _require(actor, MANAGE_PERM, campaign.unit)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
        if to not in CAMPAIGN_TRANSITIONS[CampaignStatus(locked.status)]:
            raise ApplicationError(
                _("Đợt rà soát đang ở trạng thái “%(status)s”, không chuyển sang “%(to)s” được.")
                % {"status": locked.get_status_display(), "to": CampaignStatus(to).label},
                code="invalid_transition",
            )
        if check is not None:
            check(locked)  # a rule of this transition, under the campaign's lock
        old = locked.status
        locked.status = to
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor, event_type=event, target=locked, unit_path=locked.unit_path,
            changes={"old": {"status": old}, "new": {"status": to, **(extra or {})}},
        )  # fmt: skip
    return locked


def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Draft → open: units may now record milestones. Refused unless draft."""
    return _transition(actor=actor, campaign=campaign, to=CampaignStatus.OPEN, event=ReviewsEventType.CAMPAIGN_OPENED)


def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """Open → closed: nothing more is recorded. Refused unless open."""
    return _transition(actor=actor, campaign=campaign, to=CampaignStatus.CLOSED, event=ReviewsEventType.CAMPAIGN_CLOSED)


def campaign_cancel(*, actor, campaign: Campaign, reason: str) -> Campaign:
    """Draft or open → cancelled, with a reason. Refused without a reason, once closed, or once a
    commune chair has signed a recognition decision in it: the decision has legal effect (households
    were recognised, certificates may be out), so the campaign is closed, not undone."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do hủy đợt rà soát.")})
    return _transition(
        actor=actor, campaign=campaign, to=CampaignStatus.CANCELLED, event=ReviewsEventType.CAMPAIGN_CANCELLED,
        extra={"cancel_reason": reason[:255]}, check=_refuse_cancel_after_decisions,
    )  # fmt: skip


def _refuse_cancel_after_decisions(campaign: Campaign) -> None:
    if campaign_has_decisions(campaign):
        raise ApplicationError(
            _("Đợt rà soát đã có quyết định công nhận của xã nên không hủy được; hãy đóng đợt khi xong việc."),
            code="campaign_has_decisions",
        )


# -- milestones ---------------------------------------------------------------------------------


def _board_unit_ids(campaign: Campaign) -> set[int]:
    return {campaign.unit_id, *(u.pk for u in board_units(campaign))}


def milestone_complete(
    *, actor, milestone: Milestone, unit: AdminUnit, done_on: date, note: str = "", today: date | None = None
) -> MilestoneCompletion:
    """Record that `unit` did `milestone` on `done_on` (late when after the deadline; still recorded).

    Refused when the campaign is not open, the unit is not in the campaign or not of the
    milestone's level, the actor may not record for that unit, the date is in the future or before
    the plan, or the unit already recorded it.
    """
    _require(actor, COMPLETE_PERM, unit)
    campaign = milestone.campaign
    errors: dict[str, list[str]] = {}
    if unit.pk not in _board_unit_ids(campaign):
        errors["unit"] = [_("%(unit)s không tham gia đợt rà soát này.") % {"unit": unit.name}]
    elif unit.level != milestone.level:
        level = milestone.get_level_display()
        errors["unit"] = [_("Mốc “%(m)s” là của cấp %(level)s.") % {"m": milestone.title, "level": level}]
    if done_on is None:
        errors["done_on"] = [_("Hãy nhập ngày hoàn thành.")]
    elif done_on > _today(today):
        errors["done_on"] = [_("Ngày hoàn thành không được ở tương lai.")]
    elif done_on < campaign.plan_date:
        errors["done_on"] = [_("Ngày hoàn thành trước ngày ban hành kế hoạch.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.OPEN:
            raise ApplicationError(_("Chỉ ghi hoàn thành mốc khi đợt rà soát đang diễn ra."), code="campaign_not_open")
        if MilestoneCompletion.objects.filter(milestone=milestone, unit=unit).exists():
            raise ApplicationError(
                _("%(unit)s đã ghi hoàn thành mốc này.") % {"unit": unit.name}, code="already_completed"
            )
        completion = MilestoneCompletion.objects.create(
            milestone=milestone, unit=unit, done_on=done_on, note=(note or "").strip()[:255], by=_user(actor),
            unit_path=unit.path, successor_path=unit.successor_path,
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.MILESTONE_COMPLETED, target=completion, unit_path=unit.path,
            changes={"new": {"campaign": campaign.pk, "milestone": milestone.code, "deadline": milestone.deadline,
                             "done_on": done_on, "late": done_on > milestone.deadline}},
        )  # fmt: skip
    return completion


# -- steering committee, assignments, trainings -------------------------------------------------


def _editable(campaign: Campaign) -> None:
    if campaign.status not in EDITABLE_STATUSES:
        raise ApplicationError(
            _("Đợt rà soát đã kết thúc hoặc đã hủy; không sửa được nữa."), code="campaign_not_editable"
        )


def _in_campaign(campaign: Campaign, unit: AdminUnit, key: str) -> None:
    if unit.pk not in _board_unit_ids(campaign):
        raise ValidationError({key: _("%(unit)s không tham gia đợt rà soát này.") % {"unit": unit.name}})


def steering_member_add(
    *, actor, campaign: Campaign, unit: AdminUnit, full_name: str, position: str, committee_role: str, user=None
) -> SteeringMember:
    """Add a member to the steering committee of `unit` (the campaign's unit or a covered one)."""
    _require(actor, MANAGE_PERM, unit)
    _in_campaign(campaign, unit, "unit")
    errors: dict[str, list[str]] = {}
    full_name = (full_name or "").strip() or (user.full_name if user is not None else "")
    if not full_name:
        errors["full_name"] = [_("Hãy nhập họ và tên.")]
    if not (position or "").strip():
        errors["position"] = [_("Hãy nhập chức vụ, cơ quan.")]
    if committee_role not in CommitteeRole.values:
        errors["committee_role"] = [_("Hãy chọn nhiệm vụ trong Ban Chỉ đạo.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _editable(Campaign.objects.select_for_update().get(pk=campaign.pk))
        member = SteeringMember.objects.create(
            campaign=campaign, unit=unit, full_name=full_name[:150], position=position.strip()[:200],
            committee_role=committee_role, user=user, unit_path=unit.path,
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.STEERING_MEMBER_ADDED, target=member, unit_path=unit.path,
            changes={"new": {"campaign": campaign.pk, "full_name": member.full_name, "position": member.position,
                             "committee_role": committee_role, "user": user.pk if user else None}},
        )  # fmt: skip
    return member


def steering_member_remove(*, actor, member: SteeringMember, on_date: date | None = None) -> SteeringMember:
    """The member leaves the committee from `on_date` (the row stays, for the record)."""
    _require(actor, MANAGE_PERM, member.unit)
    with transaction.atomic():
        _editable(Campaign.objects.select_for_update().get(pk=member.campaign_id))
        locked = SteeringMember.objects.select_for_update().get(pk=member.pk)
        if locked.removed_on is not None:
            raise ApplicationError(_("Thành viên này đã thôi tham gia Ban Chỉ đạo."), code="already_removed")
        locked.removed_on = _today(on_date)
        locked.save(update_fields=["removed_on"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.STEERING_MEMBER_REMOVED, target=locked,
            unit_path=locked.unit_path, changes={"old": {"removed_on": None}, "new": {"removed_on": locked.removed_on}},
        )  # fmt: skip
    return locked


def assignment_add(
    *, actor, campaign: Campaign, village: AdminUnit, role: str, user=None, person_name: str = "",
    start_on: date | None = None,
) -> Assignment:  # fmt: skip
    """Assign an enumerator or supervisor (a user, or a person by name) to a village of the campaign."""
    _require(actor, MANAGE_PERM, village)
    errors: dict[str, list[str]] = {}
    covered = list(campaign.covered.values_list("unit_path", flat=True))
    if village.level != Level.VILLAGE:
        errors["village"] = [_("Hãy chọn thôn, tổ dân phố.")]
    elif not any(village.path.startswith(p) for p in covered or [campaign.unit_path]):
        errors["village"] = [_("%(unit)s không thuộc các đơn vị của đợt rà soát.") % {"unit": village.name}]
    if role not in AssignmentRole.values:
        errors["role"] = [_("Hãy chọn rà soát viên hoặc giám sát viên.")]
    person_name = (person_name or "").strip() or (str(user.full_name or user.username) if user else "")
    if not person_name:
        errors["person_name"] = [_("Hãy nhập họ và tên hoặc chọn tài khoản.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _editable(Campaign.objects.select_for_update().get(pk=campaign.pk))
        assignment = Assignment.objects.create(
            campaign=campaign, village=village, user=user, person_name=person_name[:150], role=role,
            start_on=start_on or campaign.period_start, unit_path=village.path,
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.ASSIGNMENT_ADDED, target=assignment, unit_path=village.path,
            changes={"new": {"campaign": campaign.pk, "village": village.path, "role": role,
                             "person_name": assignment.person_name, "user": user.pk if user else None}},
        )  # fmt: skip
    return assignment


def assignment_end(*, actor, assignment: Assignment, end_on: date | None = None) -> Assignment:
    """End an assignment on `end_on` (today by default); refused twice or before it started."""
    _require(actor, MANAGE_PERM, assignment.village)
    end_on = _today(end_on)
    if end_on < assignment.start_on:
        raise ValidationError({"end_on": _("Ngày kết thúc trước ngày bắt đầu phân công.")})
    with transaction.atomic():
        _editable(Campaign.objects.select_for_update().get(pk=assignment.campaign_id))
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.end_on is not None:
            raise ApplicationError(_("Phân công này đã kết thúc."), code="already_ended")
        locked.end_on = end_on
        locked.save(update_fields=["end_on"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.ASSIGNMENT_ENDED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"end_on": None}, "new": {"end_on": end_on}},
        )  # fmt: skip
    return locked


def training_record(
    *, actor, campaign: Campaign, unit: AdminUnit, held_on: date, topic: str, attendees: Sequence[str],
    place: str = "", today: date | None = None,
) -> TrainingSession:  # fmt: skip
    """Record a training held by `unit` for the campaign, with the names of those who attended."""
    _require(actor, MANAGE_PERM, unit)
    _in_campaign(campaign, unit, "unit")
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = [_("Hãy nhập ngày tập huấn.")]
    elif held_on > _today(today):
        errors["held_on"] = [_("Chỉ ghi buổi tập huấn đã diễn ra (ngày không ở tương lai).")]
    if not (topic or "").strip():
        errors["topic"] = [_("Hãy nhập nội dung tập huấn.")]
    names = [n.strip()[:200] for n in attendees if n and n.strip()]
    if not names:
        errors["attendees"] = [_("Hãy ghi ít nhất một người tham dự.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _editable(Campaign.objects.select_for_update().get(pk=campaign.pk))
        session = TrainingSession.objects.create(
            campaign=campaign, unit=unit, held_on=held_on, topic=topic.strip()[:255], place=(place or "").strip()[:200],
            attendees=names, unit_path=unit.path, created_by=_user(actor),
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.TRAINING_RECORDED, target=session, unit_path=unit.path,
            changes={"new": {"campaign": campaign.pk, "held_on": held_on, "topic": session.topic,
                             "attendees": names}},
        )  # fmt: skip
    return session
