"""/api/v1/poverty: standards, external records, household results, bulk runs."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from ansinh.poverty.choices import RunStatus
from ansinh.poverty.models import Assessment, Classification, ClassificationRun

from .factories import form_b, known_household

API = "/api/v1/poverty"


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_standards_list_is_paginated_and_detail_has_definition(officer, standards):
    body = officer.get(f"{API}/standards", {"page_size": 2}).json()
    assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 2
    assert body["items"][0]["legal_basis"][0]["number"]
    detail = officer.get(f"{API}/standards/2022-2025").json()
    assert detail["definition"]["rule"] == "single_line"
    assert officer.get(f"{API}/standards/nope").json()["code"] == "not_found"


RECORDS = [
    {"id": "A", "area": "rural", "income_per_capita": 1_000_000, "deprivations": ["water", "latrine", "telecom"],
     "farming": False},
    {"id": "B", "area": "urban", "income_per_capita": 2_500_000, "deprivations": [], "farming": True},
    {"id": "C", "area": "rural", "income_per_capita": 1_400_000.0, "deprivations": ["water"], "farming": False},
]  # fmt: skip


def test_classify_records_answers_like_the_command(officer, standards, tmp_path):
    response = _post(officer, f"{API}/standards/2022-2025/classify", RECORDS)
    assert response.status_code == 200
    answer = response.json()
    assert [r["class"] for r in answer] == ["poor", "average", "near_poor"]
    assert answer[1]["flags"] == ["low_income"]
    assert all(reason["text"] for reason in answer[0]["reasons"])
    path = tmp_path / "records.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    out = StringIO()
    call_command("poverty_classify", "--standard", "2022-2025", "--input", str(path), stdout=out)
    assert json.loads(out.getvalue()) == answer


@pytest.mark.parametrize(
    ("records", "key", "text"),
    [
        ([{"id": 1, "area": "rural"}], "records.0", "thiếu trường"),
        ([RECORDS[0], {**RECORDS[1], "deprivations": ["bogus"]}], "records.1", "bogus"),
        ([{**RECORDS[0], "income_per_capita": -5}], "records.0", "không được âm"),
        ([{**RECORDS[0], "farming": "yes"}], "records.0", "farming"),
        ([7], "records.0", "đối tượng JSON"),
    ],
)
def test_classify_records_refuses_a_bad_record_by_name(officer, standards, records, key, text):
    response = _post(officer, f"{API}/standards/2022-2025/classify", records)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert text in body["details"][key][0]
    assert "bản ghi #" in body["details"][key][0]


def test_assessment_classify_and_history(officer, home):
    url = f"{API}/households/{home.pk}"
    response = _post(officer, f"{url}/assessments", {"income_source": "declared", "income_per_capita": 1_000_000,
                                                      "answers": {"nutrition": False}})  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["standard_code"] == "2022-2025"
    response = _post(officer, f"{url}/classify", {})
    assert response.status_code == 201
    body = response.json()
    assert body["poverty_class"] == "poor" and body["class_label"] == "Hộ nghèo"
    assert body["deprivations"] == ["water", "latrine", "telecom"]
    assert any("Thiếu hụt 3 chỉ số" in r["text"] for r in body["reasons"])
    history = officer.get(f"{url}/classifications").json()
    assert history["count"] == 1 and history["items"][0]["id"] == body["id"]


def test_override_without_reason_is_422(officer, home):
    payload = {"income_source": "declared", "income_per_capita": 1, "overrides": {"water": {"value": False}}}
    response = _post(officer, f"{API}/households/{home.pk}/assessments", payload)
    assert response.status_code == 422
    assert "override_water" in response.json()["details"]
    assert not Assessment.objects.exists()


def test_classify_incomplete_is_409_and_writes_nothing(officer, home):
    response = _post(officer, f"{API}/households/{home.pk}/classify", {"standard": "2022-2025"})
    assert response.status_code == 409
    assert response.json()["code"] == "classification_incomplete"
    assert not Classification.objects.exists()


def test_unknown_standard_in_body_is_422(officer, home):
    response = _post(officer, f"{API}/households/{home.pk}/classify", {"standard": "nope"})
    assert response.status_code == 422


def test_out_of_area_household_is_404(officer, users, units, standards):
    other = known_household(units.mdrak, code="DL1")
    assert officer.get(f"{API}/households/{other.pk}/classifications").status_code == 404
    response = _post(officer, f"{API}/households/{other.pk}/assessments",
                     {"income_source": "declared", "income_per_capita": 1})  # fmt: skip
    assert response.status_code == 404
    assert _post(officer, f"{API}/households/{other.pk}/classify", {}).status_code == 404


def test_run_flow(officer, users, units, home, django_capture_on_commit_callbacks):
    form_b(home, users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(officer, f"{API}/runs", {"unit_id": units.tho_xuan.pk, "standard": "2022-2025"})
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    body = officer.get(f"{API}/runs/{run_id}").json()
    assert body["status"] == RunStatus.PREVIEWED
    assert body["preview"]["counts"]["poor"] == 1
    assert officer.get(f"{API}/runs").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(officer, f"{API}/runs/{run_id}/commit", {})
    assert response.status_code == 200
    assert ClassificationRun.objects.get().status == RunStatus.COMMITTED
    assert Classification.objects.get().run_id == run_id
    response = _post(officer, f"{API}/runs/{run_id}/cancel", {})
    assert response.status_code == 409 and response.json()["code"] == "run_transition_refused"


def test_run_outside_classify_area_is_refused(officer, units, standards):
    response = _post(officer, f"{API}/runs", {"unit_id": units.mdrak.pk, "standard": "2022-2025"})
    assert response.status_code == 422
    assert "unit_id" in response.json()["details"]
    assert not ClassificationRun.objects.exists()


def test_standards_carry_the_english_texts_of_the_data_beside_the_vietnamese(officer, standards):
    """Names, grounds, notes and indicators come in both languages, whatever the caller's language:
    the Vietnamese fields stay as they were (clients depend on them), the English ones are added."""
    for language in ("vi", "en"):
        officer.cookies["django_language"] = language
        items = officer.get(f"{API}/standards", {"page_size": 10}).json()["items"]
        standard = next(s for s in items if s["code"] == "2022-2025")
        assert standard["name"].startswith("Chuẩn nghèo") and standard["name_en"].startswith("Multidimensional")
        assert standard["legal_basis"][0]["title"] and standard["legal_basis"][0]["title_en"]
        assert standard["legal_basis"][0]["title"] != standard["legal_basis"][0]["title_en"]
        assert standard["notes_en"] and standard["notes_en"] != standard["notes"]
        employment = standard["indicators"][0]
        assert employment["code"] == "employment" and employment["derived"] is True
        assert (employment["name"], employment["name_en"]) == ("Việc làm", "Employment")
        assert employment["dimension_name_en"] == "Employment"
        assert employment["threshold_en"].startswith("At least one member of working age")
        assert employment["source_en"] == "NĐ 07/2021/NĐ-CP, Appendix"
        detail = officer.get(f"{API}/standards/2022-2025").json()
        assert detail["indicators"] == standard["indicators"] and detail["name_en"] == standard["name_en"]


def test_results_and_runs_name_the_standard_and_indicators_in_both_languages(
    officer, users, units, home, django_capture_on_commit_callbacks
):
    form_b(home, users.commune_officer)
    body = _post(officer, f"{API}/households/{home.pk}/classify", {}).json()
    assert body["standard_name"].startswith("Chuẩn nghèo") and body["standard_name_en"].startswith("Multidimensional")
    water = next(i for i in body["indicators"] if i["code"] == "water")
    assert water["name"] == "Nguồn nước sinh hoạt" and water["name_en"] == "Domestic water source"
    assert water["final"] is True  # the record's own fields are kept
    officer.cookies["django_language"] = "en"
    history = officer.get(f"{API}/households/{home.pk}/classifications").json()["items"][0]
    assert history["class_label"] == "Poor household" and history["indicators"] == body["indicators"]
    with django_capture_on_commit_callbacks(execute=True):
        run = _post(officer, f"{API}/runs", {"unit_id": units.tho_xuan.pk, "standard": "2022-2025"}).json()
    assert run["standard_name_en"] == body["standard_name_en"] and run["standard_name"] == body["standard_name"]
    listed = officer.get(f"{API}/runs").json()["items"][0]
    assert listed["standard_name_en"] == body["standard_name_en"]


def test_openapi_describes_the_english_fields(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"name_en", "notes_en", "indicators"} <= set(schemas["StandardListOut"]["required"])
    assert "title_en" in schemas["LegalBasisOut"]["properties"]
    indicator = schemas["StandardIndicatorOut"]["properties"]
    assert {"name_en", "dimension_name_en", "threshold_en", "source_en"} <= set(indicator)
    assert "standard_name_en" in schemas["ClassificationOut"]["properties"]
    assert "standard_name_en" in schemas["RunOut"]["properties"]
