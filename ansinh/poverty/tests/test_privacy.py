"""Incomes and form B scores are shown only to roles holding `poverty.view_income` (issue 7)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from ansinh.accounts.models import Role
from ansinh.poverty.api import AssessmentOut
from ansinh.poverty.explain import reason_text
from ansinh.poverty.privacy import VIEW_INCOME_PERM, reason_masked, score_detail_masked
from ansinh.poverty.services import household_classify

from .factories import form_b, known_household

API = "/api/v1/poverty"
INCOME = 1_234_000
SHOWN = "1.234.000"
MASK = "••• (ẩn)"
VERDICT = "không cao hơn chuẩn nghèo"

WITH_INCOME = ["enumerator", "commune_officer", "commune_chair", "district_officer", "province_officer",
               "province_approver", "inspector", "auditor", "system_admin"]  # fmt: skip
WITHOUT_INCOME = ["village_head", "commune_steering_member", "supervisor", "helping_agency_member"]


@pytest.fixture
def classified(units, users, standards):
    home = known_household(units.tho_xuan, village=units.t1)
    form_b(home, users.commune_officer, income=INCOME)
    item = household_classify(actor=users.commune_officer, household=home)
    return SimpleNamespace(home=home, item=item)


@pytest.mark.parametrize("name", WITH_INCOME)
def test_roles_whose_work_needs_incomes_hold_the_permission(users, classified, name):
    user = getattr(users, name)
    assert user.has_perm(VIEW_INCOME_PERM)
    if name != "district_officer":  # a legacy district does not cover the 2025 commune
        assert user.has_perm(VIEW_INCOME_PERM, classified.home)


@pytest.mark.parametrize("name", WITHOUT_INCOME)
def test_other_roles_do_not(users, classified, name):
    assert not getattr(users, name).has_perm(VIEW_INCOME_PERM)


def test_permission_is_per_area(users, classified):
    assert not users.commune_officer_dl.has_perm(VIEW_INCOME_PERM, classified.home)


def _household_page(client, user, pk):
    client.force_login(user)
    response = client.get(reverse("poverty:household", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_household_page_masks_income_and_reason_figures_without_permission(client, users, classified):
    html = _household_page(client, users.village_head, classified.home.pk)
    assert SHOWN not in html
    assert MASK in html
    assert f"Thu nhập bình quân {MASK}, {VERDICT}" in html  # the verdict stays, the figure does not
    assert "Hộ nghèo" in html and "1.500.000" in html  # class and the public poverty line still show


def test_household_page_shows_income_with_permission(client, users, classified):
    html = _household_page(client, users.enumerator, classified.home.pk)
    assert f"{SHOWN} đồng/người/tháng" in html
    assert f"Thu nhập bình quân {SHOWN} đồng/người/tháng, {VERDICT}" in html
    assert MASK not in html


def test_form_b_is_not_prefilled_with_income_for_a_classifier_without_permission(client, users, classified):
    role = Role.objects.get(code="enumerator")
    role.permissions.remove(role.permissions.get(codename="view_income"))  # an administrator's edit
    html = _household_page(client, users.enumerator, classified.home.pk)
    assert 'name="income_per_capita"' in html  # the form is there, empty
    assert str(INCOME) not in html and SHOWN not in html


@pytest.mark.parametrize(("name", "shown"), [("village_head", False), ("commune_chair", True)])
def test_printed_result_masks_income_without_permission(client, users, classified, name, shown):
    client.force_login(getattr(users, name))
    response = client.get(reverse("poverty:classification_print", args=[classified.item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (SHOWN in html) is shown
    assert (MASK in html) is not shown
    assert VERDICT in html


@pytest.mark.parametrize(("name", "shown"), [("supervisor", False), ("inspector", True)])
def test_api_classifications_null_income_without_permission(client, users, classified, name, shown):
    client.force_login(getattr(users, name))
    response = client.get(f"{API}/households/{classified.home.pk}/classifications")
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert item["income_per_capita"] == (INCOME if shown else None)
    assert item["poverty_class"] == "poor"
    income_reason = next(r for r in item["reasons"] if r["code"] == "income_within")
    assert income_reason["data"]["income"] == (INCOME if shown else None)
    assert income_reason["data"]["line"] == 1_500_000  # the public line is kept
    assert (SHOWN in income_reason["text"]) is shown and VERDICT in income_reason["text"]
    assert (MASK in income_reason["text"]) is not shown


def test_api_assessment_output_masks_income_and_score_detail(users, classified):
    assessment = classified.item.assessment
    assessment.score_detail = {"standard": "2022-2025", "region": "north", "base": 50, "total": 143,
                               "items": [{"code": "car", "answer": "yes", "points": 93}]}  # fmt: skip
    assessment.score_answers = {"car": "yes"}
    hidden = AssessmentOut.model_validate(assessment, context={"request": SimpleNamespace(user=users.village_head)})
    assert (hidden.income_per_capita, hidden.income_score, hidden.score_answers) == (None, None, {})
    assert hidden.score_detail == {"standard": "2022-2025", "region": "north", "base": 50}
    shown = AssessmentOut.model_validate(assessment, context={"request": SimpleNamespace(user=users.enumerator)})
    assert shown.income_per_capita == INCOME and shown.score_detail["total"] == 143
    assert shown.score_answers == {"car": "yes"}


def test_api_schema_documents_the_null():
    schema = AssessmentOut.model_json_schema()
    assert "poverty.view_income" in schema["properties"]["income_per_capita"]["description"]


@pytest.mark.parametrize(
    ("reason", "figure"),
    [
        ({"code": "score_within", "score": 117, "threshold": 140, "area": "rural"}, "117"),
        ({"code": "score_above", "score": 163, "threshold": 140, "area": "urban"}, "163"),
        (
            {
                "code": "score_table",
                "total": 151,
                "region_name": "Tây Nguyên",
                "area": "rural",
                "standard": "2022-2025",
                "version": 1,
            },
            "151",
        ),
        (
            {"code": "income_above", "income": 2_345_000, "line_kind": "near_poor", "area": "rural", "line": 2_250_000},
            "2.345.000",
        ),
    ],
)
def test_reason_texts_mask_the_household_figures_only(reason, figure):
    assert figure in reason_text(reason)
    masked = reason_text(reason, show_income=False)
    assert figure not in masked and MASK in masked
    assert reason_text(reason_masked(reason), show_income=False) == masked
    if "threshold" in reason:
        assert str(reason["threshold"]) in masked  # thresholds are public
    if "line" in reason:
        assert "2.250.000" in masked


def test_score_detail_masked_keeps_the_table_only():
    assert score_detail_masked({}) == {}
    assert score_detail_masked({"region": "x", "total": 1, "items": [1]}) == {"region": "x"}


def test_upgrade_migration_grants_existing_roles(roles):
    enumerator, village_head = Role.objects.get(code="enumerator"), Role.objects.get(code="village_head")
    perm = enumerator.permissions.get(codename="view_income")
    enumerator.permissions.remove(perm)  # a database from before this permission
    enumerator.seeded_permissions = [p for p in enumerator.seeded_permissions if p != VIEW_INCOME_PERM]
    enumerator.save()
    migration = importlib.import_module("ansinh.poverty.migrations.0004_grant_view_income")
    migration.grant(apps, None)
    enumerator.refresh_from_db()
    assert enumerator.permissions.filter(codename="view_income").exists()
    assert VIEW_INCOME_PERM in enumerator.seeded_permissions
    assert not village_head.permissions.filter(codename="view_income").exists()
    migration.grant(apps, None)  # idempotent
    assert enumerator.permissions.filter(codename="view_income").count() == 1
