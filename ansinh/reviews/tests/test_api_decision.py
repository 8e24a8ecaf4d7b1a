import json
from types import SimpleNamespace

import pytest

from ansinh.reviews.tests.helpers_decision import build_posted

BASE = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    build_posted(c)
    return c


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_decision_and_certificates_through_the_api(ctx, client):
    client.force_login(ctx.users.commune_chair)
    payload = {
        "commune_id": ctx.units.tho_xuan.pk,
        "number": "125/QĐ-UBND",
        "signed_on": "2025-11-20",
        "signer_name": "Lê Văn Bình",
    }
    response = _post(client, f"{BASE}/campaigns/{ctx.campaign.pk}/decisions", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counts"]["poor"] == 2 and body["commune_name"] == "Xã Thọ Xuân"
    assert [h["household_code"] for h in body["lists"][0]["households"]] == ["H1", "H4"]
    again = _post(client, f"{BASE}/campaigns/{ctx.campaign.pk}/decisions", {**payload, "number": "126/QĐ-UBND"})
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_decide"
    bad = _post(client, f"{BASE}/campaigns/{ctx.campaign.pk}/decisions", {**payload, "commune_id": ctx.units.mdrak.pk})
    assert bad.status_code == 422
    listing = client.get(f"{BASE}/campaigns/{ctx.campaign.pk}/decisions").json()
    assert [d["number"] for d in listing] == ["125/QĐ-UBND"]
    decision_id = body["id"]
    assert client.get(f"{BASE}/decisions/{decision_id}").json()["counts"]["average"] == 1
    draft = client.get(f"{BASE}/decisions/{decision_id}/draft")
    assert draft.status_code == 200 and draft["Content-Type"].startswith("application/vnd.openxmlformats")
    issued = _post(client, f"{BASE}/decisions/{decision_id}/certificates", {"issued_on": "2025-11-25"})
    assert issued.status_code == 201
    assert [c["number"] for c in issued.json()] == [
        "0001/2025/GCN-HN.HCN",
        "0002/2025/GCN-HN.HCN",
        "0003/2025/GCN-HN.HCN",
    ]
    assert _post(client, f"{BASE}/decisions/{decision_id}/certificates", {}).json() == []
    certificates = client.get(f"{BASE}/decisions/{decision_id}/certificates").json()
    assert [c["household_code"] for c in certificates] == ["H1", "H3", "H4"]
    early = _post(client, f"{BASE}/decisions/{decision_id}/certificates", {"issued_on": "2025-11-01"})
    assert early.status_code == 422


def test_signed_on_before_posting_end_is_422(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = _post(
        client,
        f"{BASE}/campaigns/{ctx.campaign.pk}/decisions",
        {
            "commune_id": ctx.units.tho_xuan.pk,
            "number": "1/QĐ-UBND",
            "signed_on": "2025-11-05",
            "signer_name": "Lê Văn Bình",
        },
    )
    assert response.status_code == 422
