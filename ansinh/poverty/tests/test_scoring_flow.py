"""Form B item answers scored with the standard's table: service, page, API, printout, admin edit."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.poverty.events import PovertyEventType
from ansinh.poverty.explain import reason_text
from ansinh.poverty.models import Assessment, PovertyStandard
from ansinh.poverty.services import AssessmentData, assessment_record, household_classify, standard_edit

from .factories import known_household

API = "/api/v1/poverty"
# Under the shipped provisional table (the same in every region): base 40 (rural) + members 5 → 8,
# dependants 2 → 5, primary school → 5, semi-solid house → 10, 6 m² per person → 0, unhygienic
# latrine → 3, wood → 0, motorbike → 10, television → 5, no other asset → 0, 800 m² of land → 5,
# one buffalo → 5: 96 points, at or below the rural threshold of 140.
ITEMS = {
    "members": 5, "dependants": 2, "head_schooling": "primary", "housing": "semi_solid", "floor_area_per_person": 6,
    "latrine": "unhygienic", "cooking_fuel": "wood", "motorbike": "yes", "television": "yes", "fridge": "no",
    "washing_machine": "no", "air_conditioner": "no", "computer": "no", "car": "no", "production_land": 800,
    "large_livestock": 1,
}  # fmt: skip
TOTAL = 96


def _record(household, actor, **kwargs):
    data = AssessmentData(income_source="proxy_score", answers={"nutrition": False}, **kwargs)
    return assessment_record(actor=actor, household=household, standard=PovertyStandard.objects.get(code="2022-2025"),
                             data=data)  # fmt: skip


def test_item_answers_are_scored_with_the_table_of_the_households_region(home, users):
    assessment = _record(home, users.commune_officer, score_answers=ITEMS)
    assert assessment.income_score == TOTAL
    detail = assessment.score_detail
    assert (detail["region"], detail["area"], detail["standard"], detail["version"]) == (
        "north_central_coast", "rural", "2022-2025", 1,
    )  # fmt: skip
    assert detail["provisional"] and detail["total"] == detail["base"] + sum(r["points"] for r in detail["items"])
    assert assessment.score_answers == ITEMS
    row = household_classify(actor=users.commune_officer, household=home)
    assert row.klass == "poor" and row.income_score == TOTAL
    assert row.reasons == []  # built on read (decision 0027)
    codes = [r["code"] for r in row.result_reasons()]
    assert codes.index("score_table") == codes.index("score_within") + 1
    table = next(r for r in row.result_reasons() if r["code"] == "score_table")
    assert table["region_name"] == "Bắc Trung Bộ và duyên hải miền Trung" and table["version"] == 1
    text = reason_text(table)
    assert "Bắc Trung Bộ" in text and "nông thôn" in text and "tạm thời" in text


def test_the_total_entered_directly_still_works_without_a_table_reason(home, users):
    assessment = _record(home, users.commune_officer, income_score=150)
    assert assessment.income_score == 150 and assessment.score_answers == {} and assessment.score_detail == {}
    row = household_classify(actor=users.commune_officer, household=home)
    assert row.klass == "not_poor" and "score_table" not in [r["code"] for r in row.result_reasons()]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"score_answers": ITEMS, "income_score": 90}, "income_score"),  # not both
        ({"score_answers": {**ITEMS, "housing": "castle"}}, "score_housing"),
        ({"score_answers": {k: v for k, v in ITEMS.items() if k != "members"}}, "score_members"),
        ({}, "income_score"),
    ],
)
def test_bad_item_answers_are_refused_and_nothing_is_written(home, users, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        _record(home, users.commune_officer, **kwargs)
    assert field in excinfo.value.message_dict
    assert not Assessment.objects.exists()


def test_an_administrator_edits_a_regional_table_audited_and_households_there_score_with_it(units, users, standards):
    standard = standards.s2022_2025
    definition = copy.deepcopy(standard.definition)
    for table in definition["proxy_score"]["tables"]["tables"]:
        if (table["region"], table["area"]) == ("central_highlands", "rural"):
            table["base"] = 0
    edited = standard_edit(actor=users.system_admin, standard=standard, definition=definition,
                           reason="Bảng điểm Tây Nguyên theo văn bản mới")  # fmt: skip
    assert edited.version == 2
    event = AuditEvent.objects.filter(event_type=PovertyEventType.STANDARD_EDITED).latest("id")
    assert "proxy_score" in event.changes["new"] and event.changes["reason"].startswith("Bảng điểm")
    highlands = known_household(units.mdrak, code="K002")
    there = _record(highlands, users.commune_officer_dl, score_answers=ITEMS)
    assert (there.score_detail["region"], there.score_detail["version"]) == ("central_highlands", 2)
    assert there.income_score == TOTAL - 40  # the base of the edited table is 0
    coast = _record(known_household(units.tho_xuan, code="K003"), users.commune_officer, score_answers=ITEMS)
    assert coast.income_score == TOTAL  # other regions keep their table

    broken = copy.deepcopy(definition)
    broken["proxy_score"]["tables"]["tables"].pop()
    with pytest.raises(ValidationError) as excinfo:
        standard_edit(actor=users.system_admin, standard=edited, definition=broken, reason="x")
    assert any("no table for region" in m for m in excinfo.value.message_dict["definition"])


# -- page and API -------------------------------------------------------------------------------------


def test_form_b_page_round_trip_with_item_answers(client, home, users):
    client.force_login(users.commune_officer)
    page = reverse("poverty:household", args=[home.pk])
    html = client.get(page).content.decode()
    assert 'name="score_members"' in html and 'name="score_housing"' in html
    assert "Bảng điểm tạm thời, chưa phải trọng số chính thức." in html
    post = {"income_source": "proxy_score", "answer_nutrition": "no", "assessed_on": "",
            **{f"score_{k}": v for k, v in ITEMS.items()}}  # fmt: skip
    response = client.post(reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025", post)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.income_score == TOTAL and assessment.score_answers == ITEMS
    html = client.get(page + "?standard=2022-2025").content.decode()
    assert "Tổng điểm" in html and "Bắc Trung Bộ và duyên hải miền Trung" in html
    assert 'value="800"' in html  # the form comes back with the answers
    client.post(reverse("poverty:household_classify", args=[home.pk]) + "?standard=2022-2025")
    current = home.classifications.get()
    printed = client.get(reverse("poverty:classification_print", args=[current.pk])).content.decode()
    assert "Tổng điểm" in printed and "Nhà bán kiên cố" in printed and "Điểm 96 tính từ các mục" in printed


def test_form_b_page_shows_item_errors_on_their_fields(client, home, users):
    client.force_login(users.commune_officer)
    post = {"income_source": "proxy_score", "answer_nutrition": "no", "income_score": "90",
            **{f"score_{k}": v for k, v in ITEMS.items()}}  # fmt: skip
    response = client.post(reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025", post)
    assert response.status_code == 200 and "không nhập cả hai" in response.content.decode()
    del post["income_score"], post["score_car"]
    response = client.post(reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025", post)
    assert "“Ô tô”: chưa trả lời." in response.content.decode()
    assert not Assessment.objects.exists()


def test_standard_page_lists_the_regional_tables(client, users, standards):
    client.force_login(users.commune_officer)
    html = client.get(reverse("poverty:standard_detail", args=["2022-2025"])).content.decode()
    assert "Bảng điểm phiếu B theo vùng và khu vực" in html and "Đồng bằng sông Cửu Long" in html
    assert "Phụ lục III" in html


def test_api_round_trip_with_item_answers(client, home, users):
    client.force_login(users.commune_officer)
    url = f"{API}/households/{home.pk}/assessments"
    body = {"standard": "2022-2025", "income_source": "proxy_score", "answers": {"nutrition": False},
            "score_answers": ITEMS}  # fmt: skip
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["income_score"] == TOTAL and out["score_answers"] == ITEMS
    assert out["score_detail"]["region"] == "north_central_coast" and out["score_detail"]["provisional"] is True
    response = client.post(url, json.dumps({**body, "income_score": 5}), content_type="application/json")
    assert response.status_code == 422
    response = client.post(url, json.dumps({**body, "score_answers": {"members": 3}}), content_type="application/json")
    assert response.status_code == 422 and "Số người trong hộ" not in response.content.decode()
    assert "score_housing" in response.content.decode()
    old = {
        "standard": "2022-2025",
        "income_source": "proxy_score",
        "income_score": 120,
        "answers": {"nutrition": False},
    }
    response = client.post(url, json.dumps(old), content_type="application/json")
    assert response.status_code == 201 and response.json()["score_detail"] == {}
    response = client.post(url, json.dumps(body), content_type="application/json")
    result = client.post(f"{API}/households/{home.pk}/classify", "{}", content_type="application/json").json()
    reason = next(r for r in result["reasons"] if r["code"] == "score_table")
    assert reason["data"]["region"] == "north_central_coast" and "Bắc Trung Bộ" in reason["text"]


def test_a_bulk_run_gives_an_item_scored_household_the_same_reasons(home, users, django_capture_on_commit_callbacks):
    from ansinh.poverty.models import Classification
    from ansinh.poverty.services_runs import run_commit, run_start

    assessment = _record(home, users.commune_officer, score_answers=ITEMS)
    expected = household_classify(actor=users.commune_officer, household=home, on_date=assessment.assessed_on)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=home.commune, standard=assessment.standard,
                        on_date=assessment.assessed_on)  # fmt: skip
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    stored = Classification.objects.get(run=run, household=home)
    assert stored.klass == expected.klass == "poor"
    assert stored.reasons == expected.reasons == []
    assert stored.result_reasons() == expected.result_reasons()
    assert "score_table" in [r["code"] for r in stored.result_reasons()]


def test_the_sql_commit_classifies_an_item_scored_household_itself(home, users):
    """No Python fallback for a score computed from the form B items (its score-table reason is built
    on read, decision 0027): staged as classified, read back with the reasons `evaluate` gives."""
    from ansinh.poverty.models import StandardVersion
    from ansinh.poverty.selectors import latest_assessment
    from ansinh.poverty.services import evaluate

    from .test_classify_sql import published, staged

    assessment = _record(home, users.commune_officer, score_answers=ITEMS)
    version = StandardVersion.objects.select_related("standard").get(
        standard=assessment.standard, version=assessment.standard.version
    )
    row = staged(home.commune, version, assessment.assessed_on)[home.pk]
    assert (row["state"], row["klass"], row["assessment_id"]) == ("ok", "poor", assessment.pk)
    expected = evaluate(version.spec(), home, latest_assessment(home, assessment.standard),
                        on_date=assessment.assessed_on).result  # fmt: skip
    reasons = published(row, version, assessment.assessed_on).result_reasons()
    assert reasons == [dict(r) for r in expected.reasons] and "score_table" in [r["code"] for r in reasons]
