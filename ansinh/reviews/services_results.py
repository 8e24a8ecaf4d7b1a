"""The frozen results of a review campaign (kết quả rà soát chốt): one `CampaignResult` per household
reviewed, with its transition from the previous review (`transitions.transition_of`).

Results are written once, by `results_freeze`, when the campaign's results are approved at the top of
its approval chain (QĐ 24/2021/QĐ-TTg Điều 4 khoản 4 and Điều 7: the province approves and reports the
results). Frozen results never change afterwards: there is no update service; a correction is a new
(monthly regular) review, whose results are frozen in their own campaign.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.poverty.models import Classification
from ansinh.registry.choices import PovertyClass

from .choices import ApprovalState, CampaignStatus, CaseState
from .events import ReviewsEventType
from .models import Campaign, CampaignResult, ReviewCase, UnitApproval
from .services_common import require_perm
from .transitions import transition_of

MANAGE_PERM = "reviews.manage_campaign"
BATCH_SIZE = 500

# A case is final when nothing more happens to it in this campaign.
FINAL_STATES = frozenset({CaseState.DECIDED, CaseState.APPROVED, CaseState.SCREENED_OUT, CaseState.WITHDRAWN})
TOP_APPROVED = frozenset({ApprovalState.APPROVED, ApprovalState.ACCEPTED})
LISTED_CLASSES = (PovertyClass.POOR.value, PovertyClass.NEAR_POOR.value)


def final_class_of(case: ReviewCase) -> str:
    """The class a case ends the campaign with: the recognised class once decided or approved; the
    class it had before for a household screened out by phiếu A (unchanged); "" when withdrawn."""
    if case.state in (CaseState.DECIDED, CaseState.APPROVED):
        return case.final_class
    if case.state == CaseState.SCREENED_OUT:
        return case.previous_class
    return ""


def _check_ready(campaign: Campaign) -> None:
    """The rule for freezing (refusals raise ApplicationError, nothing written):

    - not a cancelled campaign, and not frozen already (results exist);
    - at least one household in the campaign;
    - when the campaign has approval rows (`UnitApproval`), its top row(s) (no parent: the province,
      or the unit running the campaign) must be approved;
    - in every case every household must be final: decided, approved, screened out by phiếu A or
      withdrawn (a household still in the procedure has no result to freeze). For campaigns without
      approval rows (e.g. a monthly review a commune runs on its own) this is the whole rule.
    """
    if campaign.status == CampaignStatus.CANCELLED:
        raise ApplicationError(_("Đợt rà soát đã hủy; không chốt kết quả."), code="campaign_cancelled")
    if CampaignResult.objects.filter(campaign=campaign).exists():
        raise ApplicationError(_("Kết quả đợt rà soát này đã được chốt; kết quả đã chốt không sửa được."),
                               code="results_already_frozen")  # fmt: skip
    states = dict(ReviewCase.objects.filter(campaign=campaign).order_by().values_list("state").annotate(n=Count("pk")))
    if not states:
        raise ApplicationError(_("Đợt rà soát chưa có hộ nào; không có kết quả để chốt."), code="no_cases")
    approvals = UnitApproval.objects.filter(campaign=campaign)
    tops = list(approvals.filter(parent=None).select_related("unit").order_by("unit_path"))
    if approvals.exists():
        waiting = [t for t in tops if t.state not in TOP_APPROVED]
        if waiting or not tops:
            raise ApplicationError(
                _("Kết quả của %(units)s chưa được phê duyệt (hiện: %(states)s); phê duyệt xong mới chốt được.")
                % {"units": ", ".join(t.unit.name for t in waiting) or _("cấp cao nhất"),
                   "states": ", ".join(str(t.get_state_display()) for t in waiting) or "—"},
                code="results_not_approved",
            )  # fmt: skip
    open_ = {s: n for s, n in states.items() if s not in FINAL_STATES}
    if open_:
        detail = "; ".join(f"{CaseState(s).label}: {n}" for s, n in sorted(open_.items()))
        raise ApplicationError(
            _("Còn %(n)s hộ chưa có quyết định công nhận (%(detail)s); chỉ chốt được khi mọi hộ đã có quyết định, "
              "bị loại qua phiếu A hoặc đã rút khỏi đợt.") % {"n": sum(open_.values()), "detail": detail},
            code="cases_not_final",
        )  # fmt: skip


def _history(campaign: Campaign) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """For the campaign's households: the classes of their earlier frozen results (other campaigns that
    started before this one), and the poor / near-poor classes of their classifications before the
    campaign started (used only for households with no earlier result)."""
    households = ReviewCase.objects.filter(campaign=campaign).values("household_id")
    earlier: dict[int, set[str]] = {}
    rows = (CampaignResult.objects.filter(household_id__in=households, campaign__period_start__lt=campaign.period_start)
            .exclude(campaign=campaign).values_list("household_id", "final_class").distinct())  # fmt: skip
    for household_id, klass in rows:
        earlier.setdefault(household_id, set()).add(klass)
    classified: dict[int, set[str]] = {}
    rows = (Classification.objects.filter(household_id__in=households, on_date__lt=campaign.period_start,
                                          klass__in=LISTED_CLASSES)
            .values_list("household_id", "klass").distinct())  # fmt: skip
    for household_id, klass in rows:
        classified.setdefault(household_id, set()).add(klass)
    return earlier, classified


def results_freeze(*, actor, campaign: Campaign, today: date | None = None) -> int:
    """Freeze the campaign's results: one `CampaignResult` per household of the campaign (withdrawn ones
    included, with no final class), with its transition; returns how many were written.

    previous_class is the case's class before the review; final_class as `final_class_of`; the
    transition from `transitions.transition_of`, where "poor / near-poor before" means an earlier
    frozen result of another campaign had that class, or, for a household without any, a poverty
    classification before the campaign started did. `today` stamps `frozen_at` (default: now).

    Refused (nothing written) without ``reviews.manage_campaign`` over the campaign's unit, or when
    `_check_ready` says the results are not ready. One RESULTS_FROZEN audit event with the counts.
    """
    require_perm(
        actor,
        MANAGE_PERM,
        campaign.unit,
        _("Chỉ cán bộ quản lý đợt rà soát của %(unit)s được chốt kết quả.") % {"unit": campaign.unit.name},
    )
    frozen_at = timezone.now() if today is None else timezone.make_aware(datetime.combine(today, time(12)))
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("standard").get(pk=campaign.pk)
        _check_ready(locked)
        earlier, classified = _history(locked)
        cases = (ReviewCase.objects.filter(campaign=locked).select_related("household", "decision")
                 .order_by("unit_path", "pk"))  # fmt: skip
        transitions: Counter[str] = Counter()
        classes: Counter[str] = Counter()
        batch: list[CampaignResult] = []
        total = 0
        for case in cases.iterator(chunk_size=BATCH_SIZE):
            final = final_class_of(case)
            # Screened out by phiếu A: the household has a feature that excludes it from the lists, so a
            # household without any class before counts as not poor (not as having left the review).
            compared = final or (PovertyClass.NOT_POOR.value if case.state == CaseState.SCREENED_OUT else "")
            before = earlier.get(case.household_id)
            if before is None:
                before = classified.get(case.household_id, set())
            transition = transition_of(
                case.previous_class, compared, household_status=case.household.status,
                poor_before=PovertyClass.POOR in before, near_poor_before=PovertyClass.NEAR_POOR in before,
            )  # fmt: skip
            transitions[transition.value] += 1
            classes[final or "none"] += 1
            batch.append(CampaignResult(
                campaign=locked, household_id=case.household_id, case=case, previous_class=case.previous_class,
                final_class=final, transition=transition.value, standard_code=locked.standard.code,
                decided_on=case.decision.signed_on if case.decision_id else None, unit_path=case.unit_path,
                successor_path=case.successor_path, frozen_at=frozen_at,
            ))  # fmt: skip
            if len(batch) >= BATCH_SIZE:
                CampaignResult.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        if batch:
            CampaignResult.objects.bulk_create(batch)
            total += len(batch)
        audit_record(
            actor=actor, event_type=ReviewsEventType.RESULTS_FROZEN, target=locked, unit_path=locked.unit_path,
            changes={"new": {"results": total, "standard": locked.standard.code,
                             "transitions": dict(sorted(transitions.items())), "classes": dict(sorted(classes.items())),
                             "frozen_at": frozen_at.isoformat()}},
        )  # fmt: skip
    return total
