"""Data for the results tests: cases placed directly in their states (`factories.case_at`), the
commune's decision, an earlier campaign's frozen result and a poverty classification history.

`final_cases(ctx)` builds Thanh Hóa's 2025 campaign with one household per transition, all final:

  Thôn 1 (Thọ Xuân): H1 poor → poor (approved)           remained_poor
                     H2 near-poor → not poor (decided)    escaped_near_poverty
                     H3 applicant, screened out           not_poor
                     H4 poor, withdrawn, moved out        moved_away
  Thôn 2 (Thọ Xuân): H5 not poor → poor, poor in 2024     re_poor
                     H6 not poor → near-poor, classified near-poor in 2023   re_near_poor
                     H7 near-poor → poor                  near_poor_to_poor
  Hạc Thành (no village): K1 poor → near-poor             poor_to_near_poor
                     K2 applicant → poor                  newly_poor
                     K3 poor, withdrawn, merged           died
"""

from __future__ import annotations

from datetime import date, datetime, time
from types import SimpleNamespace

from django.utils import timezone

from ansinh.registry.models import Household
from ansinh.reviews.models import Campaign, CampaignResult, CommuneDecision, UnitApproval
from ansinh.reviews.tests.factories import case_at, classified_household, dak_lak_campaign, load_reference_data
from ansinh.reviews.tests.factories import thanh_hoa_campaign as _thanh_hoa

TODAY = date(2025, 12, 1)  # inside the 2025 Thanh Hóa campaign (1/9–14/12/2025)
DECIDED_ON = date(2025, 11, 20)

EXPECTED = {
    "H1": "remained_poor", "H2": "escaped_near_poverty", "H3": "not_poor", "H4": "moved_away", "H5": "re_poor",
    "H6": "re_near_poor", "H7": "near_poor_to_poor", "K1": "poor_to_near_poor", "K2": "newly_poor", "K3": "died",
}  # fmt: skip


def base_ctx(units, users, *, open_=True):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = _thanh_hoa(c, open_=open_)
    return c


def household(ctx, code, klass, *, commune=None, village=None, name="Nguyễn Văn An"):
    units, users = ctx.units, ctx.users
    commune = commune or units.tho_xuan
    actor = users.commune_officer if commune == units.tho_xuan else users.system_admin
    return classified_household(commune, village=village, code=code, klass=klass, actor=actor, name=name)


def decision(ctx, campaign, commune, *, number="125/QĐ-UBND", signed_on=DECIDED_ON):
    return CommuneDecision.objects.create(
        campaign=campaign, commune=commune, number=number, signed_on=signed_on, signer_name="Lê Văn Bình",
        signer_position="Chủ tịch UBND", unit_path=commune.path, successor_path=commune.successor_path,
    )  # fmt: skip


def earlier_campaign(ctx) -> Campaign:
    """A closed 2024 review of the same province (for earlier frozen results)."""
    c = ctx.campaign
    return Campaign.objects.create(
        name="Rà soát 2024", kind=c.kind, year=2024, period_start=date(2024, 9, 1), period_end=date(2024, 12, 14),
        plan_number="100/KH-UBND", plan_date=date(2024, 8, 20), standard=c.standard, unit=c.unit,
        structure=c.structure, approval_chain=c.approval_chain, due_soon_days=c.due_soon_days, status="closed",
        unit_path=c.unit_path,
    )  # fmt: skip


def earlier_result(ctx, campaign, hh, klass):
    return CampaignResult.objects.create(
        campaign=campaign, household=hh, previous_class="", final_class=klass, transition="newly_poor",
        standard_code=campaign.standard.code, unit_path=hh.unit_path, successor_path=hh.successor_path,
        frozen_at=timezone.make_aware(datetime.combine(date(2024, 12, 20), time(9))),
    )  # fmt: skip


def classification(hh, klass, on_date):
    from ansinh.poverty.models import Classification, StandardVersion

    version = StandardVersion.objects.select_related("standard").order_by("pk").first()
    return Classification.objects.create(
        household=hh, standard_version=version, standard_code=version.standard.code, klass=klass, area="rural",
        income_source="declared", on_date=on_date, unit_path=hh.unit_path, successor_path=hh.successor_path,
    )  # fmt: skip


