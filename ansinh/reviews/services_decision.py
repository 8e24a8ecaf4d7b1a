"""Writes of step 8–9 of the review: the commune chair's recognition decision and the certificates.

- `decision_record`: the decision (Quyết định công nhận, Mẫu số 02 of QĐ 24/2021/QĐ-TTg) recognising
  the commune's poor, near-poor, escaped-poverty, escaped-near-poverty and average-standard farming
  households (QĐ 24/2021/QĐ-TTg Điều 4 khoản 4). Every posted case of the commune is decided at once;
  recording it again after the results were returned for revision amends the same decision.
- `certificates_issue`: the certificates (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03),
  numbered per commune and year (``0001/2025/GCN-HN.HCN``).

Each function is one transaction that checks the actor's permission over the commune, validates,
writes and records its audit event; a refusal writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import PovertyClass, PovertyClassSource
from ansinh.registry.services import households_poverty_summary_set

from .choices import CampaignStatus, CaseState
from .events import ReviewsEventType
from .models import Campaign, Certificate, CommuneDecision, ReviewCase
from .selectors_inspection import open_discrepancies
from .selectors_posting import open_complaints
from .services_common import (
    actor_user,
    covered_paths,
    ensure_unlocked,
    lock_case,
    lock_open_campaign,
    require_perm,
    today_or,
)

RECORD_DECISION_PERM = "reviews.record_decision"

# Cases that have not yet reached the posting: the commune cannot decide while any remain.
PENDING_STATES = (CaseState.LISTED, CaseState.SURVEYING, CaseState.SURVEYED, CaseState.MET)
DECIDED_STATES = (CaseState.DECIDED, CaseState.APPROVED)
CERTIFIED_CLASSES = (PovertyClass.POOR, PovertyClass.NEAR_POOR)
COUNT_KEYS = ("poor", "near_poor", "escaped_poverty", "escaped_near_poverty", "average", "newly_poor",
              "newly_near_poor")  # fmt: skip
CERTIFICATE_SUFFIX = "GCN-HN.HCN"


@dataclass(frozen=True)
class DecisionData:
    number: str
    signed_on: date
    signer_name: str
    signer_position: str


def _clean(data: DecisionData) -> DecisionData:
    values = {"number": (data.number or "").strip(), "signer_name": (data.signer_name or "").strip(),
              "signer_position": (data.signer_position or "").strip()}  # fmt: skip
    errors = {}
    labels = {"number": _("Hãy ghi số quyết định."), "signer_name": _("Hãy ghi họ tên người ký."),
              "signer_position": _("Hãy ghi chức vụ người ký.")}  # fmt: skip
    for key, value in values.items():
        if not value:
            errors[key] = [labels[key]]
    if data.signed_on is None:
        errors["signed_on"] = [_("Hãy ghi ngày ký.")]
    if errors:
        raise ValidationError(errors)
    return DecisionData(signed_on=data.signed_on, **values)


def case_list_flags(previous: str, final: str) -> dict[str, bool]:
    """Which lists of the decision one household belongs to, from its class before and after the review.

    A household poor before and near-poor now escaped poverty and is a new near-poor household; a
    household that escaped near-poverty ends neither poor nor near-poor."""
    poor, near = PovertyClass.POOR, PovertyClass.NEAR_POOR
    return {
        "poor": final == poor,
        "near_poor": final == near,
        "escaped_poverty": previous == poor and final != poor,
        "escaped_near_poverty": previous == near and final not in (poor, near),
        "average": final == PovertyClass.AVERAGE,
        "newly_poor": final == poor and previous != poor,
        "newly_near_poor": final == near and previous != near,
    }


def decision_counts(decision: CommuneDecision) -> dict[str, int]:
    """Numbers of households on each list of the decision (its decided or approved cases)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    rows = (
        ReviewCase.objects.filter(decision=decision, state__in=DECIDED_STATES)
        .order_by().values_list("previous_class", "final_class").annotate(n=Count("pk"))
    )  # fmt: skip
    for previous, final, n in rows:
        for key, member in case_list_flags(previous, final).items():
            if member:
                counts[key] += n
    return counts


