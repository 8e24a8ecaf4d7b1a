"""Checks every step of a review case shares (used by services_cases, services_survey, services_posting,
services_inspection, services_decision and services_approval):

- the actor holds the step's permission over the case's unit (`require_perm`);
- the campaign is open (`lock_open_campaign`, which also locks its row);
- the unit's results are not locked by an approval, nor the campaign's results frozen
  (`ensure_unlocked`, `approval_locked`, `results_frozen`);
- the case moves only along `choices.CASE_TRANSITIONS` (`lock_case`);
- a case sent back to phiếu B (`case_send_back`): meeting under 50%, an upheld complaint, a
  re-inspection finding the commune accepts.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError

from .choices import LOCKED_APPROVAL_STATES, CampaignStatus, CaseState, case_can_move
from .models import Campaign, CampaignResult, ReviewCase, UnitApproval

__all__ = [
    "actor_user",
    "ancestor_paths",
    "approval_locked",
    "case_send_back",
    "covered_paths",
    "ensure_unlocked",
    "lock_case",
    "lock_open_campaign",
    "require_perm",
    "results_frozen",
    "today_or",
]  # fmt: skip


def actor_user(actor):
    """The user to store as author (None for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def today_or(today: date | None) -> date:
    """`today` when a caller (a test, a replay) gives it, else the local date."""
    return today or timezone.localdate()


def covered_paths(campaign: Campaign) -> list[str]:
    """The unit paths the campaign covers (its own unit's when it lists none)."""
    return list(campaign.covered.values_list("unit_path", flat=True)) or [campaign.unit_path]


def require_perm(actor, perm: str, obj, message: str | None = None) -> None:
    """PermissionDenied unless `actor` holds `perm` over `obj` (a unit, a case or any placed object)."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("Việc này không thuộc quyền của bạn trên địa bàn này."))


def lock_open_campaign(campaign: Campaign) -> Campaign:
    """The campaign's row locked for this transaction; refused unless the campaign is open."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != CampaignStatus.OPEN:
        raise ApplicationError(
            _("Đợt rà soát không ở trạng thái đang rà soát (hiện: “%(status)s”); không ghi nhận hộ được.")
            % {"status": locked.get_status_display()},
            code="campaign_not_open",
        )
    return locked


def ancestor_paths(path: str) -> list[str]:
    """``/2025/38/16000/7/`` → [``/2025/``, ``/2025/38/``, ``/2025/38/16000/``, ``/2025/38/16000/7/``]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def approval_locked(campaign: Campaign, path: str) -> UnitApproval | None:
    """The approval row that locks `path` in `campaign` (its unit or an ancestor approved), if any."""
    return (
        UnitApproval.objects.filter(campaign=campaign, state__in=list(LOCKED_APPROVAL_STATES),
                                    unit_path__in=ancestor_paths(path))
        .select_related("unit").order_by("unit_path").first()
    )  # fmt: skip


def results_frozen(campaign: Campaign) -> bool:
    """Whether the campaign's results are frozen (`services_results.results_freeze`): nothing changes after."""
    return CampaignResult.objects.filter(campaign=campaign).exists()


def ensure_unlocked(campaign: Campaign, path: str) -> None:
    """Refused when the campaign's results are frozen, or the results of `path`'s unit (or a unit above it)
    are approved: approval locks them. No household may join, move or change in a locked unit."""
    if results_frozen(campaign):
        raise ApplicationError(
            _("Kết quả đợt rà soát này đã được chốt nên không ghi nhận hay sửa hộ nào được nữa."),
            code="results_frozen",
        )
    row = approval_locked(campaign, path)
    if row is not None:
        raise ApplicationError(
            _("Kết quả rà soát của %(unit)s đã được phê duyệt nên không sửa được; cấp trên phải trả lại để "
              "chỉnh sửa trước.") % {"unit": row.unit.name},
            code="results_locked",
        )  # fmt: skip


def lock_case(case: ReviewCase, to: str) -> ReviewCase:
    """The case's row locked, its campaign open, its unit not locked, and `to` allowed from its state."""
    locked = ReviewCase.objects.select_for_update().select_related("household", "campaign").get(pk=case.pk)
    lock_open_campaign(locked.campaign)
    ensure_unlocked(locked.campaign, locked.unit_path)
    if not case_can_move(locked.state, to):
        raise ApplicationError(
            _("Hộ đang ở bước “%(state)s”, không chuyển sang “%(to)s” được.")
            % {"state": locked.get_state_display(), "to": CaseState(to).label},
            code="invalid_transition",
        )
    return locked


def case_send_back(locked: ReviewCase, *, actor, reason: str, event_type, extra: dict | None = None) -> ReviewCase:
    """Move a locked case (from `lock_case(case, CaseState.SURVEYING)`) back to phiếu B: the meeting and
    posting it had no longer count; its provisional result is kept until the new phiếu B replaces it.
    Call inside the caller's transaction; records `event_type` with the reason."""
    old = locked.state
    locked.state, locked.meeting, locked.posting = CaseState.SURVEYING, None, None
    locked.save(update_fields=["state", "meeting", "posting", "updated_at"])
    audit_record(
        actor=actor, event_type=event_type, target=locked, unit_path=locked.unit_path,
        changes={"old": {"state": old}, "new": {"state": CaseState.SURVEYING.value}, "reason": reason,
                 **(extra or {})},
    )  # fmt: skip
    return locked
