"""Reads of re-inspection (phúc tra, step 7 of the review): which communes look suspicious, the
re-inspections ordered and the discrepancies still open.

A higher level re-inspects communes "where results do not fit local reality or where there are
complaints" (Đắk Lắk plan 6828/KH-UBND of 21/8/2019; QĐ 24/2021/QĐ-TTg Điều 4 khoản 2 điểm d: the
district gives its opinion and may re-check). `suspicious_units` puts numbers on the first part:
each commune's change in poverty rate (percentage points) against the whole campaign's, with the
threshold in ``data/reinspection.json`` (a provincial choice, not law: [M] provisional).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from ansinh.core.scoping import scope_of
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import HouseholdStatus, PovertyClass
from ansinh.registry.models import Household

from .choices import CaseState
from .models import Campaign, Complaint, Reinspection, ReinspectionSample, ReviewCase

VIEW_PERM = "reviews.view_reinspection"
REINSPECT_PERM = "reviews.reinspect"
RESOLVE_PERM = "reviews.record_case"
THRESHOLD_FILE = Path(__file__).resolve().parent / "data" / "reinspection.json"

# A household can be re-inspected once it has a provisional result (phiếu B scored) and is still in
# the review: surveyed or any later step.
SAMPLE_STATES = (CaseState.SURVEYED, CaseState.MET, CaseState.POSTED, CaseState.DECIDED, CaseState.APPROVED)


@cache
def _threshold_file(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def rate_gap_points(path: Path | None = None) -> float:
    """The gap (in percentage points) between a commune's change and the campaign's change that makes
    the commune suspicious (``data/reinspection.json``; [M] provisional, set by the province)."""
    return float(_threshold_file(str(path or THRESHOLD_FILE))["rate_gap_points"])


# -- communes and their rates ---------------------------------------------------------------------


def campaign_communes(campaign: Campaign) -> QuerySet[AdminUnit]:
    """The communes the campaign covers: covered communes themselves, and the communes under covered
    districts or provinces (a legacy campaign covers districts)."""
    paths = list(campaign.covered.values_list("unit_path", flat=True)) or [campaign.unit_path]
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return AdminUnit.objects.filter(condition, level=Level.COMMUNE).order_by("sort_key", "path")


def _now_class():
    """A case's class as it stands: the decided class, else the provisional one (phiếu B), else the
    class it came in with (not surveyed yet: unchanged so far); a withdrawn household counts as none."""
    return Case(
        When(state=CaseState.WITHDRAWN, then=Value("")),
        When(~Q(final_class=""), then=F("final_class")),
        When(~Q(provisional_class=""), then=F("provisional_class")),
        default=F("previous_class"),
        output_field=CharField(),
    )


@dataclass
class UnitRate:
    """One commune's poverty rate before the review and now, and whether it looks suspicious."""

    unit: AdminUnit
    households: int = 0
    cases: int = 0
    poor_before: int = 0
    poor_now: int = 0
    complaints: int = 0
    reinspections: int = 0
    open_discrepancies: int = 0
    reasons: list[dict] = field(default_factory=list)  # [{"code": "rate_gap" | "complaints", "text"}]

    @property
    def rate_before(self) -> float | None:
        return 100.0 * self.poor_before / self.households if self.households else None

    @property
    def rate_now(self) -> float | None:
        return 100.0 * self.poor_now / self.households if self.households else None

    @property
    def change(self) -> float | None:
        return 100.0 * (self.poor_now - self.poor_before) / self.households if self.households else None

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    @property
    def reason_texts(self) -> list[str]:
        return [r["text"] for r in self.reasons]


@dataclass
class SuspiciousUnits:
    """Every commune of the campaign the reader may see, and the campaign-wide figures they compare to."""

    campaign: Campaign
    rows: list[UnitRate]
    households: int
    poor_before: int
    poor_now: int
    gap_points: float
    scope_label: str

    @property
    def change(self) -> float | None:
        return 100.0 * (self.poor_now - self.poor_before) / self.households if self.households else None

    @property
    def flagged(self) -> list[UnitRate]:
        return [row for row in self.rows if row.flagged]


def _points(value: float) -> str:
    """6.06 → '6,1' (Vietnamese decimal comma)."""
    return f"{abs(value):.1f}".replace(".", ",")


