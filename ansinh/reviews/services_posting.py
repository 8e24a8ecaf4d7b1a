"""Writes of steps 5 and 6 of the review (QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm c): the public posting
of the results agreed at the village meeting (niêm yết công khai) and the complaints raised about them
(khiếu nại), verified by the commune steering committee.

- `posting_open`: the results of a commune or village are posted at the places given (village cultural
  house, commune office) for N working days (default 3, from the campaign kind), weekends and Vietnamese
  public holidays (Tết included) not counted; every case of the unit agreed at the meeting moves to
  "posted". Posting before the meeting is refused.
- `complaint_record`: a complaint about one posted household; one received after the posting closed is
  recorded as late (and never as on time).
- `complaint_verify`: the commune steering committee's conclusion: upheld → the household goes back to
  phiếu B (and through the meeting and posting again); rejected → with the reason.

Every function is one transaction that checks the actor's permission over the unit or case, validates,
writes and records its audit event; a refusal writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.calendar import add_working_days
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from .choices import CaseState, ComplaintChannel, ComplaintStatus
from .events import ReviewsEventType
from .models import Campaign, Complaint, Posting, ReviewCase, VillageMeeting
from .services_common import (
    actor_user,
    case_send_back,
    covered_paths,
    ensure_unlocked,
    lock_case,
    lock_open_campaign,
    require_perm,
    today_or,
)  # fmt: skip

RECORD_PERM = "reviews.record_case"
HANDLE_COMPLAINT_PERM = "reviews.handle_complaint"
DEFAULT_WORKING_DAYS = 3
MAX_DAYS_AHEAD = 30  # a posting may be planned at most this many days ahead
MAX_WORKING_DAYS = 60


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def kind_working_days(campaign: Campaign) -> int:
    """The posting length (working days) of the campaign's kind (`posting_working_days`, default 3)."""
    try:
        return int(campaign.kind.spec().posting_working_days)
    except (ValueError, TypeError):
        return DEFAULT_WORKING_DAYS


def posting_end(start_on: date, working_days: int) -> date:
    """The last day of a posting of `working_days` working days starting on `start_on`."""
    return add_working_days(start_on, working_days)


def is_open_on(posting: Posting, day: date) -> bool:
    """Whether complaints received on `day` are within the posting (from its start to its end, included)."""
    return posting.start_on <= day <= posting.end_on


# -- step 5: public posting ---------------------------------------------------------------------


