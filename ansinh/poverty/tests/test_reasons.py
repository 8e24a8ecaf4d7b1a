"""A result's reasons built on read from the facts it keeps (`Classification.result_reasons`, decision 0027).

New results store no reasons; the reasons read back equal what `evaluate` gave when the result was
written (score-table reason included); results that stored their reasons keep them; when today's
rules give another class or other flags from the stored facts, the reasons say so instead of
explaining a class the result does not hold. Pages and the API read them through the accessor, in a
number of queries that does not grow with the number of results listed.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ansinh.poverty import reasons as reasons_module
from ansinh.poverty.classify import ClassificationInputError, Result
from ansinh.poverty.explain import reason_text
from ansinh.poverty.models import Classification, PovertyStandard
from ansinh.poverty.selectors import classification_get_visible, classifications_of, latest_assessment
from ansinh.poverty.services import AssessmentData, assessment_record, evaluate, household_classify

from .factories import form_b
from .test_scoring_flow import ITEMS

API = "/api/v1/poverty"


def _expected(household, on_date=None):
    standard = PovertyStandard.objects.get(code="2022-2025")
    on_date = on_date or timezone.localdate()
    evaluation = evaluate(standard.spec(), household, latest_assessment(household, standard), on_date=on_date)
    return [dict(r) for r in evaluation.result.reasons]


def _proxy(household, actor):
    data = AssessmentData(income_source="proxy_score", answers={"nutrition": False}, score_answers=ITEMS)
    standard = PovertyStandard.objects.get(code="2022-2025")
    return assessment_record(actor=actor, household=household, standard=standard, data=data)


def _read(household, user):
    return classifications_of(user=user, household=household).first()


@pytest.mark.parametrize("income", [1_000_000, 1_400_000, 1_900_000, 2_500_000, 9_000_000])
def test_a_new_result_stores_no_reasons_and_reads_evaluates(home, users, income):
    form_b(home, users.commune_officer, income=income)
    row = household_classify(actor=users.commune_officer, household=home)
    stored = Classification.objects.get(pk=row.pk)
    assert stored.reasons == []
    assert _read(home, users.commune_officer).result_reasons() == _expected(home)
    assert stored.as_result() == {"class": row.klass, "flags": list(row.flags), "reasons": _expected(home)}


def test_a_proxy_score_from_form_b_items_reads_its_score_table_reason(home, users):
    _proxy(home, users.commune_officer)
    household_classify(actor=users.commune_officer, household=home)
    reasons = _read(home, users.commune_officer).result_reasons()
    assert reasons == _expected(home)
    codes = [r["code"] for r in reasons]
    assert codes.index("score_table") == codes.index("score_within") + 1


def test_an_old_result_keeps_the_reasons_it_stored(home, users):
    form_b(home, users.commune_officer, income=1_000_000)
    row = household_classify(actor=users.commune_officer, household=home)
    old = [{"code": "standard", "standard": "2022-2025", "name": "Chuẩn cũ", "legal_basis": "Văn bản cũ"},
           {"code": "rule_poor", "rule": "single_line"}]  # fmt: skip
    Classification.objects.filter(pk=row.pk).update(reasons=old)  # as written before decision 0027
    read = _read(home, users.commune_officer)
    assert read.result_reasons() == old
    assert Classification.objects.get(pk=row.pk).reasons == old  # nothing rewritten


def test_reasons_under_changed_rules_say_so_instead_of_explaining_another_class(home, users, monkeypatch):
    form_b(home, users.commune_officer, income=1_000_000)
    row = household_classify(actor=users.commune_officer, household=home)
    assert row.klass == "poor"
    today = reasons_module.classify

    def changed_rules(facts, spec):  # as if the rule code now gave another class from the same facts
        result = today(facts, spec)
        return Result("near_poor", ("low_income",), result.reasons, result.deprivation_count)

    monkeypatch.setattr(reasons_module, "classify", changed_rules)
    reasons = _read(home, users.commune_officer).result_reasons()
    assert [r["code"] for r in reasons] == ["standard", "deprivations", "rules_changed"]
    assert reasons[-1] == {"code": "rules_changed", "stored_class": "poor", "stored_flags": [],
                           "class": "near_poor", "flags": ["low_income"]}  # fmt: skip
    text = reason_text(reasons[-1])
    assert "quy tắc phân loại hiện nay" in text and "Hộ cận nghèo, lao động có thu nhập thấp" in text
    assert "đã lưu: Hộ nghèo" in text

    def refused(facts, spec):
        raise ClassificationInputError("thiếu thu nhập")

    monkeypatch.setattr(reasons_module, "classify", refused)
    reasons = _read(home, users.commune_officer).result_reasons()
    assert reasons == [{"code": "rules_changed", "stored_class": "poor", "stored_flags": [], "class": None,
                        "flags": []}]  # fmt: skip
    assert "Không tính lại được lý do" in reason_text(reasons[0])


def test_the_page_the_printout_and_the_api_show_the_sentences_evaluate_gives(home, users, officer):
    _proxy(home, users.commune_officer)
    row = household_classify(actor=users.commune_officer, household=home)
    spec = row.standard_version.spec()
    sentences = [reason_text(r, spec) for r in _expected(home)]
    page = officer.get(reverse("poverty:household", args=[home.pk])).content.decode()
    printout = officer.get(reverse("poverty:classification_print", args=[row.pk])).content.decode()
    api = officer.get(f"{API}/households/{home.pk}/classifications").json()["items"][0]["reasons"]
    assert [r["text"] for r in api] == sentences
    for text in sentences:
        escaped = text.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")
        assert escaped in page and escaped in printout


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_listing_results_reads_their_reasons_in_a_bounded_number_of_queries(
    home, users, officer, django_assert_max_num_queries, django_assert_num_queries
):
    """Each result's reasons need its standard version and its form B: read with the list, not one
    query per result (the parsed standard is cached per version). The API history, the household's
    classification page and the printout cost as many queries with six results as with one."""
    history_url = f"{API}/households/{home.pk}/classifications"
    page_url = reverse("poverty:household", args=[home.pk])

    def history():
        body = officer.get(history_url, {"page_size": 50}).json()
        assert all(item["reasons"] and item["reasons"][0]["code"] == "standard" for item in body["items"])

    _proxy(home, users.commune_officer)
    first = household_classify(actor=users.commune_officer, household=home)
    one = (_queries(history), _queries(lambda: officer.get(page_url)))
    for income in (1_000_000, 2_500_000):
        form_b(home, users.commune_officer, income=income)
        household_classify(actor=users.commune_officer, household=home)
    for _ in range(3):
        _proxy(home, users.commune_officer)
        household_classify(actor=users.commune_officer, household=home)
    assert Classification.objects.filter(household=home).count() == 6
    assert Classification.objects.filter(household=home).exclude(reasons=[]).count() == 0
    with django_assert_max_num_queries(one[0]):
        history()
    with django_assert_max_num_queries(one[1]):
        officer.get(page_url)
    rows = list(classifications_of(user=users.commune_officer, household=home))
    item = classification_get_visible(user=users.commune_officer, pk=first.pk)  # the printout's and the API's
    with django_assert_num_queries(0):  # everything the reasons need came with the rows
        assert all(row.result_reasons() for row in [*rows, item])
