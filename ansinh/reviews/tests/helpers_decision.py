"""Fixtures of step 8–9 built directly (the earlier steps are tested on their own): posted cases with a
Posting row, in Thanh Hóa's 2025 campaign (Xã Thọ Xuân) and in Đắk Lắk's (Xã M'Đrắk)."""

from __future__ import annotations

from datetime import date

from ansinh.reviews.models import Posting
from ansinh.reviews.tests.factories import case_at, classified_household

POSTING_START, POSTING_END = date(2025, 11, 3), date(2025, 11, 5)
SIGNED_ON = date(2025, 11, 20)
TODAY = date(2025, 12, 1)


def posting(campaign, commune, *, start_on=POSTING_START, end_on=POSTING_END) -> Posting:
    return Posting.objects.create(
        campaign=campaign, unit=commune, places=[f"Trụ sở UBND {commune.name}"], start_on=start_on, working_days=3,
        end_on=end_on, unit_path=commune.path, successor_path=commune.successor_path,
    )  # fmt: skip


def posted_case(campaign, commune, *, village, code, previous, provisional, actor, name=None, post=None):
    """A household classified `previous` before the review, posted with result `provisional`."""
    household = classified_household(commune, village=village, code=code, klass=previous, actor=actor,
                                     name=name or f"Chủ hộ {code}")  # fmt: skip
    return case_at(campaign, household, "posted", provisional_class=provisional,
                   posting=post or posting(campaign, commune))  # fmt: skip


def decision_data(number="125/QĐ-UBND", signed_on=SIGNED_ON, **extra):
    from ansinh.reviews.services_decision import DecisionData

    return DecisionData(number=number, signed_on=signed_on, signer_name=extra.get("signer_name", "Lê Văn Bình"),
                        signer_position=extra.get("signer_position", "Chủ tịch"))  # fmt: skip


def build_posted(ctx) -> None:
    """Both campaigns open; Thọ Xuân: H1 poor→poor (T1), H2 near_poor→not_poor (T2), H3 poor→near_poor (T1),
    H4 not_poor→poor (T2), H5 not_poor→average (T1); M'Đrắk: D1 poor→poor. One posting per commune."""
    from ansinh.reviews.tests.factories import dak_lak_campaign, thanh_hoa_campaign

    units, users = ctx.units, ctx.users
    ctx.campaign = thanh_hoa_campaign(ctx, open_=True)
    ctx.campaign_out = dak_lak_campaign(ctx, open_=True)
    ctx.posting = posting(ctx.campaign, units.tho_xuan)
    officer = users.commune_officer
    spec = [("H1", units.t1, "poor", "poor"), ("H2", units.t2, "near_poor", "not_poor"),
            ("H3", units.t1, "poor", "near_poor"), ("H4", units.t2, "not_poor", "poor"),
            ("H5", units.t1, "not_poor", "average")]  # fmt: skip
    ctx.cases = {
        code: posted_case(ctx.campaign, units.tho_xuan, village=village, code=code, previous=prev, provisional=prov,
                          actor=officer, post=ctx.posting)
        for code, village, prev, prov in spec
    }  # fmt: skip
    ctx.posting_out = posting(ctx.campaign_out, units.mdrak)
    ctx.case_out = posted_case(ctx.campaign_out, units.mdrak, village=units.b1, code="D1", previous="poor",
                               provisional="poor", actor=users.commune_officer_dl, post=ctx.posting_out)  # fmt: skip


def build_decided(ctx) -> None:
    """`build_posted`, then both communes decided and their certificates issued."""
    from ansinh.reviews.services_decision import certificates_issue, decision_record

    build_posted(ctx)
    units, users = ctx.units, ctx.users
    ctx.decision = decision_record(actor=users.commune_chair, campaign=ctx.campaign, commune=units.tho_xuan,
                                   data=decision_data(), today=TODAY)  # fmt: skip
    ctx.decision_out = decision_record(actor=users.commune_officer_dl, campaign=ctx.campaign_out,
                                       commune=units.mdrak, data=decision_data("7/QĐ-UBND"), today=TODAY)  # fmt: skip
    certificates_issue(actor=users.commune_chair, decision=ctx.decision, today=TODAY)
    certificates_issue(actor=users.commune_officer_dl, decision=ctx.decision_out, today=TODAY)


SCREENED_REASON = [{"code": "A1", "text": "Hộ có thành viên hưởng lương thường xuyên", "source": "QĐ 24/2021"}]


def screened_out_case(campaign, commune, *, village, code, actor):
    household = classified_household(commune, village=village, code=code, klass="", actor=actor,
                                     name="Phạm Thị Dung")  # fmt: skip
    return case_at(campaign, household, "screened_out", origin="applied", channel="post",
                   received_on=date(2025, 9, 20), applicant_name="Phạm Thị Dung",
                   screened_out_reason=SCREENED_REASON, form_a_on=date(2025, 9, 25))  # fmt: skip


def build_screened(ctx) -> None:
    build_decided(ctx)
    units, users = ctx.units, ctx.users
    ctx.screened = screened_out_case(ctx.campaign, units.tho_xuan, village=units.t1, code="S1",
                                     actor=users.commune_officer)  # fmt: skip
    ctx.screened_out = screened_out_case(ctx.campaign_out, units.mdrak, village=units.b1, code="S9",
                                         actor=users.commune_officer_dl)  # fmt: skip
