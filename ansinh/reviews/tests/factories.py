"""Campaigns reached through the services, as the pages and the API reach them."""

from datetime import date
from types import SimpleNamespace

from ansinh.poverty.models import PovertyStandard
from ansinh.poverty.services import standards_load
from ansinh.reviews.models import CampaignKind
from ansinh.reviews.services import CampaignData, campaign_create, campaign_open, kinds_load

PLAN_DATE = date(2025, 8, 21)


def load_reference_data() -> None:
    """The shipped poverty standards and campaign kinds (what `make setup` loads)."""
    if not PovertyStandard.objects.exists():
        standards_load()
    kinds_load()


def kind(code: str = "periodic") -> CampaignKind:
    return CampaignKind.objects.get(code=code)


def campaign_data(unit, units, *, kind_code="periodic", year=2025, month=None, **extra) -> CampaignData:
    return CampaignData(
        kind=kind(kind_code), year=year, month=month, unit=unit, units=list(units),
        plan_number=extra.pop("plan_number", "6828/KH-UBND"), plan_date=extra.pop("plan_date", PLAN_DATE), **extra,
    )  # fmt: skip


def make_campaign(actor, unit, units, *, open_=False, **extra):
    load_reference_data()
    campaign = campaign_create(actor=actor, data=campaign_data(unit, units, **extra))
    if open_:
        campaign = campaign_open(actor=actor, campaign=campaign)
    return campaign


def thanh_hoa_campaign(ctx, *, open_=False):
    """Thanh Hóa's 2025 periodic review covering Thọ Xuân and Hạc Thành (chain commune → province)."""
    units = ctx.units
    return make_campaign(ctx.users.province_officer, units.th, [units.tho_xuan, units.hac_thanh], open_=open_)


def dak_lak_campaign(ctx, *, open_=False):
    """Đắk Lắk's 2025 periodic review covering M'Đrắk (out of the Thanh Hóa users' area)."""
    units = ctx.units
    return make_campaign(ctx.users.province_officer_dl, units.dl, [units.mdrak], open_=open_)


# -- review cases -------------------------------------------------------------------------------


def classified_household(commune, *, village, code, klass, actor, name="Nguyễn Văn An"):
    """A household registered through the registry and given a current class (as the poverty app's
    classification leaves it: `households_poverty_summary_set` is what `household_classify` calls)."""
    from ansinh.registry.services import households_poverty_summary_set
    from ansinh.registry.tests.factories import head, make_household

    household = make_household(commune, village=village, code=code, actor=actor, members=[head(name)])
    if klass:
        households_poverty_summary_set([(household.pk, klass)], standard_code="2022-2025", on_date=date(2025, 1, 1))
        household.refresh_from_db()
    return household


# The households of Thọ Xuân the case tests work with: name → (village, code, class, head's name).
CASE_HOUSEHOLDS = {
    "poor": ("t1", "H1", "poor", "Nguyễn Văn An"),
    "near": ("t2", "H2", "near_poor", "Lê Thị Bình"),
    "other": ("t1", "H3", "not_poor", "Trần Văn Cường"),
    "unclassified": ("t1", "H4", "", "Phạm Thị Dung"),
}


def cases_context(units, users, *households: str, villages: dict[str, str] | None = None) -> SimpleNamespace:
    """The shipped reference data and form A, Thanh Hóa's open campaign (`ctx.campaign`) and the
    named `CASE_HOUSEHOLDS` registered by the commune officer (`ctx.poor`, …); `villages` moves one
    of them to another village (`{"other": "t2"}`)."""
    load_reference_data()
    load_form_a()
    ctx = SimpleNamespace(units=units, users=users)
    ctx.campaign = thanh_hoa_campaign(ctx, open_=True)
    for key in households:
        village, code, klass, name = CASE_HOUSEHOLDS[key]
        village = (villages or {}).get(key, village)
        household = classified_household(units.tho_xuan, village=getattr(units, village), code=code, klass=klass,
                                         actor=users.commune_officer, name=name)  # fmt: skip
        setattr(ctx, key, household)
    return ctx


def application(**extra):
    from ansinh.reviews.services_cases import ApplicationData

    return ApplicationData(channel=extra.pop("channel", "in_person"), received_on=extra.pop("received_on",
                           date(2025, 9, 20)), **extra)  # fmt: skip


def load_form_a():
    from ansinh.reviews.services_cases import form_a_load

    form_a_load()


def no_answers(value=False) -> dict[str, bool]:
    from ansinh.reviews.models import FormAChecklist

    return {c["code"]: value for c in FormAChecklist.objects.get(version="2021.1").criteria}


def case_at(campaign, household, state, **fields):
    """A case placed directly in `state` (for testing one later step on its own; the end-to-end tests
    drive every step through the services). `fields` set e.g. provisional_class, meeting, posting."""
    from ansinh.reviews.models import ReviewCase

    origin = {"poor": "poor_list", "near_poor": "near_poor_list"}.get(household.poverty_class, "applied")
    return ReviewCase.objects.create(
        campaign=campaign, household=household, origin=fields.pop("origin", origin), state=state,
        previous_class=fields.pop("previous_class", household.poverty_class or ""), unit_path=household.unit_path,
        successor_path=household.successor_path, **fields,
    )  # fmt: skip
