import json

import pytest

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Reinspection, ReviewCase
from ansinh.reviews.tests.factories import load_reference_data
from ansinh.reviews.tests.helpers_inspection import inspection_ctx, order, with_discrepancy

API = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return inspection_ctx(units, users)


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_suspicious_units(ctx, client):
    client.force_login(ctx.users.province_officer)
    data = client.get(f"{API}/campaigns/{ctx.campaign.pk}/suspicious-units").json()
    assert (data["households"], data["poor_before"], data["poor_now"]) == (4, 2, 1)
    assert data["change"] == pytest.approx(-25.0) and data["gap_points"] == 2.0
    rows = {r["unit"]["id"]: r for r in data["units"]}
    tx = rows[ctx.units.tho_xuan.pk]
    assert tx["rate_before"] == pytest.approx(50.0) and tx["rate_now"] == pytest.approx(25.0)
    assert tx["flagged"] is False and tx["reasons"] == []
    assert rows[ctx.units.hac_thanh.pk]["change"] is None
    client.force_login(ctx.users.commune_officer)
    data = client.get(f"{API}/campaigns/{ctx.campaign.pk}/suspicious-units").json()
    assert [r["unit"]["id"] for r in data["units"]] == [ctx.units.tho_xuan.pk]


def test_create_with_named_cases_or_a_seeded_sample(ctx, client):
    client.force_login(ctx.users.inspector)
    url = f"{API}/campaigns/{ctx.campaign.pk}/reinspections"
    response = post(client, url, {"commune_id": ctx.units.tho_xuan.pk, "reasons": ["Có khiếu nại"],
                                  "sample_size": 3, "seed": 11})  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open" and data["ordered_by_unit"]["id"] == ctx.units.th.pk
    assert data["reasons"] == [{"code": "other", "text": "Có khiếu nại"}] and len(data["samples"]) == 3
    assert {s["commune_class"] for s in data["samples"]} <= {"poor", "near_poor", "not_poor"}
    listed = client.get(url).json()
    assert [r["id"] for r in listed] == [data["id"]]
    assert client.get(f"{API}/reinspections/{data['id']}").json()["samples"] == data["samples"]


def test_create_refusals(ctx, client):
    url = f"{API}/campaigns/{ctx.campaign.pk}/reinspections"
    client.force_login(ctx.users.inspector)
    body = {"commune_id": ctx.units.tho_xuan.pk, "reasons": ["x"]}
    assert post(client, url, body).status_code == 422  # neither cases nor sample size
    assert post(client, url, body | {"case_ids": [ctx.cases_out[0].pk]}).status_code == 422  # not of the campaign
    assert post(client, url, body | {"commune_id": 0, "sample_size": 1}).status_code == 422
    assert post(client, url, body | {"reasons": [], "sample_size": 1}).status_code == 422
    assert post(client, url, body | {"sample_size": 1}).status_code == 201
    response = post(client, url, body | {"sample_size": 1})
    assert response.status_code == 409 and response.json()["code"] == "reinspection_already_open"
    client.force_login(ctx.users.system_admin)  # national: orders from no unit above the commune
    assert post(client, url, body | {"commune_id": ctx.units.hac_thanh.pk, "sample_size": 1}).status_code == 403
    assert Reinspection.objects.count() == 1


def test_finding_resolve_close(ctx, client):
    reinspection = order(ctx)
    first, second = reinspection.samples.order_by("pk")
    client.force_login(ctx.users.inspector)
    response = post(client, f"{API}/reinspection-samples/{second.pk}/finding",
                    {"found_class": "poor", "findings": "Thu nhập thấp", "inspected_on": "2025-10-22"})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["discrepancy"] is True and response.json()["household_code"] == "H2"
    response = post(client, f"{API}/reinspection-samples/{first.pk}/finding",
                    {"found_class": "rich", "inspected_on": "2025-10-22"})  # fmt: skip
    assert response.status_code == 422
    response = post(client, f"{API}/reinspections/{reinspection.pk}/close", {})
    assert response.status_code == 409 and response.json()["code"] == "findings_missing"
    post(client, f"{API}/reinspection-samples/{first.pk}/finding",
         {"found_class": first.commune_class, "inspected_on": "2025-10-22"})  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/reinspection-samples/{first.pk}/resolve", {"resolution": "x"})
    assert response.status_code == 409 and response.json()["code"] == "no_discrepancy"
    assert post(client, f"{API}/reinspection-samples/{second.pk}/resolve", {"resolution": " "}).status_code == 422
    response = post(client, f"{API}/reinspection-samples/{second.pk}/resolve",
                    {"resolution": "Rà soát lại", "resurvey": True})  # fmt: skip
    assert response.status_code == 200 and response.json()["resolved_on"]
    assert ReviewCase.objects.get(pk=second.case_id).state == "surveying"
    client.force_login(ctx.users.inspector)
    response = post(client, f"{API}/reinspections/{reinspection.pk}/close", {})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.REINSPECTION_CLOSED).count() == 1


def test_out_of_area_objects_are_not_found(ctx, client):
    out = with_discrepancy(ctx, campaign=ctx.campaign_out, commune=ctx.units.mdrak,
                           actor=ctx.users.province_officer_dl, cases=ctx.cases_out[:2])  # fmt: skip
    sample = out.samples.get(discrepancy=True)
    client.force_login(ctx.users.inspector)
    assert client.get(f"{API}/reinspections/{out.pk}").status_code == 404
    assert post(client, f"{API}/reinspection-samples/{sample.pk}/finding",
                {"found_class": "poor", "inspected_on": "2025-10-22"}).status_code == 404  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    assert post(client, f"{API}/reinspection-samples/{sample.pk}/resolve", {"resolution": "x"}).status_code == 404
