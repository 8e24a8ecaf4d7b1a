"""Households with registry facts complete enough for the derivation rules, and form B answers."""

from decimal import Decimal

from ansinh.poverty.models import PovertyStandard
from ansinh.poverty.services import AssessmentData, assessment_record
from ansinh.registry.tests.factories import head, make_household, member

STANDARD = "2022-2025"


def known_household(commune, *, village=None, code="K001"):
    """Two working adults with health insurance, a durable 20 m² house, but unprotected water, no
    latrine and no Internet: under 2022–2025 the registry alone derives exactly three deprivations
    (water, latrine, telecom) and leaves only "nutrition" for form B."""
    return make_household(
        commune, village=village, code=code,
        members=[head(labour_status="self_employed", health_insurance="yes"),
                 member(labour_status="self_employed", health_insurance="yes")],
        housing_area_m2=Decimal("20"), wall_durability="durable", column_durability="durable",
        roof_durability="durable", water_source="unprotected", latrine_type="none", info_devices=["tv"],
    )  # fmt: skip


def form_b(household, actor, *, income=1_000_000, answers=None, overrides=None, code=STANDARD):
    standard = PovertyStandard.objects.get(code=code)
    data = AssessmentData(
        income_source="declared", income_per_capita=income,
        answers={"nutrition": False} if answers is None else answers, overrides=overrides or {},
    )  # fmt: skip
    return assessment_record(actor=actor, household=household, standard=standard, data=data)
