"""The household's current class: a recognition decision's class is not replaced by a classification
under the same standard, only by a later decision (or by a classification under another standard)."""

from datetime import date

import pytest

from ansinh.registry.models import Household
from ansinh.registry.services import households_poverty_summary_set

from .factories import head, make_household

pytestmark = pytest.mark.django_db


def _state(household):
    h = Household.objects.get(pk=household.pk)
    return h.poverty_class, h.poverty_standard, h.poverty_classified_on, h.poverty_class_source


def test_a_classification_sets_the_class_and_says_where_it_comes_from(units, users):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    assert households_poverty_summary_set([(household.pk, "poor")], standard_code="2022-2025",
                                          on_date=date(2026, 1, 5)) == 1  # fmt: skip
    assert _state(household) == ("poor", "2022-2025", date(2026, 1, 5), "classification")
    assert households_poverty_summary_set([(household.pk, "near_poor")], standard_code="2022-2025",
                                          on_date=date(2026, 2, 5)) == 1  # fmt: skip
    assert _state(household) == ("near_poor", "2022-2025", date(2026, 2, 5), "classification")


def test_a_decisions_class_is_kept_against_classifications_of_the_same_standard(units, users):
    recognised = make_household(units.tho_xuan, village=units.t1, code="D1", actor=users.commune_officer)
    other = make_household(
        units.tho_xuan,
        village=units.t1,
        code="D2",
        actor=users.commune_officer,
        members=[head("Trần Văn Bình", birth_date=date(1980, 1, 1))],
    )
    households_poverty_summary_set([(recognised.pk, "poor")], standard_code="2022-2025", on_date=date(2026, 10, 21),
                                   source="decision")  # fmt: skip
    assert _state(recognised) == ("poor", "2022-2025", date(2026, 10, 21), "decision")
    rows = [(recognised.pk, "not_poor"), (other.pk, "not_poor")]
    assert households_poverty_summary_set(rows, standard_code="2022-2025", on_date=date(2026, 12, 7)) == 1
    assert _state(recognised) == ("poor", "2022-2025", date(2026, 10, 21), "decision")
    assert _state(other) == ("not_poor", "2022-2025", date(2026, 12, 7), "classification")
    # A later decision replaces it; a classification under another standard (a new period) too.
    households_poverty_summary_set([(recognised.pk, "near_poor")], standard_code="2022-2025",
                                   on_date=date(2026, 12, 20), source="decision")  # fmt: skip
    assert _state(recognised) == ("near_poor", "2022-2025", date(2026, 12, 20), "decision")
    assert households_poverty_summary_set([(recognised.pk, "poor")], standard_code="2026-2030",
                                          on_date=date(2027, 1, 10)) == 1  # fmt: skip
    assert _state(recognised) == ("poor", "2026-2030", date(2027, 1, 10), "classification")
