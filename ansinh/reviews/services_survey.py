"""Writes of steps 3 and 4 of the review (QĐ 24/2021/QĐ-TTg Điều 4 khoản 2): phiếu B and the
provisional class of one household, re-surveying it, and the village meeting (họp dân) that agrees
on the provisional results of a village's households.

Every function is one transaction that checks the actor's permission over the case or village,
validates, writes and records its audit event; a refusal writes nothing at all (not even the
poverty app's Assessment). A case moves only along `choices.CASE_TRANSITIONS` (`lock_case`).

The household's official class (`Household.poverty_class`) is not touched here: only the commune's
recognition decision (step 8) changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import Assessment, StandardVersion
from ansinh.poverty.services import AssessmentData, assessment_record, evaluate

from .choices import CaseState
from .events import ReviewsEventType
from .models import Campaign, MeetingResult, ReviewCase, VillageMeeting
from .services_common import (
    actor_user,
    case_send_back,
    ensure_unlocked,
    lock_case,
    lock_open_campaign,
    require_perm,
    today_or,
)

__all__ = ["RECORD_PERM", "MeetingData", "case_resurvey", "form_b_record", "meeting_passed", "meeting_record"]

RECORD_PERM = "reviews.record_case"
BELOW_HALF_REASON = "dưới 50% người dự họp đồng ý"


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _missing_names(spec, missing: list[str]) -> list[str]:
    names = []
    for code in missing:
        if code == "income":
            names.append(_("thu nhập (phiếu B)"))
            continue
        try:
            names.append(spec.indicator(code).name)
        except KeyError:
            names.append(code)
    return names


# -- step 3: phiếu B ----------------------------------------------------------------------------


def form_b_record(*, actor, case: ReviewCase, data: AssessmentData, today: date | None = None) -> ReviewCase:
    """Record phiếu B of a household being surveyed and its provisional class (surveying → surveyed).

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm a (TT 07/2021 Phụ lục III, phiếu B): the enumerator collects
    the income (or the income score) and the deprivation indicators, confirming those derived from the
    registry, and classifies the household provisionally. The facts go to the poverty app as an
    Assessment under the campaign's standard (`assessment_record`, which also checks the actor may
    classify households there); the classification uses the standard's current version.

    The household's official class is not changed (the commune's decision does that, step 8).
    Refused (nothing written, the Assessment included): a case outside the actor's area, not in the
    phiếu B step, campaign not open, results locked by approval, facts the poverty app refuses, or an
    evaluation without a result (income missing, indicators unanswered: code ``classification_incomplete``).
    """
    require_perm(actor, RECORD_PERM, case, _("Hộ này không thuộc địa bàn bạn được ghi phiếu B."))
    on_date = today_or(today)
    with transaction.atomic():
        locked = lock_case(case, CaseState.SURVEYED)
        if locked.state != CaseState.SURVEYING:
            raise ApplicationError(
                _("Hộ đang ở bước “%(state)s”; chỉ ghi phiếu B cho hộ đang rà soát phiếu B.")
                % {"state": locked.get_state_display()},
                code="invalid_transition",
            )
        standard = locked.campaign.standard
        household = locked.household
        if data.assessed_on is None:
            data = replace(data, assessed_on=on_date)
        assessment = assessment_record(actor=actor, household=household, standard=standard, data=data)
        version = StandardVersion.objects.get(standard=standard, version=standard.version)
        spec = version.spec()
        surveyed_on = assessment.assessed_on or on_date
        evaluation = evaluate(spec, household, assessment, on_date=surveyed_on)
        if evaluation.result is None:
            names = _missing_names(spec, evaluation.missing)
            raise ApplicationError(
                _("Chưa xếp loại sơ bộ được; còn thiếu: %(names)s. Hãy trả lời đủ trên phiếu B.")
                % {"names": "; ".join(names)},
                code="classification_incomplete",
                details={"missing": evaluation.missing},
            )
        result = evaluation.result
        old = {"state": locked.state, "provisional_class": locked.provisional_class or None,
               "assessment": locked.assessment_id}  # fmt: skip
        # The case's reference to its form B is no database foreign key (form B is partitioned by
        # province, decision 0037): the writer checks it names a form B that exists.
        Assessment.objects.require([assessment.pk], province_keys=[assessment.province_key])
        locked.assessment = assessment
        locked.provisional_class = result.klass
        locked.provisional_flags = list(result.flags)
        locked.provisional_reasons = [dict(r) for r in result.reasons]
        locked.deprivations = [row["code"] for row in evaluation.indicators if row["final"]]
        locked.surveyed_on = surveyed_on
        locked.surveyed_by = actor_user(actor)
        locked.state = CaseState.SURVEYED
        locked.save()
        audit_record(
            actor=actor, event_type=ReviewsEventType.FORM_B_RECORDED, target=locked, unit_path=locked.unit_path,
            changes={"old": old,
                     "new": {"state": CaseState.SURVEYED.value, "provisional_class": result.klass,
                             "flags": locked.provisional_flags, "reasons": locked.provisional_reasons,
                             "deprivations": locked.deprivations, "assessment": assessment.pk,
                             "standard": standard.code, "version": version.version, "surveyed_on": surveyed_on}},
        )  # fmt: skip
    return locked


def case_resurvey(*, actor, case: ReviewCase, reason: str) -> ReviewCase:
    """Send a surveyed household (or one the meeting agreed on, before posting) back to phiếu B.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2: the enumerator corrects phiếu B before the results are posted;
    the meeting it had no longer counts and the household is discussed again. Refused (nothing
    written) without a reason, for a case outside the actor's area, not surveyed or met, campaign not
    open or results locked by approval.
    """
    require_perm(actor, RECORD_PERM, case, _("Hộ này không thuộc địa bàn bạn được ghi nhận hộ rà soát."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do rà soát lại phiếu B.")]})
    with transaction.atomic():
        locked = lock_case(case, CaseState.SURVEYING)
        if locked.state not in (CaseState.SURVEYED, CaseState.MET):
            raise ApplicationError(
                _("Chỉ rà soát lại phiếu B cho hộ đã chấm điểm phiếu B hoặc đã họp dân (chưa niêm yết); "
                  "hộ đang ở bước “%(state)s”.") % {"state": locked.get_state_display()},
                code="invalid_transition",
            )  # fmt: skip
        case_send_back(locked, actor=actor, reason=reason[:500], event_type=ReviewsEventType.CASE_RESURVEY)
    return locked


# -- step 4: the village meeting ----------------------------------------------------------------


@dataclass
class MeetingData:
    """The village meeting as its minutes record it (TT 07/2021, biên bản họp dân)."""

    held_on: date | None
    chair: str
    secretary: str
    attendee_count: int
    place: str = ""
    attendees: list[str] = field(default_factory=list)
    signatories: list[dict] = field(default_factory=list)  # [{"name", "role"}]
    note: str = ""
    # What the input says of each household (case id → passed); only used to refuse a false claim.
    passes: dict[int, bool] = field(default_factory=dict)


def meeting_passed(agreeing: int, attendee_count: int) -> bool:
    """At least half of the attendees agree (QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm b)."""
    return attendee_count > 0 and agreeing * 2 >= attendee_count


def _clean_meeting(campaign: Campaign, data: MeetingData, today: date) -> dict:
    errors: dict[str, list[str]] = {}
    chair, secretary = (data.chair or "").strip(), (data.secretary or "").strip()
    if not chair:
        errors["chair"] = [_("Hãy ghi người chủ trì cuộc họp.")]
    if not secretary:
        errors["secretary"] = [_("Hãy ghi thư ký cuộc họp.")]
    if data.attendee_count is None or data.attendee_count < 1:
        errors["attendee_count"] = [_("Số người dự họp phải từ 1 trở lên.")]
    if data.held_on is None:
        errors["held_on"] = [_("Hãy nhập ngày họp.")]
    elif data.held_on > today:
        errors["held_on"] = [_("Ngày họp không được ở tương lai.")]
    elif not campaign.period_start <= data.held_on <= campaign.period_end:
        errors["held_on"] = [_("Ngày họp phải trong thời gian của đợt rà soát (%(start)s – %(end)s).")
                             % {"start": _d(campaign.period_start), "end": _d(campaign.period_end)}]  # fmt: skip
    signatories = []
    for item in data.signatories or []:
        item = item if isinstance(item, dict) else {}
        name, role = str(item.get("name") or "").strip(), str(item.get("role") or "").strip()
        if not name and not role:
            continue
        if not name:
            errors.setdefault("signatories", []).append(_("Người ký biên bản phải có họ tên."))
            continue
        signatories.append({"name": name[:150], "role": role[:150]})
    if errors:
        raise ValidationError(errors)
    return {
        "held_on": data.held_on, "place": (data.place or "").strip()[:200], "chair": chair[:150],
        "secretary": secretary[:150], "attendees": [str(a).strip() for a in data.attendees or [] if str(a).strip()],
        "attendee_count": data.attendee_count, "signatories": signatories, "note": (data.note or "").strip(),
    }  # fmt: skip


def _check_case(case: ReviewCase, *, campaign: Campaign, village: AdminUnit, held_on: date) -> str | None:
    """Why `case` cannot be discussed at this meeting, or None."""
    if case.campaign_id != campaign.pk:
        return _("Hộ %(household)s không thuộc đợt rà soát này.") % {"household": case.household}
    if not case.unit_path.startswith(village.path):
        return _("Hộ %(household)s không ở %(village)s.") % {"household": case.household, "village": village.name}
    if case.state != CaseState.SURVEYED:
        return _("Hộ %(household)s đang ở bước “%(state)s”; chỉ đưa ra họp hộ đã chấm điểm phiếu B.") % {
            "household": case.household, "state": case.get_state_display()}  # fmt: skip
    if case.surveyed_on and held_on < case.surveyed_on:
        return _("Ngày họp trước ngày rà soát phiếu B của hộ %(household)s (%(day)s).") % {
            "household": case.household, "day": _d(case.surveyed_on)}  # fmt: skip
    return None


def _covered(campaign: Campaign, path: str) -> bool:
    paths = list(campaign.covered.values_list("unit_path", flat=True)) or [campaign.unit_path]
    return any(path.startswith(p) for p in paths)


def meeting_record(
    *, actor, campaign: Campaign, village: AdminUnit, data: MeetingData, results: list[tuple[ReviewCase, int]],
    today: date | None = None,
) -> VillageMeeting:  # fmt: skip
    """Record a village meeting and, per household discussed, how many attendees agreed with its
    provisional class: at least half → met (posting next); under half → back to phiếu B.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm b: the village head chairs the meeting; the results need the
    agreement of at least 50% of the attendees, otherwise the household is reviewed again and the
    meeting held again; the minutes (2 copies) are signed by the chair, the secretary and household
    representatives (`documents_survey.meeting_minutes_docx`).

    Refused (ValidationError, ApplicationError or PermissionDenied; nothing written): the village
    outside the actor's area or not a village of the campaign's units; campaign not open; results
    locked by approval; no household; a household not surveyed, not of that village or campaign, or
    listed twice; an agreeing count below 0 or above the attendees; no chair or secretary; no
    attendee; a meeting date in the future, outside the campaign period or before a household's
    phiếu B; a household claimed as passed (or failed) against the 50% rule.
    """
    require_perm(actor, RECORD_PERM, village,
                 _("%(unit)s không thuộc địa bàn bạn được ghi họp dân.") % {"unit": village.name})  # fmt: skip
    if village.level != Level.VILLAGE or not _covered(campaign, village.path):
        raise ValidationError({"village": [_("%(unit)s không phải thôn, tổ dân phố thuộc đợt rà soát này.")
                                           % {"unit": village.name}]})  # fmt: skip
    values = _clean_meeting(campaign, data, today_or(today))
    count = values["attendee_count"]
    if not results:
        raise ValidationError({"results": [_("Hãy ghi kết quả họp của ít nhất một hộ.")]})
    errors, seen, outcome = [], set(), []
    for case, agreeing in results:
        if case.pk in seen:
            errors.append(_("Hộ %(household)s được ghi hai lần.") % {"household": case.household})
            continue
        seen.add(case.pk)
        problem = _check_case(case, campaign=campaign, village=village, held_on=values["held_on"])
        if problem:
            errors.append(problem)
            continue
        if agreeing is None or agreeing < 0 or agreeing > count:
            errors.append(_("Số người đồng ý với hộ %(household)s phải từ 0 đến %(count)s (số người dự họp).")
                          % {"household": case.household, "count": count})  # fmt: skip
            continue
        passed = meeting_passed(agreeing, count)
        claimed = (data.passes or {}).get(case.pk)
        if claimed is not None and bool(claimed) != passed:
            if claimed:
                errors.append(_("Hộ %(household)s chỉ có %(agreeing)s/%(count)s người đồng ý, dưới 50%% người dự họp: "
                                "không được ghi là đạt.") % {"household": case.household, "agreeing": agreeing,
                                                             "count": count})  # fmt: skip
            else:
                errors.append(_("Hộ %(household)s có %(agreeing)s/%(count)s người đồng ý, từ 50%% trở lên: kết quả "
                                "là đạt.") % {"household": case.household, "agreeing": agreeing,
                                              "count": count})  # fmt: skip
            continue
        outcome.append((case, agreeing, passed))
    if errors:
        raise ValidationError({"results": errors})
    with transaction.atomic():
        locked_campaign = lock_open_campaign(campaign)
        ensure_unlocked(locked_campaign, village.path)
        meeting = VillageMeeting.objects.create(
            campaign=locked_campaign, village=village, unit_path=village.path, successor_path=village.successor_path,
            created_by=actor_user(actor), **values,
        )  # fmt: skip
        rows, summary = [], []
        for case, agreeing, passed in outcome:
            to = CaseState.MET if passed else CaseState.SURVEYING
            locked = lock_case(case, to)
            problem = _check_case(locked, campaign=locked_campaign, village=village, held_on=values["held_on"])
            if problem:
                raise ValidationError({"results": [problem]})
            rows.append(MeetingResult(meeting=meeting, case=locked, proposed_class=locked.provisional_class,
                                      agreeing=agreeing, passed=passed, unit_path=locked.unit_path))  # fmt: skip
            summary.append(
                {
                    "case": locked.pk,
                    "household": locked.household.code,
                    "proposed_class": locked.provisional_class,
                    "agreeing": agreeing,
                    "passed": passed,
                }
            )
            if passed:
                locked.state, locked.meeting = CaseState.MET, meeting
                locked.save(update_fields=["state", "meeting", "updated_at"])
            else:
                case_send_back(
                    locked, actor=actor, reason=BELOW_HALF_REASON, event_type=ReviewsEventType.CASE_RESURVEY,
                    extra={"meeting": meeting.pk, "agreeing": agreeing, "attendee_count": count},
                )  # fmt: skip
        MeetingResult.objects.bulk_create(rows)
        audit_record(
            actor=actor, event_type=ReviewsEventType.MEETING_RECORDED, target=meeting, unit_path=village.path,
            changes={"new": {"campaign": locked_campaign.pk, "village": village.path, "held_on": values["held_on"],
                             "chair": values["chair"], "secretary": values["secretary"], "attendee_count": count,
                             "results": summary}},
        )  # fmt: skip
    return meeting