def _readiness_refusals(campaign: Campaign, commune: AdminUnit, signed_on: date, today: date) -> list[ReviewCase]:
    """The commune's posted cases, after checking that it may decide now (else ApplicationError)."""
    cases = ReviewCase.objects.filter(campaign=campaign, unit_path__startswith=commune.path)
    states = dict(cases.order_by().values_list("state").annotate(n=Count("pk")))
    if not states:
        raise ApplicationError(_("%(commune)s chưa có hộ nào trong đợt rà soát.") % {"commune": commune.name},
                               code="no_cases")  # fmt: skip
    pending = [(CaseState(s), states[s]) for s in PENDING_STATES if states.get(s)]
    if pending:
        raise ApplicationError(
            _("Còn hộ chưa xong các bước trước niêm yết, chưa ra quyết định được: %(counts)s.")
            % {"counts": "; ".join(f"{state.label}: {n}" for state, n in pending)},
            code="cases_pending", details={"states": {state.value: n for state, n in pending}},
        )  # fmt: skip
    posted = list(cases.filter(state=CaseState.POSTED).select_related("posting", "household"))
    if not posted:
        raise ApplicationError(_("%(commune)s không còn hộ nào đang niêm yết để ra quyết định.")
                               % {"commune": commune.name}, code="nothing_to_decide")  # fmt: skip
    missing = [c for c in posted if not c.provisional_class]
    if missing:
        raise ApplicationError(_("Hộ %(households)s chưa có kết quả sơ bộ.")
                               % {"households": ", ".join(c.household.code for c in missing)},
                               code="missing_result")  # fmt: skip
    ends = [c.posting.end_on for c in posted if c.posting_id]
    if ends and signed_on <= max(ends):
        raise ValidationError(
            {
                "signed_on": [
                    _("Ngày ký phải sau ngày hết niêm yết công khai (%(end)s).")
                    % {"end": max(ends).strftime("%d/%m/%Y")}
                ]
            }
        )
    if signed_on > today:
        raise ValidationError({"signed_on": [_("Ngày ký không được sau hôm nay.")]})
    if signed_on.year != campaign.year:
        raise ValidationError({"signed_on": [_("Ngày ký phải trong năm của đợt rà soát (%(year)s).")
                                             % {"year": campaign.year}]})  # fmt: skip
    complaints = open_complaints(campaign, commune.path).count()
    if complaints:
        raise ApplicationError(
            _("Còn %(n)s khiếu nại nhận trong thời gian niêm yết chưa có kết luận xác minh.") % {"n": complaints},
            code="open_complaints",
        )
    discrepancies = open_discrepancies(campaign, commune.path).count()
    if discrepancies:
        raise ApplicationError(
            _("Còn %(n)s hộ phúc tra có sai lệch mà xã chưa xử lý.") % {"n": discrepancies},
            code="open_discrepancies",
        )
    return posted


def decision_record(*, actor, campaign: Campaign, commune: AdminUnit, data: DecisionData,
                    today: date | None = None) -> CommuneDecision:  # fmt: skip
    """Record the commune chair's decision recognising the review results (Mẫu số 02, QĐ 24/2021/QĐ-TTg
    Điều 4 khoản 4): every posted case of the commune is decided with its provisional class as final
    class, the households' official class is updated, and the decision's list counts are computed.

    Refused (nothing written) when the actor may not record decisions over the commune, the campaign
    is not open, the commune is not one of the campaign's or its results are approved; when the
    commune has no case, a case has not reached the posting, none is posted; when the date is not
    after the posting ended, is in the future or outside the campaign's year; when an on-time
    complaint is still being verified or a re-inspection discrepancy is unresolved; when the number
    is already used by another decision of the commune in the same year.

    Recorded again after the results were returned for revision, it amends the same decision: new
    number, date and signer, the newly posted cases decided, the counts recomputed over all of them.
    """
    require_perm(
        actor,
        RECORD_DECISION_PERM,
        commune,
        _("%(unit)s không thuộc địa bàn bạn được ghi quyết định công nhận.") % {"unit": commune.name},
    )
    if commune.level != Level.COMMUNE or not any(commune.path.startswith(p) for p in covered_paths(campaign)):
        raise ValidationError(
            {"commune": [_("%(unit)s không phải xã thuộc đợt rà soát này.") % {"unit": commune.name}]}
        )
    data = _clean(data)
    today = today_or(today)
    with transaction.atomic():
        locked = lock_open_campaign(campaign)
        ensure_unlocked(locked, commune.path)
        posted = _readiness_refusals(locked, commune, data.signed_on, today)
        existing = CommuneDecision.objects.select_for_update().filter(campaign=locked, commune=commune).first()
        clash = CommuneDecision.objects.filter(commune=commune, signed_on__year=data.signed_on.year,
                                               number__iexact=data.number)  # fmt: skip
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            raise ValidationError({"number": [_("Số quyết định %(number)s đã dùng cho quyết định khác của xã trong "
                                                "năm %(year)s.") % {"number": data.number,
                                                                   "year": data.signed_on.year}]})  # fmt: skip
        old = None
        if existing is None:
            decision = CommuneDecision.objects.create(
                campaign=locked, commune=commune, number=data.number, signed_on=data.signed_on,
                signer_name=data.signer_name, signer_position=data.signer_position, unit_path=commune.path,
                successor_path=commune.successor_path, created_by=actor_user(actor),
            )  # fmt: skip
        else:
            decision = existing
            old = {"number": decision.number, "signed_on": decision.signed_on.isoformat(),
                   "signer_name": decision.signer_name, "counts": decision.counts}  # fmt: skip
            decision.number, decision.signed_on = data.number, data.signed_on
            decision.signer_name, decision.signer_position = data.signer_name, data.signer_position
            decision.save(update_fields=["number", "signed_on", "signer_name", "signer_position", "updated_at"])
        rows = []
        for case in posted:
            case = lock_case(case, CaseState.DECIDED)
            case.state, case.final_class, case.decision = CaseState.DECIDED, case.provisional_class, decision
            case.save(update_fields=["state", "final_class", "decision", "updated_at"])
            rows.append((case.household_id, case.final_class))
        households_poverty_summary_set(rows, standard_code=locked.standard.code, on_date=data.signed_on,
                                       source=PovertyClassSource.DECISION)  # fmt: skip
        decision.counts = decision_counts(decision)
        decision.save(update_fields=["counts", "updated_at"])
        new = {"number": decision.number, "signed_on": decision.signed_on.isoformat(),
               "signer_name": decision.signer_name, "signer_position": decision.signer_position,
               "counts": decision.counts, "decided": len(rows)}  # fmt: skip
        changes = {"old": old or {}, "new": new}
        if existing is not None:
            changes["amended"] = True
        audit_record(actor=actor, event_type=ReviewsEventType.DECISION_RECORDED, target=decision,
                     unit_path=commune.path, changes=changes)  # fmt: skip
    return decision


