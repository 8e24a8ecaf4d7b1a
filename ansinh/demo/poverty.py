"""Form B facts and classifications for the demo households, through the poverty services.

Deterministic: each household's income comes from a generator seeded by its commune and code,
scaled to the standard's line so that some households are poor, some near-poor, some in the
average band and most not poor. Indicators the registry cannot decide get a form B answer.
"""

import random
from datetime import date

from ansinh.poverty.choices import IncomeSource
from ansinh.poverty.models import Assessment
from ansinh.poverty.selectors import standard_in_force
from ansinh.poverty.services import AssessmentData, assessment_record, evaluate, household_classify
from ansinh.registry.models import Household


def _income(rng: random.Random, line: int) -> int:
    draw = rng.random()
    if draw < 0.15:
        factor = rng.uniform(0.45, 1.0)  # at or below the line
    elif draw < 0.35:
        factor = rng.uniform(1.0, 1.5)  # the average band
    else:
        factor = rng.uniform(1.5, 4.0)
    return int(line * factor) // 10_000 * 10_000


def demo_poverty_load(*, actor, households, today: date) -> int:
    """Record form B and classify each demo household that has no form B yet; returns how many."""
    done = 0
    for household in households:
        standard = standard_in_force(today, household.village or household.commune)
        if standard is None or Assessment.objects.filter(household=household, standard=standard).exists():
            continue
        spec = standard.spec()
        rng = random.Random(f"{household.commune.code}/{household.code}")  # noqa: S311 - demo data
        area = household.area_type or "rural"
        unanswered = [row["code"] for row in evaluate(spec, household, None, on_date=today).indicators
                      if row["derived"] is None]  # fmt: skip
        data = AssessmentData(
            income_source=IncomeSource.DECLARED,
            income_per_capita=_income(rng, spec.lines[area].poor),
            farming=area == "rural" and rng.random() < 0.7,
            answers={code: rng.random() < 0.1 for code in unanswered},
            assessed_on=today,
        )
        assessment_record(actor=actor, household=household, standard=standard, data=data)
        household_classify(actor=actor, household=household, standard=standard, on_date=today)
        done += 1
    return done


def demo_households(codes_by_commune) -> list[Household]:
    return list(
        Household.objects.filter(commune__in=codes_by_commune, status="active")
        .select_related("commune", "village")
        .order_by("pk")
    )
