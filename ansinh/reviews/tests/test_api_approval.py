"""Step 10 API: the list and the three moves, with the same refusals as the pages (409 / 422 / 403)."""

import json
from types import SimpleNamespace

import pytest

from ansinh.reviews.models import UnitApproval
from ansinh.reviews.tests import matrix_approval as m


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    m._setup(c)
    return c


def post(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_list_shows_rows_blockers_and_actions(ctx, client):
    client.force_login(ctx.users.province_officer)
    response = client.get(f"/api/v1/reviews/campaigns/{ctx.campaign.pk}/approvals")
    assert response.status_code == 200
    rows = {r["unit"]["name"]: r for r in response.json()}
    assert set(rows) == {"Tỉnh Thanh Hóa", "Xã Thọ Xuân", "Phường Hạc Thành"}
    province = rows["Tỉnh Thanh Hóa"]
    assert province["children"] == {"waiting": 2} and province["blockers"] is None
    assert sorted(province["children_not_approved"]) == ["Phường Hạc Thành", "Xã Thọ Xuân"]
    commune = rows["Xã Thọ Xuân"]
    assert commune["blockers"] == {"has_decision": True, "cases_not_decided": {}, "open_complaints": 0,
                                   "discrepancies": 0}  # fmt: skip
    assert commune["can_submit"] is True and commune["can_approve"] is False


def test_submit_approve_return_and_refusals(ctx, client):
    users = ctx.users
    base = f"/api/v1/reviews/approvals/{ctx.commune.pk}"
    client.force_login(users.commune_officer)
    response = post(client, f"{base}/submit")
    assert response.status_code == 200 and response.json()["state"] == "ready"
    assert response.json()["submitted_by"] == "commune_officer"
    response = post(client, f"{base}/submit")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    client.force_login(users.province_approver)
    assert post(client, f"{base}/approve").status_code == 403  # not at the commune's level
    client.force_login(users.commune_chair)
    response = post(client, f"{base}/approve")
    assert response.status_code == 200 and response.json()["state"] == "approved" and response.json()["locked"]
    response = post(client, f"{base}/approve")
    assert response.status_code == 409 and "đã được phê duyệt" in response.json()["message"]
    client.force_login(users.province_officer)
    response = post(client, f"/api/v1/reviews/approvals/{ctx.province.pk}/submit")
    assert response.status_code == 409 and response.json()["code"] == "children_not_approved"
    assert response.json()["details"]["units"] == ["Phường Hạc Thành"]
    client.force_login(users.province_approver)
    assert post(client, f"{base}/return", {"reason": " "}).status_code == 422
    response = post(client, f"{base}/return", {"reason": "Sai hộ X1"})
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["returned_reason"] == "Sai hộ X1"
    assert UnitApproval.objects.get(pk=ctx.commune.pk).state == "returned"


def test_out_of_area_and_wrong_role(ctx, client):
    client.force_login(ctx.users.commune_officer)
    assert post(client, f"/api/v1/reviews/approvals/{ctx.commune_out.pk}/submit").status_code == 404
    assert client.get(f"/api/v1/reviews/campaigns/{ctx.campaign_out.pk}/approvals").status_code == 404
    client.force_login(ctx.users.supervisor)
    assert post(client, f"/api/v1/reviews/approvals/{ctx.commune.pk}/submit").status_code == 403
    client.logout()
    assert post(client, f"/api/v1/reviews/approvals/{ctx.commune.pk}/submit").status_code == 401
