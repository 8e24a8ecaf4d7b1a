import json

import pytest

from ansinh.registry.models import Household
from ansinh.reviews.models import ReviewCase
from ansinh.reviews.services_cases import cases_list_current
from ansinh.reviews.tests.factories import (
    cases_context,
    no_answers,
)

API = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    return cases_context(units, users, "poor", "other", villages={"other": "t2"})


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_case_list_is_scoped_filtered_and_searched(ctx, client):
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    client.force_login(ctx.users.commune_officer)
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/cases").json()
    assert body["count"] == 1 and body["items"][0]["origin"] == "poor_list" and body["items"][0]["state"] == "listed"
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/cases", {"q": "nguyen van"}).json()["count"] == 1
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/cases", {"state": "surveying"}).json()["count"] == 0
    client.force_login(ctx.users.supervisor)
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/cases").json()["count"] == 1


def test_application_then_form_a(ctx, client):
    client.force_login(ctx.users.commune_officer)
    url = f"{API}/campaigns/{ctx.campaign.pk}/applications"
    response = post(client, url, {"household_id": ctx.other.pk, "channel": "online", "received_on": "2025-09-20"})
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["origin"], case["state"], case["channel"]) == ("applied", "listed", "online")
    again = post(client, url, {"household_id": ctx.other.pk, "channel": "online", "received_on": "2025-09-20"})
    assert again.status_code == 409
    response = post(client, f"{API}/cases/{case['id']}/form-a", {"answers": {"car": True}})
    assert response.status_code == 422 and ReviewCase.objects.get().state == "listed"
    response = post(client, f"{API}/cases/{case['id']}/form-a", {"answers": no_answers()})
    assert response.status_code == 200 and response.json()["state"] == "surveying"
    assert response.json()["form_a_version"] == "2021.1"


def test_application_with_a_new_household_and_errors(ctx, client):
    client.force_login(ctx.users.commune_officer)
    url = f"{API}/campaigns/{ctx.campaign.pk}/applications"
    new = {"commune_id": ctx.units.tho_xuan.pk, "village_id": ctx.units.t1.pk, "code": "M01",
           "head_name": "Hoàng Văn Em", "head_sex": "male", "head_birth_year": 1980}  # fmt: skip
    response = post(client, url, {"new_household": new, "channel": "post", "received_on": "2025-09-20"})
    assert response.status_code == 201, response.content
    assert Household.objects.filter(code="M01").exists()
    response = post(client, url, {"new_household": {**new, "code": "M02"}, "channel": "post",
                                  "received_on": "2030-01-01"})  # fmt: skip
    assert response.status_code == 422 and not Household.objects.filter(code="M02").exists()
    response = post(client, url, {"channel": "post", "received_on": "2025-09-20"})
    assert response.status_code == 422