def final_cases(ctx):
    """The ten households of the module docstring, all final (the campaign can be frozen)."""
    units, campaign = ctx.units, ctx.campaign
    t1, t2 = units.t1, units.t2
    ctx.decision = decision(ctx, campaign, units.tho_xuan)
    ctx.decision_ht = decision(ctx, campaign, units.hac_thanh, number="88/QĐ-UBND", signed_on=date(2025, 11, 25))
    h = {}
    h["H1"] = household(ctx, "H1", "poor", village=t1, name="Nguyễn Văn An")
    h["H2"] = household(ctx, "H2", "near_poor", village=t1, name="Lê Thị Bình")
    h["H3"] = household(ctx, "H3", "", village=t1, name="Trần Văn Cường")
    h["H4"] = household(ctx, "H4", "poor", village=t1, name="Phạm Thị Dung")
    h["H5"] = household(ctx, "H5", "not_poor", village=t2, name="Hoàng Văn Em")
    h["H6"] = household(ctx, "H6", "not_poor", village=t2, name="Vũ Thị Gấm")
    h["H7"] = household(ctx, "H7", "near_poor", village=t2, name="Đặng Văn Hải")
    h["K1"] = household(ctx, "K1", "poor", commune=units.hac_thanh, name="Bùi Thị Khánh")
    h["K2"] = household(ctx, "K2", "", commune=units.hac_thanh, name="Đỗ Văn Long")
    h["K3"] = household(ctx, "K3", "poor", commune=units.hac_thanh, name="Ngô Thị Mai")
    Household.objects.filter(pk=h["H4"].pk).update(status="moved_out")
    Household.objects.filter(pk=h["K3"].pk).update(status="merged")
    ctx.earlier = earlier_campaign(ctx)
    earlier_result(ctx, ctx.earlier, h["H5"], "poor")
    classification(h["H6"], "near_poor", date(2023, 1, 10))
    d, dh = ctx.decision, ctx.decision_ht
    ctx.cases = {
        "H1": case_at(campaign, h["H1"], "approved", final_class="poor", decision=d),
        "H2": case_at(campaign, h["H2"], "decided", final_class="not_poor", decision=d),
        "H3": case_at(campaign, h["H3"], "screened_out"),
        "H4": case_at(campaign, h["H4"], "withdrawn", withdrawn_reason="Chuyển đi tỉnh khác"),
        "H5": case_at(campaign, h["H5"], "approved", final_class="poor", decision=d),
        "H6": case_at(campaign, h["H6"], "decided", final_class="near_poor", decision=d),
        "H7": case_at(campaign, h["H7"], "decided", final_class="poor", decision=d),
        "K1": case_at(campaign, h["K1"], "decided", final_class="near_poor", decision=dh),
        "K2": case_at(campaign, h["K2"], "decided", final_class="poor", decision=dh),
        "K3": case_at(campaign, h["K3"], "withdrawn", withdrawn_reason="Nhập hộ"),
    }  # fmt: skip
    ctx.households = h
    return ctx


def in_progress_cases(ctx):
    """Households still in the procedure (for the dashboard): T1 surveyed, T2 met and posted, Hạc Thành listed."""
    units, campaign = ctx.units, ctx.campaign
    extra = {
        "P1": (units.tho_xuan, units.t1, "poor", "surveyed"),
        "P2": (units.tho_xuan, units.t2, "near_poor", "met"),
        "P3": (units.tho_xuan, units.t2, "poor", "posted"),
        "P4": (units.hac_thanh, None, "poor", "listed"),
        "P5": (units.tho_xuan, units.t1, "", "surveying"),
    }
    ctx.progress_cases = {}
    for code, (commune, village, klass, state) in extra.items():
        hh = household(ctx, code, klass, commune=commune, village=village, name=f"Hộ {code}")
        ctx.progress_cases[code] = case_at(campaign, hh, state)
    return ctx


def approvals(ctx, *, top_state="approved", commune_state="approved"):
    """The approval chain commune → province of the campaign (rows made directly)."""
    units, campaign = ctx.units, ctx.campaign
    top = UnitApproval.objects.create(campaign=campaign, unit=units.th, level="province", state=top_state,
                                      unit_path=units.th.path)  # fmt: skip
    for commune in (units.tho_xuan, units.hac_thanh):
        UnitApproval.objects.create(campaign=campaign, unit=commune, level="commune", parent=top, state=commune_state,
                                    unit_path=commune.path)  # fmt: skip
    return top


def dak_lak_final(ctx):
    """Đắk Lắk's campaign (out of the Thanh Hóa users' area) with one decided poor household."""
    units, users = ctx.units, ctx.users
    ctx.campaign_out = dak_lak_campaign(ctx, open_=True)
    hh = classified_household(units.mdrak, village=units.b1, code="D1", klass="poor", actor=users.commune_officer_dl,
                              name="Y Bhăm Êban")  # fmt: skip
    ctx.case_out = case_at(ctx.campaign_out, hh, "decided", final_class="poor")
    return ctx
