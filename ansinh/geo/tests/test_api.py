"""/api/v1/units: payloads, filters, and the error shape of refusals."""

import json

import pytest

from ansinh.geo.models import AdminUnit

BASE = "/api/v1/units"


@pytest.fixture
def api(client, users):
    client.force_login(users.commune_officer)
    return client


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_list_is_scoped_paginated_and_searchable(api, units):
    body = api.get(f"{BASE}/", {"q": "thon", "page_size": 1}).json()
    assert body["count"] == 2
    assert body["pages"] == 2
    assert body["items"][0]["name"] == "Thôn 1"
    everything = api.get(f"{BASE}/").json()
    assert {item["name"] for item in everything["items"]} == {"Xã Thọ Xuân", "Thôn 1", "Thôn 2", "Xã Xuân Hồng"}


def test_list_filters(client, users, units):
    client.force_login(users.system_admin)
    body = client.get(f"{BASE}/", {"structure": "legacy", "level": "commune"}).json()
    assert [item["code"] for item in body["items"]] == ["15850"]
    body = client.get(f"{BASE}/", {"as_of": "2025-06-30", "level": "province"}).json()
    assert [item["structure"] for item in body["items"]] == ["legacy"]
    body = client.get(f"{BASE}/", {"parent": units.tho_xuan.pk}).json()
    assert [item["code"] for item in body["items"]] == ["T1", "T2"]
    body = client.get(f"{BASE}/", {"province": units.dl.pk}).json()
    assert {item["code"] for item in body["items"]} == {"24000", "B1"}


def test_detail_has_ancestors_and_succession(client, users, units):
    client.force_login(users.system_admin)
    body = client.get(f"{BASE}/{units.tho_xuan.pk}").json()
    assert body["path"] == "/2025/38/16000/"
    assert body["area_type"] == "rural"
    assert [a["name"] for a in body["ancestors"]] == ["Tỉnh Thanh Hóa"]
    assert body["predecessors"] == [
        {"unit": {"id": units.xuan_hong.pk, "name": "Xã Xuân Hồng", "path": units.xuan_hong.path}, "is_default": True}
    ]
    legacy = client.get(f"{BASE}/{units.xuan_hong.pk}").json()
    assert legacy["successors"][0]["unit"]["id"] == units.tho_xuan.pk
    assert legacy["successor_path"] == units.tho_xuan.path


def test_children(api, units):
    body = api.get(f"{BASE}/{units.tho_xuan.pk}/children").json()
    assert [c["code"] for c in body] == ["T1", "T2"]
    assert api.get(f"{BASE}/{units.tho_xuan.pk}/children", {"as_of": "2020-01-01"}).json() == []


def test_out_of_area_and_missing_answer_the_same_404(api, units):
    out = api.get(f"{BASE}/{units.mdrak.pk}")
    missing = api.get(f"{BASE}/999999")
    assert out.status_code == missing.status_code == 404
    assert out.json() == missing.json()
    assert out.json()["code"] == "not_found"


def test_village_create_and_its_refusals(api, units):
    response = _post(api, f"{BASE}/{units.tho_xuan.pk}/villages", {"code": "T3", "name": "Thôn 3", "unit_type": "thon"})
    assert response.status_code == 201
    assert response.json()["path"] == "/2025/38/16000/T3/"
    duplicate = _post(api, f"{BASE}/{units.tho_xuan.pk}/villages", {"code": "T3", "name": "X", "unit_type": "thon"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_code"
    bad = _post(api, f"{BASE}/{units.tho_xuan.pk}/villages", {"code": "T 9", "name": "X", "unit_type": "thon"})
    assert bad.status_code == 422
    assert "code" in bad.json()["details"]
    malformed = _post(api, f"{BASE}/{units.tho_xuan.pk}/villages", {"code": "T9"})
    assert malformed.status_code == 422


def test_village_create_on_a_legacy_commune_is_refused(api, units):
    # The legacy commune is in the officer's area (its successor) but no longer in force.
    response = _post(
        api, f"{BASE}/{units.xuan_hong.pk}/villages", {"code": "X1", "name": "Thôn X", "unit_type": "thon"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unit_not_in_force"
    assert not AdminUnit.objects.filter(parent=units.xuan_hong).exists()


def test_village_patch_changes_only_given_fields(api, units):
    response = _patch(api, f"{BASE}/villages/{units.t1.pk}", {"name": "Thôn Một"})
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["name"]) == ("T1", "Thôn Một")
    assert _patch(api, f"{BASE}/villages/{units.tho_xuan.pk}", {"name": "X"}).status_code == 404
    assert _patch(api, f"{BASE}/villages/{units.t1.pk}", {"code": "T2"}).status_code == 409


def test_area_type(client, users, units):
    client.force_login(users.province_officer)
    url = f"{BASE}/{units.tho_xuan.pk}/area-type"
    assert _post(client, url, {"area_type": "urban", "reason": ""}).status_code == 422
    response = _post(client, url, {"area_type": "urban", "reason": "QĐ 3/QĐ-UBND"})
    assert response.status_code == 200
    assert response.json()["area_type"] == "urban"
    assert AdminUnit.objects.get(pk=units.tho_xuan.pk).area_type == "urban"
    assert _post(client, f"{BASE}/{units.th.pk}/area-type", {"area_type": "urban", "reason": "x"}).status_code == 409
    legacy = _post(client, f"{BASE}/{units.xuan_hong.pk}/area-type", {"area_type": "urban", "reason": "x"})
    assert (legacy.status_code, legacy.json()["code"]) == (409, "unit_not_in_force")


def test_every_geo_operation_has_an_explicit_operation_id(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path, ops in schema["paths"].items() if path.startswith(BASE) for op in ops.values()}
    assert ids == {
        "geo_unit_list", "geo_unit_detail", "geo_unit_children", "geo_village_create", "geo_village_update",
        "geo_unit_area_type_set",
    }  # fmt: skip