def _trend(value: float) -> str:
    if round(value, 1) == 0:
        return _("không đổi")
    text = _("tăng %(points)s điểm %%") if value > 0 else _("giảm %(points)s điểm %%")
    return text % {"points": _points(value)}


def _scope_label(campaign: Campaign) -> str:
    return {Level.PROVINCE: _("toàn tỉnh"), Level.DISTRICT: _("toàn huyện")}.get(campaign.unit.level, _("toàn đợt"))


def _counts_by_commune(qs, key: str, **annotations) -> dict[int, dict]:
    return {row[key]: row for row in qs.order_by().values(key).annotate(**annotations)}


def unit_rates(campaign: Campaign, *, gap_points: float | None = None) -> SuspiciousUnits:
    """The rates of every commune of the campaign (no area filter: the campaign-wide figures need them
    all). A handful of grouped queries, whatever the number of households."""
    gap = rate_gap_points() if gap_points is None else float(gap_points)
    communes = list(campaign_communes(campaign))
    ids = [u.pk for u in communes]
    households = _counts_by_commune(
        Household.objects.filter(commune_id__in=ids, status=HouseholdStatus.ACTIVE), "commune_id", n=Count("pk")
    )
    poor = PovertyClass.POOR
    cases = _counts_by_commune(
        ReviewCase.objects.filter(campaign=campaign, household__commune_id__in=ids).annotate(now_class=_now_class()),
        "household__commune_id", n=Count("pk"), before=Count("pk", filter=Q(previous_class=poor)),
        now=Count("pk", filter=Q(now_class=poor)),
    )  # fmt: skip
    complaints = _counts_by_commune(
        Complaint.objects.filter(campaign=campaign, case__household__commune_id__in=ids),
        "case__household__commune_id", n=Count("pk"),
    )  # fmt: skip
    reinspections = _counts_by_commune(Reinspection.objects.filter(campaign=campaign, unit_id__in=ids), "unit_id",
                                       n=Count("pk"))  # fmt: skip
    discrepancies = _counts_by_commune(
        open_discrepancies_qs(campaign).filter(case__household__commune_id__in=ids), "case__household__commune_id",
        n=Count("pk"),
    )  # fmt: skip
    rows = []
    for unit in communes:
        c = cases.get(unit.pk, {})
        rows.append(UnitRate(
            unit=unit, households=households.get(unit.pk, {}).get("n", 0), cases=c.get("n", 0),
            poor_before=c.get("before", 0), poor_now=c.get("now", 0),
            complaints=complaints.get(unit.pk, {}).get("n", 0),
            reinspections=reinspections.get(unit.pk, {}).get("n", 0),
            open_discrepancies=discrepancies.get(unit.pk, {}).get("n", 0),
        ))  # fmt: skip
    result = SuspiciousUnits(
        campaign=campaign, rows=rows, households=sum(r.households for r in rows),
        poor_before=sum(r.poor_before for r in rows), poor_now=sum(r.poor_now for r in rows), gap_points=gap,
        scope_label=_scope_label(campaign),
    )  # fmt: skip
    overall = result.change
    for row in rows:
        change = row.change
        if change is not None and overall is not None and abs(change - overall) > gap:
            row.reasons.append({
                "code": "rate_gap",
                "text": _("Tỷ lệ nghèo %(commune)s, %(scope)s %(overall)s")
                % {"commune": _trend(change), "scope": result.scope_label, "overall": _trend(overall)},
            })  # fmt: skip
        if row.complaints:
            row.reasons.append({"code": "complaints", "text": _("%(n)s khiếu nại") % {"n": row.complaints}})
    return result


def suspicious_units(*, user, campaign: Campaign, gap_points: float | None = None) -> SuspiciousUnits:
    """The communes of the campaign inside the area where `user` may see re-inspections, each with its
    households, cases, poverty rate before the review and now, the change in percentage points, and
    the reasons it is flagged: |commune change − campaign change| > the threshold, or complaints about
    its households. The campaign-wide change is over all its communes (what the province compares to).

    Before = cases whose class before the review was poor ÷ active registry households of the commune;
    now = cases whose class now is poor (decided class, else provisional, else unchanged) ÷ the same.
    """
    result = unit_rates(campaign, gap_points=gap_points)
    scope = scope_of(user, VIEW_PERM)
    result.rows = [r for r in result.rows if scope.covers(r.unit.path, r.unit.successor_path)]
    return result


