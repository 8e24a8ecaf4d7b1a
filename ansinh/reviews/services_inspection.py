"""Writes of re-inspection (phúc tra, step 7 of the review): a higher level orders it for a commune and
samples households, its inspectors record their own findings, the commune resolves each discrepancy
(explains it, or sends the household back to phiếu B), and the re-inspection is closed.

Legal basis: QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm d (the commune reports to the district, which gives
its opinion and may re-check); the provinces' plans (e.g. Đắk Lắk 6828/KH-UBND of 21/8/2019: districts
and the labour department "kiểm tra, phúc tra" commune results, especially where they do not fit local
reality or where there are complaints). The details (sample, findings, resolution) are [M]: the
procedure names the step, not its form.

Every function is one transaction that checks the actor's permission over the commune or the case,
validates, writes and records its audit event; a refusal writes nothing at all.
"""

from __future__ import annotations

import random
import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import PovertyClass

from .choices import CaseState, ReinspectionStatus
from .events import ReviewsEventType
from .models import Campaign, Reinspection, ReinspectionSample, ReviewCase
from .selectors_inspection import REINSPECT_PERM, RESOLVE_PERM, campaign_communes, commune_reasons, eligible_cases
from .services_common import (
    actor_user,
    case_send_back,
    ensure_unlocked,
    lock_case,
    lock_open_campaign,
    require_perm,
    today_or,
)

MAX_SAMPLE = 500


