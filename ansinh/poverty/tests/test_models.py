"""What a form B and a bulk run are called where they are named as a whole (an audit event's object)."""

from datetime import date

from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import Assessment, ClassificationRun, PovertyStandard, StandardVersion
from ansinh.registry.models import Household


def test_a_form_b_and_a_run_are_named_without_ids():
    household = Household(code="HS0001", head_name="Lê Văn An")
    assessment = Assessment(
        household=household, standard=PovertyStandard(code="2022-2025"), assessed_on=date(2026, 10, 2)
    )
    assert str(assessment) == "HS0001 — Lê Văn An: 2022-2025 (02/10/2026)"
    version = StandardVersion(standard=PovertyStandard(code="2022-2025"), version=3)
    run = ClassificationRun(unit=AdminUnit(name="Xã Thọ Xuân"), standard_version=version)
    assert str(run) == "Xã Thọ Xuân – 2022-2025 v3"
