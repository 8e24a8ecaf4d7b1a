"""Test helpers of re-inspection (phúc tra): households with cases placed directly in a state, and a
re-inspection with samples, for one step tested on its own."""

from datetime import date
from types import SimpleNamespace

from ansinh.reviews.tests.factories import case_at, classified_household, dak_lak_campaign, thanh_hoa_campaign

TODAY = date(2025, 10, 20)  # inside the 2025 Thanh Hóa campaign (1/9–14/12/2025)


def households(commune, village, officer, spec, *, prefix="H"):
    """`spec` is a list of (class before, state, provisional class): one household and case each.
    Returns the households (the cases are created by `cases_for`)."""
    return [
        classified_household(
            commune, village=village, code=f"{prefix}{i}", klass=before, actor=officer, name=f"Chủ hộ {prefix}{i}"
        )
        for i, (before, _state, _provisional) in enumerate(spec, start=1)
    ]


def cases_for(campaign, homes, spec):
    return [
        case_at(campaign, home, state, provisional_class=provisional)
        for home, (_before, state, provisional) in zip(homes, spec, strict=True)
    ]


def populate(campaign, commune, village, officer, spec, *, prefix="H"):
    homes = households(commune, village, officer, spec, prefix=prefix)
    return cases_for(campaign, homes, spec)


POSTED_SPEC = [
    ("poor", "posted", "poor"),
    ("poor", "posted", "near_poor"),
    ("near_poor", "posted", "near_poor"),
    ("not_poor", "posted", "not_poor"),
]


def inspection_ctx(units, users):
    """Both 2025 campaigns open; Thọ Xuân and M'Đrắk with four posted households each."""
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    c.campaign_out = dak_lak_campaign(c, open_=True)
    c.cases = populate(c.campaign, units.tho_xuan, units.t1, users.commune_officer, POSTED_SPEC)
    c.cases_out = populate(c.campaign_out, units.mdrak, units.b1, users.commune_officer_dl, POSTED_SPEC, prefix="D")
    return c


def order(ctx, *, campaign=None, commune=None, actor=None, cases=..., **extra):
    """`cases` defaults to the first two posted households of Thọ Xuân (pass None to sample instead)."""
    from ansinh.reviews.services_inspection import reinspection_order

    return reinspection_order(
        actor=actor or ctx.users.inspector, campaign=campaign or ctx.campaign, commune=commune or ctx.units.tho_xuan,
        reasons=extra.pop("reasons", ["Tỷ lệ nghèo giảm bất thường"]), cases=ctx.cases[:2] if cases is ... else cases,
        today=extra.pop("today", TODAY), **extra,
    )  # fmt: skip


def find(sample, found_class, *, actor, findings="Hộ có thu nhập thấp hơn kê khai", on=TODAY):
    from ansinh.reviews.services_inspection import finding_record

    return finding_record(actor=actor, sample=sample, found_class=found_class, findings=findings,
                          inspector_name="Đỗ Văn Kiên", inspected_on=on, today=on)  # fmt: skip


def with_discrepancy(ctx, *, campaign=None, commune=None, actor=None, cases=...):
    """A re-inspection of two households: the first found as the commune says, the second different."""
    actor = actor or ctx.users.inspector
    reinspection = order(ctx, campaign=campaign, commune=commune, actor=actor, cases=cases)
    first, second = reinspection.samples.order_by("pk")
    find(first, first.commune_class, actor=actor)
    find(second, "poor" if second.commune_class != "poor" else "near_poor", actor=actor)
    return reinspection
