"""A result's indicator records built on read from its form B (`Classification.result_indicators`, decision 0028).

New results store each indicator's derived value and facts (``[[derived, facts], …]``); the records
read back equal what `evaluate` gave when the result was written (answers, overrides with their
reasons, final values and sources taken from the result's form B); results that stored the whole
records keep them; a result without a form B reads the derived values alone. The printout and the
API read them through the accessor, with no query of their own.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.poverty.indicators import compact
from ansinh.poverty.models import Classification, PovertyStandard
from ansinh.poverty.selectors import classification_get_visible, classifications_of, latest_assessment
from ansinh.poverty.services import evaluate, household_classify

from .factories import form_b

API = "/api/v1/poverty"
CODES = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_school_attendance",
         "housing_quality", "housing_area", "water", "latrine", "telecom", "information_means"]  # fmt: skip
OVERRIDE = {"water": {"value": False, "reason": "Đã có nước máy từ tháng 10"}}


def _expected(household, assessment="latest"):
    standard = PovertyStandard.objects.get(code="2022-2025")
    if assessment == "latest":
        assessment = latest_assessment(household, standard)
    return evaluate(standard.spec(), household, assessment, on_date=timezone.localdate()).indicators


def _read(household, user):
    return classifications_of(user=user, household=household).first()


@pytest.mark.parametrize(
    ("answers", "overrides"),
    [
        (None, None),
        ({"nutrition": True}, None),
        ({"nutrition": False, "water": True, "telecom": False}, None),  # answers beside derived values
        (None, OVERRIDE),
        ({"nutrition": True}, OVERRIDE | {"latrine": {"value": True, "reason": "Nhà vệ sinh đã hỏng"}}),
    ],
)
def test_a_new_result_stores_derived_values_and_reads_evaluates_records(home, users, answers, overrides):
    form_b(home, users.commune_officer, answers=answers, overrides=overrides)
    row = household_classify(actor=users.commune_officer, household=home)
    expected = _expected(home)
    stored = Classification.objects.get(pk=row.pk)
    assert stored.indicators == compact(expected) == [[r["derived"], r["facts"]] for r in expected]
    assert stored.indicators[CODES.index("nutrition")] == [None, {}]  # not derived
    records = _read(home, users.commune_officer).result_indicators()
    assert records == expected
    assert [r["code"] for r in records] == CODES and [list(r) for r in records] == [list(r) for r in expected]
    assert stored.result_indicators() == expected  # without the selectors' joins too


def test_an_override_reads_its_value_and_reason_from_the_form_b(home, users):
    form_b(home, users.commune_officer, overrides=OVERRIDE)
    household_classify(actor=users.commune_officer, household=home)
    water = next(r for r in _read(home, users.commune_officer).result_indicators() if r["code"] == "water")
    assert water == {"code": "water", "derived": True, "facts": {"water_source": "unprotected"}, "answer": None,
                     "override": False, "reason": "Đã có nước máy từ tháng 10", "final": False,
                     "source": "override"}  # fmt: skip


def test_an_old_result_keeps_the_records_it_stored(home, users):
    form_b(home, users.commune_officer)
    row = household_classify(actor=users.commune_officer, household=home)
    old = [dict(r, facts={"old": True}) for r in _expected(home)]  # as written before decision 0028
    old[0].pop("reason")  # whatever it holds, it is returned as it is
    Classification.objects.filter(pk=row.pk).update(indicators=old)
    read = _read(home, users.commune_officer)
    assert read.result_indicators() == old
    assert Classification.objects.get(pk=row.pk).indicators == old  # nothing rewritten


def test_a_result_without_a_form_b_reads_the_derived_values_alone(home, users):
    form_b(home, users.commune_officer, answers={"nutrition": True}, overrides=OVERRIDE)
    row = household_classify(actor=users.commune_officer, household=home)
    Classification.objects.filter(pk=row.pk).update(assessment=None)
    records = _read(home, users.commune_officer).result_indicators()
    assert records == _expected(home, assessment=None)
    nutrition, water = (next(r for r in records if r["code"] == c) for c in ("nutrition", "water"))
    assert (nutrition["answer"], nutrition["final"], nutrition["source"]) == (None, None, "missing")
    assert (water["override"], water["reason"], water["final"], water["source"]) == (None, "", True, "derived")


def test_the_records_are_copies(home, users):
    form_b(home, users.commune_officer)
    household_classify(actor=users.commune_officer, household=home)
    row = _read(home, users.commune_officer)
    first = row.result_indicators()
    first[0]["final"] = "changed"
    first[-1]["facts"]["devices"] = ["changed"]
    assert row.result_indicators() == _expected(home)


def _without_names(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ("name", "name_en")}


def test_the_printout_and_the_api_show_the_records_evaluate_gives(home, users, officer):
    form_b(home, users.commune_officer, answers={"nutrition": True}, overrides=OVERRIDE)
    row = household_classify(actor=users.commune_officer, household=home)
    api = officer.get(f"{API}/households/{home.pk}/classifications").json()["items"][0]["indicators"]
    assert [_without_names(r) for r in api] == _expected(home)
    assert (api[0]["name"], api[0]["name_en"]) == ("Việc làm", "Employment")  # the API names each indicator
    printout = officer.get(reverse("poverty:classification_print", args=[row.pk])).content.decode()
    assert "Đã có nước máy từ tháng 10" in printout  # the override's reason, from the form B
    created = officer.post(f"{API}/households/{home.pk}/classify", {}, content_type="application/json")
    assert created.status_code == 201 and [_without_names(r) for r in created.json()["indicators"]] == _expected(home)


def test_reading_the_records_of_listed_results_makes_no_query(home, users, officer, django_assert_num_queries,
                                                              django_assert_max_num_queries):  # fmt: skip
    """The records need each result's standard version and form B, which the selectors read with the
    rows: the accessor makes no query, and the API history costs as many queries with six results as
    with one."""
    history_url = f"{API}/households/{home.pk}/classifications"

    def history():
        body = officer.get(history_url, {"page_size": 50}).json()
        assert all(len(item["indicators"]) == 12 for item in body["items"])

    form_b(home, users.commune_officer, overrides=OVERRIDE)
    first = household_classify(actor=users.commune_officer, household=home)
    with django_assert_max_num_queries(100) as one:
        history()
    for income in (1_000_000, 2_500_000, 9_000_000, 1_400_000, 1_900_000):
        form_b(home, users.commune_officer, income=income, answers={"nutrition": income < 2_000_000})
        household_classify(actor=users.commune_officer, household=home)
    assert Classification.objects.filter(household=home).count() == 6
    with django_assert_max_num_queries(len(one.captured_queries)):
        history()
    rows = list(classifications_of(user=users.commune_officer, household=home))
    item = classification_get_visible(user=users.commune_officer, pk=first.pk)  # the printout's and the API's
    with django_assert_num_queries(0):
        assert all(len(row.result_indicators()) == 12 for row in [*rows, item])