def commune_reasons(campaign: Campaign, commune: AdminUnit) -> list[dict]:
    """The reasons `commune` is flagged in `campaign` (empty when it is not)."""
    for row in unit_rates(campaign).rows:
        if row.unit.pk == commune.pk:
            return row.reasons
    return []


# -- re-inspections and discrepancies ----------------------------------------------------------


def open_discrepancies_qs(campaign: Campaign) -> QuerySet[ReinspectionSample]:
    return ReinspectionSample.objects.filter(reinspection__campaign=campaign, discrepancy=True,
                                             resolved_on__isnull=True)  # fmt: skip


def open_discrepancies(campaign: Campaign, path: str) -> QuerySet[ReinspectionSample]:
    """Samples of `campaign` under the unit `path` whose finding differs from the commune's result and
    that the commune has not resolved yet: the commune's decision and the approval refuse while any
    exists (the commune must resolve them before approval)."""
    return (
        open_discrepancies_qs(campaign).filter(unit_path__startswith=path)
        .select_related("reinspection", "case", "case__household").order_by("reinspection_id", "pk")
    )  # fmt: skip


def reinspections_visible_to(*, user, perm: str = VIEW_PERM) -> QuerySet[Reinspection]:
    return Reinspection.objects.visible_to(user, perm=perm).select_related("campaign", "unit", "ordered_by_unit",
                                                                            "created_by")  # fmt: skip


def reinspection_list(user, campaign: Campaign) -> QuerySet[Reinspection]:
    """The campaign's re-inspections in the reader's area, newest first, with their sample counts."""
    return (
        reinspections_visible_to(user=user).filter(campaign=campaign)
        .annotate(
            sample_count=Count("samples", distinct=True),
            finding_count=Count("samples", filter=~Q(samples__found_class=""), distinct=True),
            discrepancy_count=Count("samples", filter=Q(samples__discrepancy=True), distinct=True),
            open_discrepancy_count=Count("samples", filter=Q(samples__discrepancy=True,
                                                             samples__resolved_on__isnull=True), distinct=True),
        )
        .order_by("-ordered_on", "-pk")
    )  # fmt: skip


def reinspection_get_visible(*, user, pk, perm: str = VIEW_PERM) -> Reinspection:
    """The re-inspection, or 404 whether it is missing or out of the reader's area."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    reinspection = reinspections_visible_to(user=user, perm=perm).filter(pk=pk).first()
    if reinspection is None:
        raise Http404
    return reinspection


def samples_of(reinspection: Reinspection) -> QuerySet[ReinspectionSample]:
    return reinspection.samples.select_related("case", "case__household", "case__household__village",
                                               "resolved_by").order_by("case__unit_path", "pk")  # fmt: skip


def sample_get_visible(*, user, pk, reinspection: Reinspection | None = None, perm: str = VIEW_PERM):
    """A sample whose re-inspection lies in the reader's area (404 otherwise)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = ReinspectionSample.objects.filter(reinspection__in=reinspections_visible_to(user=user, perm=perm))
    if reinspection is not None:
        qs = qs.filter(reinspection=reinspection)
    sample = qs.select_related("reinspection", "reinspection__campaign", "reinspection__unit", "case",
                               "case__household", "case__campaign").filter(pk=pk).first()  # fmt: skip
    if sample is None:
        raise Http404
    return sample


def eligible_cases(campaign: Campaign, commune: AdminUnit) -> QuerySet[ReviewCase]:
    """The commune's cases that can be re-inspected: with a provisional result, still in the review."""
    return (
        ReviewCase.objects.filter(campaign=campaign, household__commune=commune, state__in=list(SAMPLE_STATES))
        .exclude(provisional_class="", final_class="")
        .select_related("household", "household__village")
        .order_by("household__unit_path", "household__head_sort_key", "household__code", "pk")
    )  # fmt: skip


def case_samples(case: ReviewCase) -> QuerySet[ReinspectionSample]:
    """The re-inspections that sampled `case` (for the case page)."""
    return case.reinspection_samples.select_related(
        "reinspection", "reinspection__ordered_by_unit", "resolved_by"
    ).order_by("reinspection__ordered_on", "pk")