def posting_open(
    *, actor, campaign: Campaign, unit: AdminUnit, places: list[str], start_on: date, working_days: int | None = None,
    note: str = "", today: date | None = None,
) -> Posting:  # fmt: skip
    """Post the results of `unit` (a commune or a village of the campaign): every case of the unit agreed at
    the village meeting (state met) moves to posted, with the posting recorded on it.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm c: the results are posted publicly at the village cultural
    house and at the commune People's Committee office for 3 working days (the number comes from the
    campaign kind, `posting_working_days`); the end date skips weekends and public holidays (Bộ luật Lao
    động 2019 Điều 112, Tết included).

    Refused (nothing written): the actor may not record cases over the unit; the unit is not a commune or
    village of the campaign; the campaign not open; the unit's results locked by an approval; no place;
    working days below 1; a start more than 30 days ahead or before the latest meeting of the households;
    no household of the unit agreed at the meeting yet (posting before the meeting: the message says how
    many are still before it).
    """
    require_perm(actor, RECORD_PERM, unit, _("%(unit)s không thuộc địa bàn bạn được ghi nhận rà soát.")
                 % {"unit": unit.name})  # fmt: skip
    if unit.level not in (Level.COMMUNE, Level.VILLAGE) or not any(
        unit.path.startswith(p) for p in covered_paths(campaign)
    ):
        raise ValidationError({"unit": _("%(unit)s không phải xã hoặc thôn thuộc đợt rà soát này.")
                               % {"unit": unit.name}})  # fmt: skip
    on_date = today_or(today)
    places = [p.strip() for p in (places or []) if p and p.strip()]
    errors: dict[str, list[str]] = {}
    if not places:
        errors["places"] = [_("Hãy ghi ít nhất một nơi niêm yết (ví dụ: Nhà văn hóa thôn, Trụ sở UBND xã).")]
    elif any(len(p) > 200 for p in places):
        errors["places"] = [_("Mỗi nơi niêm yết tối đa 200 ký tự.")]
    if working_days is None:
        working_days = kind_working_days(campaign)
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        errors["working_days"] = [_("Số ngày niêm yết là số ngày làm việc, ít nhất 1 ngày.")]
    elif working_days > MAX_WORKING_DAYS:
        errors["working_days"] = [_("Số ngày niêm yết tối đa %(n)s ngày làm việc.") % {"n": MAX_WORKING_DAYS}]
    if start_on is None:
        errors["start_on"] = [_("Hãy nhập ngày bắt đầu niêm yết.")]
    elif start_on > on_date + timedelta(days=MAX_DAYS_AHEAD):
        errors["start_on"] = [_("Ngày bắt đầu niêm yết không được sau hôm nay quá %(n)s ngày.") % {"n": MAX_DAYS_AHEAD}]
    if errors:
        raise ValidationError(errors)
    end_on = posting_end(start_on, working_days)
    with transaction.atomic():
        locked_campaign = lock_open_campaign(campaign)
        ensure_unlocked(locked_campaign, unit.path)
        in_unit = ReviewCase.objects.filter(campaign=locked_campaign, unit_path__startswith=unit.path)
        met_ids = list(in_unit.filter(state=CaseState.MET).order_by("unit_path", "id").values_list("pk", flat=True))
        if not met_ids:
            before = in_unit.filter(state__in=[CaseState.SURVEYING, CaseState.SURVEYED]).count()
            raise ApplicationError(
                _("Chưa niêm yết được: %(unit)s chưa có hộ nào được họp dân thống nhất kết quả (%(count)s hộ còn "
                  "đang rà soát phiếu B hoặc chờ họp dân). Niêm yết sau khi họp dân.")
                % {"unit": unit.name, "count": before},
                code="posting_before_meeting",
            )  # fmt: skip
        latest = VillageMeeting.objects.filter(pk__in=in_unit.filter(pk__in=met_ids).values("meeting_id")).aggregate(
            latest=Max("held_on")
        )["latest"]
        if latest is not None and start_on < latest:
            raise ValidationError({"start_on": [
                _("Ngày bắt đầu niêm yết (%(start)s) trước ngày họp dân (%(meeting)s); chỉ niêm yết sau khi họp dân.")
                % {"start": _d(start_on), "meeting": _d(latest)}
            ]})  # fmt: skip
        posting = Posting.objects.create(
            campaign=locked_campaign, unit=unit, places=places, start_on=start_on, working_days=working_days,
            end_on=end_on, note=(note or "").strip(), unit_path=unit.path, successor_path=unit.successor_path,
            created_by=actor_user(actor),
        )  # fmt: skip
        for pk in met_ids:
            case = lock_case(ReviewCase(pk=pk), CaseState.POSTED)
            case.state, case.posting = CaseState.POSTED, posting
            case.save(update_fields=["state", "posting", "updated_at"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.POSTING_OPENED, target=posting, unit_path=unit.path,
            changes={"new": {"posting": posting.pk, "campaign": locked_campaign.pk, "unit": unit.path,
                             "places": places, "start_on": start_on, "working_days": working_days,
                             "end_on": end_on, "cases": met_ids}},
        )  # fmt: skip
    return posting


# -- step 6: complaints -------------------------------------------------------------------------


@dataclass
class ComplaintData:
    """A complaint as received: who, about what, how and when. `late_claimed` is what the person recording
    it says (None: let the dates decide); it must agree with the posting's dates."""

    complainant_name: str
    content: str
    channel: str
    received_on: date
    complainant_contact: str = ""
    late_claimed: bool | None = None


def _clean_complaint(data: ComplaintData, posting: Posting | None, today: date) -> bool:
    """Validate; return whether the complaint is late (received after the posting's end)."""
    errors: dict[str, list[str]] = {}
    if not (data.complainant_name or "").strip():
        errors["complainant_name"] = [_("Hãy ghi họ tên người khiếu nại.")]
    elif len(data.complainant_name.strip()) > 150:
        errors["complainant_name"] = [_("Họ tên tối đa 150 ký tự.")]
    if len((data.complainant_contact or "").strip()) > 200:
        errors["complainant_contact"] = [_("Địa chỉ, điện thoại tối đa 200 ký tự.")]
    if not (data.content or "").strip():
        errors["content"] = [_("Hãy ghi nội dung khiếu nại.")]
    if data.channel not in ComplaintChannel.values:
        errors["channel"] = [_("Hãy chọn hình thức khiếu nại.")]
    late = False
    if data.received_on is None:
        errors["received_on"] = [_("Hãy nhập ngày nhận khiếu nại.")]
    elif data.received_on > today:
        errors["received_on"] = [_("Ngày nhận khiếu nại không được ở tương lai.")]
    elif posting is not None and data.received_on < posting.start_on:
        errors["received_on"] = [_("Ngày nhận (%(received)s) trước ngày bắt đầu niêm yết (%(start)s).")
                                 % {"received": _d(data.received_on), "start": _d(posting.start_on)}]  # fmt: skip
    elif posting is not None:
        late = data.received_on > posting.end_on
        if data.late_claimed is False and late:
            errors["late_claimed"] = [
                _("Khiếu nại nhận ngày %(received)s, sau khi hết thời gian niêm yết (%(end)s): chỉ khiếu nại được "
                  "trong thời gian niêm yết; khiếu nại nhận muộn được ghi là nhận sau khi hết niêm yết, không ghi là "
                  "đúng hạn.") % {"received": _d(data.received_on), "end": _d(posting.end_on)}
            ]  # fmt: skip
        elif data.late_claimed is True and not late:
            errors["late_claimed"] = [
                _("Khiếu nại nhận ngày %(received)s, trong thời gian niêm yết (%(start)s – %(end)s), không phải nhận "
                  "muộn.") % {"received": _d(data.received_on), "start": _d(posting.start_on),
                              "end": _d(posting.end_on)}
            ]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return late


def complaint_record(*, actor, case: ReviewCase, data: ComplaintData, today: date | None = None) -> Complaint:
    """Record a complaint about one posted household's result.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm c: complaints are raised while the results are posted; the
    commune steering committee verifies them. A complaint received after the posting ended is recorded
    with `late` set (it does not hold up the commune's decision) and can never be recorded as on time.

    Refused (nothing written): the actor may not handle complaints over the case; the campaign not open;
    the household not posted; name, content or channel missing; received in the future or before the
    posting started; a `late_claimed` that contradicts the dates (a late complaint claimed on time).
    """
    require_perm(actor, HANDLE_COMPLAINT_PERM, case,
                 _("Hộ này không thuộc địa bàn bạn được tiếp nhận khiếu nại."))  # fmt: skip
    posting = Posting.objects.filter(pk=case.posting_id).first() if case.posting_id else None
    if posting is None:
        raise ApplicationError(
            _("Hộ chưa được niêm yết: chỉ tiếp nhận khiếu nại về kết quả đang niêm yết công khai."),
            code="case_not_posted",
        )
    late = _clean_complaint(data, posting, today_or(today))
    with transaction.atomic():
        locked_campaign = lock_open_campaign(case.campaign)
        locked = ReviewCase.objects.select_for_update().get(pk=case.pk)
        if locked.posting_id != posting.pk:
            raise ApplicationError(_("Hộ chưa được niêm yết: chỉ tiếp nhận khiếu nại về kết quả đang niêm yết công "
                                     "khai."), code="case_not_posted")  # fmt: skip
        complaint = Complaint.objects.create(
            campaign=locked_campaign, case=locked, posting=posting,
            complainant_name=data.complainant_name.strip(),
            complainant_contact=(data.complainant_contact or "").strip(),
            content=data.content.strip(), channel=data.channel, received_on=data.received_on, late=late,
            unit_path=locked.unit_path, successor_path=locked.successor_path, created_by=actor_user(actor),
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.COMPLAINT_RECORDED, target=complaint, unit_path=locked.unit_path,
            changes={"new": {"complaint": complaint.pk, "case": locked.pk, "posting": posting.pk,
                             "complainant_name": complaint.complainant_name, "channel": complaint.channel,
                             "received_on": complaint.received_on, "late": late}},
        )  # fmt: skip
    return complaint


def complaint_verify(
    *, actor, complaint: Complaint, upheld: bool, reason: str, verified_on: date | None = None,
    today: date | None = None,
) -> Complaint:  # fmt: skip
    """The commune steering committee's conclusion on a complaint.

    QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm c: the steering committee verifies the complaint; when it is
    right the household is reviewed again (back to phiếu B, then the meeting and posting again, Điều 4
    khoản 2 điểm b); when it is not, the reason is recorded. Upheld while the household is posted: the
    case goes back to surveying (event CASE_RESURVEY citing the complaint).

    Refused (nothing written): the actor may not handle complaints over the case; the complaint already
    concluded; no reason; verified before it was received or in the future; the campaign not open; the
    commune's results locked by an approval.
    """
    require_perm(actor, HANDLE_COMPLAINT_PERM, complaint.case,
                 _("Hộ này không thuộc địa bàn bạn được xác minh khiếu nại."))  # fmt: skip
    on_date = today_or(today)
    verified_on = verified_on or on_date
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Hãy ghi kết luận xác minh, lý do (cả khi khiếu nại đúng và không đúng).")]
    if verified_on > on_date:
        errors["verified_on"] = [_("Ngày xác minh không được ở tương lai.")]
    elif verified_on < complaint.received_on:
        errors["verified_on"] = [_("Ngày xác minh (%(on)s) trước ngày nhận khiếu nại (%(received)s).")
                                 % {"on": _d(verified_on), "received": _d(complaint.received_on)}]  # fmt: skip
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().select_related("case").get(pk=complaint.pk)
        if locked.status != ComplaintStatus.OPEN:
            raise ApplicationError(
                _("Khiếu nại này đã có kết luận (%(status)s).") % {"status": locked.get_status_display()},
                code="complaint_concluded",
            )
        campaign = lock_open_campaign(locked.campaign)
        ensure_unlocked(campaign, locked.unit_path)
        old = locked.status
        locked.status = ComplaintStatus.UPHELD if upheld else ComplaintStatus.REJECTED
        locked.outcome_reason, locked.verified_on, locked.verified_by = reason, verified_on, actor_user(actor)
        locked.save(update_fields=["status", "outcome_reason", "verified_on", "verified_by", "updated_at"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.COMPLAINT_VERIFIED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"status": old}, "new": {"status": locked.status, "reason": reason,
                                                     "verified_on": verified_on, "case": locked.case_id}},
        )  # fmt: skip
        if upheld and locked.case.state == CaseState.POSTED:
            case = lock_case(locked.case, CaseState.SURVEYING)
            case_send_back(
                case, actor=actor, event_type=ReviewsEventType.CASE_RESURVEY,
                reason=_("Khiếu nại số %(id)s (%(name)s) được xác minh là đúng: %(reason)s")
                % {"id": locked.pk, "name": locked.complainant_name, "reason": reason},
                extra={"complaint": locked.pk},
            )  # fmt: skip
    return locked
