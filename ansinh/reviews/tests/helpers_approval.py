"""Test helpers of step 10: communes whose results are ready to submit (decided cases plus the
commune's decision, built directly: the earlier steps have their own tests), the legacy campaign,
and the approval rows of a campaign."""

from __future__ import annotations

from datetime import date

from ansinh.reviews.models import CommuneDecision, Complaint, Reinspection, ReinspectionSample, UnitApproval
from ansinh.reviews.services_approval import approvals_ensure
from ansinh.reviews.tests.factories import case_at, classified_household, make_campaign


def legacy_campaign(ctx, *, open_=True):
    """Thanh Hóa's 2024 yearly review on the legacy structure (commune → district → province),
    covering Huyện Thọ Xuân (which expands to Xã Xuân Hồng)."""
    units = ctx.units
    return make_campaign(ctx.users.province_officer, units.th_old, [units.tho_xuan_district], year=2024,
                         plan_date=date(2024, 8, 21), open_=open_)  # fmt: skip


def decision(campaign, commune, *, number="125/QĐ-UBND", signed_on=date(2025, 12, 5)):
    return CommuneDecision.objects.create(
        campaign=campaign, commune=commune, number=number, signed_on=signed_on, signer_name="Lê Văn Bình",
        signer_position="Chủ tịch UBND xã", counts={"poor": 1, "near_poor": 1}, unit_path=commune.path,
        successor_path=commune.successor_path,
    )  # fmt: skip


def decided_commune(campaign, commune, *, village=None, prefix="D", actor=None, with_decision=True):
    """Two households of `commune` decided (one poor, one near-poor), and the commune's decision."""
    row = decision(campaign, commune) if with_decision else None
    cases = []
    for i, (klass, name) in enumerate((("poor", "Nguyễn Văn An"), ("near_poor", "Lê Thị Bình")), start=1):
        household = classified_household(commune, village=village, code=f"{prefix}{i}", klass=klass, actor=actor,
                                          name=name)  # fmt: skip
        cases.append(case_at(campaign, household, "decided", final_class=klass, provisional_class=klass, decision=row))
    return cases


def rows(campaign) -> dict[str, UnitApproval]:
    """The campaign's approval rows (created when missing) keyed by unit code."""
    approvals_ensure(campaign)
    return {r.unit.code: r for r in UnitApproval.objects.filter(campaign=campaign).select_related("unit", "parent")}


def open_complaint(campaign, case, *, late=False):
    return Complaint.objects.create(
        campaign=campaign, case=case, complainant_name="Trần Văn Cường", content="Hộ có xe ô tô", channel="letter",
        received_on=date(2025, 11, 20), late=late, unit_path=case.unit_path, successor_path=case.successor_path,
    )  # fmt: skip


def discrepancy(campaign, case, commune, ordered_by):
    reinspection = Reinspection.objects.create(
        campaign=campaign, unit=commune, ordered_by_unit=ordered_by, ordered_on=date(2025, 11, 25),
        unit_path=commune.path, successor_path=commune.successor_path,
    )  # fmt: skip
    return ReinspectionSample.objects.create(
        reinspection=reinspection, case=case, commune_class="poor", found_class="near_poor", discrepancy=True,
        inspector_name="Phạm Văn Nam", inspected_on=date(2025, 11, 26), unit_path=case.unit_path,
    )  # fmt: skip