# -- certificates (Mẫu số 03) ---------------------------------------------------------------------


def certificate_number(seq: int, year: int) -> str:
    return f"{seq:04d}/{year}/{CERTIFICATE_SUFFIX}"


def certificates_issue(*, actor, decision: CommuneDecision, issued_on: date | None = None,
                       today: date | None = None) -> list[Certificate]:  # fmt: skip
    """Issue a certificate (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03 of QĐ 24/2021/QĐ-TTg) to
    every poor or near-poor household the decision recognised that has none yet.

    Numbers run per commune and year, across the campaigns of that year (the commune's row is locked
    while the next number is taken). Idempotent: running it again issues only the missing ones (and
    records nothing when none is missing). Issuing after the results are approved is allowed (it
    changes no result); refused when the campaign is cancelled, the date is before the decision or in
    the future, or the actor may not record decisions over the commune.
    """
    commune = decision.commune
    require_perm(
        actor,
        RECORD_DECISION_PERM,
        commune,
        _("%(unit)s không thuộc địa bàn bạn được cấp giấy chứng nhận.") % {"unit": commune.name},
    )
    today = today_or(today)
    issued_on = issued_on or today
    if issued_on < decision.signed_on:
        raise ValidationError({"issued_on": [_("Ngày cấp không được trước ngày ký quyết định (%(d)s).")
                                             % {"d": decision.signed_on.strftime("%d/%m/%Y")}]})  # fmt: skip
    if issued_on > today:
        raise ValidationError({"issued_on": [_("Ngày cấp không được sau hôm nay.")]})
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=decision.campaign_id)
        if campaign.status == CampaignStatus.CANCELLED:
            raise ApplicationError(_("Đợt rà soát đã hủy; không cấp giấy chứng nhận được."), code="campaign_cancelled")
        AdminUnit.objects.select_for_update().get(pk=commune.pk)
        cases = list(
            ReviewCase.objects.filter(decision=decision, state__in=DECIDED_STATES, final_class__in=CERTIFIED_CLASSES,
                                      certificate__isnull=True)
            .select_related("household", "household__village").order_by("household__village__sort_key",
                                                                          "household__code", "pk")
        )  # fmt: skip
        if not cases:
            return []
        last = Certificate.objects.filter(commune=commune, year=campaign.year).aggregate(m=Max("seq"))["m"] or 0
        user = actor_user(actor)
        issued = [
            Certificate(case=case, commune=commune, year=campaign.year, seq=last + i,
                        number=certificate_number(last + i, campaign.year), klass=case.final_class,
                        issued_on=issued_on, unit_path=case.unit_path, successor_path=case.successor_path,
                        created_by=user)
            for i, case in enumerate(cases, start=1)
        ]  # fmt: skip
        Certificate.objects.bulk_create(issued)
        audit_record(
            actor=actor, event_type=ReviewsEventType.CERTIFICATES_ISSUED, target=decision, unit_path=commune.path,
            changes={"new": {"issued_on": issued_on.isoformat(), "numbers": [c.number for c in issued],
                             "count": len(issued)}},
        )  # fmt: skip
    return issued