def _commune_class(case: ReviewCase) -> str:
    """The commune's result for the household: the decided class, else the provisional one."""
    return case.final_class or case.provisional_class


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ordering_unit(actor, commune: AdminUnit) -> AdminUnit | None:
    """The unit above `commune` from which `actor` orders a re-inspection: among the actor's active role
    assignments granting the re-inspection permission, the nearest unit whose path is a proper prefix of
    the commune's path (or of its successor's, for a legacy commune seen from the 2025 structure)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    paths = [p for p in (commune.path, commune.successor_path) if p]
    best = None
    for assignment in actor.active_assignments():
        unit = assignment.unit
        if unit is None or REINSPECT_PERM not in actor.role_perms(assignment):
            continue
        above = any(p.startswith(unit.path) and p != unit.path for p in paths)
        if above and (best is None or len(unit.path) > len(best.path)):
            best = unit
    return best


def _clean_reasons(reasons, known: list[dict]) -> list[dict]:
    texts = [str(r).strip() for r in (reasons or []) if str(r or "").strip()]
    if not texts:
        raise ValidationError({"reasons": _("Hãy ghi lý do chọn xã để phúc tra (ví dụ: tỷ lệ nghèo giảm bất thường, "
                                            "có khiếu nại).")})  # fmt: skip
    codes = {r["text"]: r["code"] for r in known}
    return [{"code": codes.get(text, "other"), "text": text[:500]} for text in dict.fromkeys(texts)]


def reinspection_order(
    *, actor, campaign: Campaign, commune: AdminUnit, reasons: list[str], cases: list[ReviewCase] | None = None,
    sample_size: int | None = None, seed: int | None = None, today: date | None = None,
) -> Reinspection:  # fmt: skip
    """The higher level (district, province, inspectors) orders a re-inspection of one commune of the
    campaign with its reasons, on the households it names or on a reproducible random sample of
    `sample_size` households (seeded with `seed`, recorded in the audit event). Each sample keeps the
    commune's result at the time (decided class, else provisional) to compare with the finding.

    Refused (nothing written): the actor lacks the re-inspection permission over the commune, or orders
    from no unit above it (a commune does not re-inspect itself); the campaign not open; the unit not a
    commune of the campaign; no reason; neither or both of `cases` and `sample_size`; a named household
    not of that commune or without a provisional result (phiếu B not scored, screened out, withdrawn);
    a sample size out of range; no household to sample; an open re-inspection of the commune already.
    """
    require_perm(actor, REINSPECT_PERM, commune,
                 _("%(unit)s không thuộc địa bàn bạn được phúc tra.") % {"unit": commune.name})  # fmt: skip
    ordered_by = ordering_unit(actor, commune)
    if ordered_by is None:
        raise PermissionDenied(_("Phúc tra do cấp trên của xã quyết định; tài khoản của bạn không thuộc cấp nào "
                                 "trên %(unit)s.") % {"unit": commune.name})  # fmt: skip
    if commune.level != Level.COMMUNE or not campaign_communes(campaign).filter(pk=commune.pk).exists():
        raise ValidationError({"commune": _("%(unit)s không phải xã thuộc đợt rà soát này.") % {"unit": commune.name}})
    on_date = today_or(today)
    clean_reasons = _clean_reasons(reasons, commune_reasons(campaign, commune))
    if (cases is None) == (sample_size is None):
        raise ValidationError({"cases": _("Hãy chọn các hộ cần phúc tra hoặc nhập số hộ chọn ngẫu nhiên (một trong "
                                          "hai).")})  # fmt: skip
    with transaction.atomic():
        locked = lock_open_campaign(campaign)
        if Reinspection.objects.filter(campaign=locked, unit=commune, status=ReinspectionStatus.OPEN).exists():
            raise ApplicationError(
                _("%(unit)s đang có đợt phúc tra chưa kết thúc; hãy ghi kết quả và kết thúc đợt đó trước.")
                % {"unit": commune.name},
                code="reinspection_already_open",
            )
        eligible = eligible_cases(locked, commune)
        used_seed = None
        if cases is not None:
            wanted = list(dict.fromkeys(c.pk for c in cases))
            if not wanted:
                raise ValidationError({"cases": _("Hãy chọn ít nhất một hộ để phúc tra.")})
            picked = list(eligible.filter(pk__in=wanted))
            if len(picked) != len(wanted):
                bad = ReviewCase.objects.filter(pk__in=set(wanted) - {c.pk for c in picked}).select_related("household")
                raise ValidationError({"cases": _("Các hộ sau không thuộc %(unit)s hoặc chưa có kết quả sơ bộ (phiếu "
                                                  "B) nên không phúc tra được: %(households)s.")
                                       % {"unit": commune.name,
                                          "households": "; ".join(str(c.household) for c in bad)}})  # fmt: skip
        else:
            ids = list(eligible.values_list("pk", flat=True))
            if not isinstance(sample_size, int) or not 1 <= sample_size <= MAX_SAMPLE:
                raise ValidationError({"sample_size": _("Số hộ chọn ngẫu nhiên phải từ 1 đến %(max)s.")
                                       % {"max": MAX_SAMPLE}})  # fmt: skip
            if not ids:
                raise ApplicationError(_("%(unit)s chưa có hộ nào có kết quả sơ bộ (phiếu B) để phúc tra.")
                                       % {"unit": commune.name}, code="nothing_to_sample")  # fmt: skip
            if sample_size > len(ids):
                message = _("%(unit)s chỉ có %(n)s hộ có kết quả sơ bộ; hãy chọn tối đa %(n)s hộ.")
                raise ValidationError({"sample_size": message % {"unit": commune.name, "n": len(ids)}})
            used_seed = seed if seed is not None else secrets.randbelow(2**31)
            # Not for secrecy: a seeded draw anyone can repeat to check the sample (the seed is audited).
            chosen = set(random.Random(used_seed).sample(sorted(ids), sample_size))  # noqa: S311
            picked = [c for c in eligible if c.pk in chosen]
        reinspection = Reinspection.objects.create(
            campaign=locked, unit=commune, ordered_by_unit=ordered_by, ordered_on=on_date, reasons=clean_reasons,
            unit_path=commune.path, successor_path=commune.successor_path, created_by=actor_user(actor),
        )  # fmt: skip
        ReinspectionSample.objects.bulk_create([
            ReinspectionSample(reinspection=reinspection, case=c, commune_class=_commune_class(c),
                               unit_path=c.unit_path)
            for c in picked
        ])  # fmt: skip
        audit_record(
            actor=actor, event_type=ReviewsEventType.REINSPECTION_ORDERED, target=reinspection, unit_path=commune.path,
            changes={"new": {"campaign": locked.pk, "unit": commune.path, "ordered_by": ordered_by.path,
                             "ordered_on": on_date, "reasons": clean_reasons, "cases": [c.pk for c in picked],
                             "sample_size": sample_size, "seed": used_seed}},
        )  # fmt: skip
    return reinspection


def _lock_sample(sample: ReinspectionSample) -> ReinspectionSample:
    return (
        ReinspectionSample.objects.select_for_update()
        .select_related("reinspection", "reinspection__campaign", "case", "case__household").get(pk=sample.pk)
    )  # fmt: skip


def finding_record(
    *, actor, sample: ReinspectionSample, found_class: str, findings: str, inspector_name: str,
    inspected_on: date, today: date | None = None,
) -> ReinspectionSample:  # fmt: skip
    """An inspector records their own finding for one sampled household; it is a discrepancy when the
    class found differs from the commune's result. It may be recorded again (corrected) until the
    commune has resolved the discrepancy.

    Refused (nothing written): the actor lacks the re-inspection permission over the household; the
    re-inspection closed or the campaign not open; the class missing or unknown; the date missing, in the
    future or before the order; no inspector name; a discrepancy without findings; a discrepancy the
    commune already resolved.
    """
    require_perm(actor, REINSPECT_PERM, sample.case, _("Hộ này không thuộc địa bàn bạn được phúc tra."))
    on_date = today_or(today)
    errors: dict[str, list[str]] = {}
    if found_class not in PovertyClass.values:
        errors["found_class"] = [_("Hãy chọn kết quả phúc tra (hộ nghèo, hộ cận nghèo, …).")]
    inspector_name = (inspector_name or "").strip() or getattr(actor, "full_name", "") or ""
    if not inspector_name:
        errors["inspector_name"] = [_("Hãy ghi họ tên người phúc tra.")]
    if inspected_on is None:
        errors["inspected_on"] = [_("Hãy nhập ngày phúc tra.")]
    elif inspected_on > on_date:
        errors["inspected_on"] = [_("Ngày phúc tra không được ở tương lai.")]
    elif inspected_on < sample.reinspection.ordered_on:
        errors["inspected_on"] = [_("Ngày phúc tra không được trước ngày quyết định phúc tra (%(day)s).")
                                  % {"day": _fmt(sample.reinspection.ordered_on)}]  # fmt: skip
    findings = (findings or "").strip()
    if found_class in PovertyClass.values and found_class != sample.commune_class and not findings:
        errors["findings"] = [_("Kết quả phúc tra khác kết quả của xã: hãy ghi rõ nhận xét, căn cứ.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_sample(sample)
        lock_open_campaign(locked.reinspection.campaign)
        if locked.reinspection.status != ReinspectionStatus.OPEN:
            raise ApplicationError(_("Đợt phúc tra đã kết thúc; không ghi thêm kết quả được."),
                                   code="reinspection_closed")  # fmt: skip
        if locked.resolved_on is not None:
            raise ApplicationError(_("Xã đã xử lý sai lệch của hộ này ngày %(day)s; không sửa kết quả phúc tra được.")
                                   % {"day": _fmt(locked.resolved_on)}, code="sample_resolved")  # fmt: skip
        old = {"found_class": locked.found_class, "findings": locked.findings, "discrepancy": locked.discrepancy,
               "inspector_name": locked.inspector_name, "inspected_on": locked.inspected_on}  # fmt: skip
        locked.found_class, locked.findings = found_class, findings
        locked.inspector_name, locked.inspected_on = inspector_name[:150], inspected_on
        locked.discrepancy = found_class != locked.commune_class
        locked.save()
        audit_record(
            actor=actor, event_type=ReviewsEventType.REINSPECTION_FINDING, target=locked.case,
            unit_path=locked.unit_path,
            changes={"old": old, "new": {"reinspection": locked.reinspection_id, "sample": locked.pk,
                                         "commune_class": locked.commune_class, "found_class": found_class,
                                         "findings": findings, "discrepancy": locked.discrepancy,
                                         "inspector_name": locked.inspector_name, "inspected_on": inspected_on}},
        )  # fmt: skip
    return locked


def discrepancy_resolve(
    *, actor, sample: ReinspectionSample, resolution: str, resurvey: bool, today: date | None = None
) -> ReinspectionSample:
    """The commune explains or handles a discrepancy found by the re-inspection: the resolution text, and
    when the commune accepts the finding, the household goes back to phiếu B (its meeting and posting no
    longer count; it is surveyed, met and posted again). The commune decision and the approval refuse
    while a discrepancy is unresolved.

    Refused (nothing written): the actor may not record cases over the household; no resolution text;
    the sample has no discrepancy or is already resolved; the campaign not open; the commune's results
    locked by an approval; a re-survey the household's step does not allow.
    """
    require_perm(actor, RESOLVE_PERM, sample.case, _("Hộ này không thuộc địa bàn bạn được xử lý kết quả rà soát."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Hãy ghi nội dung giải trình hoặc cách xã xử lý sai lệch.")})
    on_date = today_or(today)
    with transaction.atomic():
        locked = _lock_sample(sample)
        campaign = lock_open_campaign(locked.reinspection.campaign)
        if not locked.discrepancy:
            raise ApplicationError(_("Kết quả phúc tra của hộ này không sai lệch với kết quả của xã; không cần xử lý."),
                                   code="no_discrepancy")  # fmt: skip
        if locked.resolved_on is not None:
            raise ApplicationError(_("Sai lệch của hộ này đã được xử lý ngày %(day)s.")
                                   % {"day": _fmt(locked.resolved_on)}, code="already_resolved")  # fmt: skip
        ensure_unlocked(campaign, locked.case.unit_path)
        if resurvey:
            case = lock_case(locked.case, CaseState.SURVEYING)
            case_send_back(
                case, actor=actor, reason=resolution, event_type=ReviewsEventType.CASE_RESURVEY,
                extra={"reinspection": locked.reinspection_id, "sample": locked.pk, "found_class": locked.found_class},
            )  # fmt: skip
        locked.resolution, locked.resolved_on, locked.resolved_by = resolution, on_date, actor_user(actor)
        locked.save(update_fields=["resolution", "resolved_on", "resolved_by"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.DISCREPANCY_RESOLVED, target=locked.case,
            unit_path=locked.unit_path,
            changes={"old": {"resolved_on": None},
                     "new": {"reinspection": locked.reinspection_id, "sample": locked.pk, "resolution": resolution,
                             "resolved_on": on_date, "resurvey": bool(resurvey),
                             "commune_class": locked.commune_class, "found_class": locked.found_class}},
        )  # fmt: skip
    return locked


def reinspection_close(*, actor, reinspection: Reinspection, today: date | None = None) -> Reinspection:
    """The re-inspection team closes its work once every sampled household has a finding (discrepancies
    may still wait for the commune: they block the decision and the approval, not the closing).

    Refused (nothing written): the actor lacks the re-inspection permission over the commune; the
    re-inspection already closed; the campaign not open; a sampled household without a finding.
    """
    require_perm(actor, REINSPECT_PERM, reinspection, _("Xã này không thuộc địa bàn bạn được phúc tra."))
    on_date = today_or(today)
    with transaction.atomic():
        locked = Reinspection.objects.select_for_update().select_related("campaign", "unit").get(pk=reinspection.pk)
        lock_open_campaign(locked.campaign)
        if locked.status != ReinspectionStatus.OPEN:
            raise ApplicationError(_("Đợt phúc tra đã kết thúc."), code="reinspection_closed")
        if on_date < locked.ordered_on:
            raise ValidationError({"closed_on": _("Ngày kết thúc không được trước ngày quyết định phúc tra.")})
        missing = list(locked.samples.filter(found_class="").select_related("case__household"))
        if missing:
            raise ApplicationError(
                _("Còn %(n)s hộ chưa ghi kết quả phúc tra: %(households)s.")
                % {"n": len(missing), "households": "; ".join(str(s.case.household) for s in missing[:10])},
                code="findings_missing",
            )
        counts = {"samples": locked.samples.count(), "discrepancies": locked.samples.filter(discrepancy=True).count()}
        locked.status, locked.closed_on = ReinspectionStatus.CLOSED, on_date
        locked.save(update_fields=["status", "closed_on", "updated_at"])
        audit_record(
            actor=actor, event_type=ReviewsEventType.REINSPECTION_CLOSED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"status": ReinspectionStatus.OPEN.value},
                     "new": {"status": ReinspectionStatus.CLOSED.value, "closed_on": on_date, **counts}},
        )  # fmt: skip
    return locked
