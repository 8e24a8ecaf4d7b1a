"""/api/v1/households: list with search, detail with masked ids, create, update with version, members."""

import json

import pytest

from ansinh.audit.models import AuditEvent
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household

from .factories import head, make_household, member

HEAD_ID = "038075000123"
BASE = "/api/v1/households"


@pytest.fixture
def api(client, users):
    client.force_login(users.commune_officer)

    def call(method, path, body=None, **params):
        fn = getattr(client, method)
        if body is not None:
            return fn(BASE + path, data=json.dumps(body), content_type="application/json")
        return fn(BASE + path, params)

    return call


def test_list_is_scoped_searchable_paginated_and_masked(api, units):
    make_household(units.tho_xuan, code="A1", members=[head("Nguyễn Văn An", id_number=HEAD_ID), member()])
    make_household(units.tho_xuan, code="B1", members=[head("Trần Văn Bảo")])
    make_household(units.mdrak, code="DL1")
    body = api("get", "/").json()
    assert body["count"] == 2
    assert [item["code"] for item in body["items"]] == ["A1", "B1"]
    first = body["items"][0]
    assert first["head_id_number"] == "•••••••••123"
    assert first["members_count"] == 2
    assert first["commune"]["name"] == "Xã Thọ Xuân"
    assert [i["code"] for i in api("get", "/", q="tran van bao").json()["items"]] == ["B1"]
    assert [i["code"] for i in api("get", "/", q=HEAD_ID).json()["items"]] == ["A1"]
    page = api("get", "/", page_size=1, page=2).json()
    assert (page["pages"], [i["code"] for i in page["items"]]) == (2, ["B1"])


def test_list_search_finds_code_and_cccd_prefixes_inside_the_area_only(api, units):
    make_household(units.tho_xuan, code="HG001234", members=[head("Lê Văn Cường", id_number=HEAD_ID)])
    make_household(units.tho_xuan, code="HG002000", members=[head("Lê Văn Cần")])
    make_household(units.mdrak, code="HG001277", members=[head("Y Bhim Niê", id_number="038075777777")])
    for typed in ("hg0012", "038 075", "038075000", HEAD_ID, "HG001234"):
        body = api("get", "/", q=typed).json()
        assert (body["count"], [i["code"] for i in body["items"]]) == (1, ["HG001234"]), typed
    for typed in ("hg", "03807", "hg_", "%"):
        assert api("get", "/", q=typed).json()["count"] == 0, typed


def test_detail_has_members_with_masked_numbers(api, units):
    household = make_household(units.tho_xuan, code="D1", members=[head(id_number=HEAD_ID), member()])
    body = api("get", f"/{household.pk}").json()
    assert [m["full_name"] for m in body["members"]] == ["Nguyễn Văn An", "Lê Thị Bình"]
    assert body["members"][0]["id_number"] == "•••••••••123"
    assert HEAD_ID not in json.dumps(body)
    assert body["version"] == 1


def test_out_of_area_is_404_in_the_error_shape(api, units):
    household = make_household(units.mdrak, code="X1")
    response = api("get", f"/{household.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_create_with_members_then_refuse_a_duplicate_cccd_unless_confirmed(api, units):
    body = {
        "commune_id": units.tho_xuan.pk,
        "village_id": units.t1.pk,
        "code": "C1",
        "housing_area_m2": "24.5",
        "members": [
            {"full_name": "Hà Văn Thắng", "sex": "male", "relation": "head", "birth_date": "1975-03-02",
             "id_number": HEAD_ID},
            {"full_name": "Lò Thị Mai", "sex": "female", "relation": "spouse", "birth_year": 1979},
        ],
    }  # fmt: skip
    response = api("post", "/", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert [m["relation"] for m in created["members"]] == ["head", "spouse"]
    assert created["housing_area_m2"] == "24.5"
    again = api("post", "/", {**body, "code": "C2"})
    assert again.status_code == 409
    assert again.json()["code"] == "id_duplicate"
    body["members"][0]["id_duplicate_reason"] = "Tách hộ, hồ sơ cũ chờ xử lý"
    assert api("post", "/", {**body, "code": "C2"}).status_code == 201


def test_create_member_errors_are_keyed_by_row(api, units):
    body = {
        "commune_id": units.tho_xuan.pk,
        "code": "C3",
        "members": [
            {"full_name": "Hà Văn Thắng", "sex": "male", "relation": "head", "birth_year": 1975},
            {"full_name": "", "sex": "female", "relation": "spouse", "birth_year": 2999},
        ],
    }
    response = api("post", "/", body)
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"members.1.full_name", "members.1.birth_year"}
    assert not Household.objects.filter(code="C3").exists()


def test_create_in_a_commune_outside_the_area_is_refused(api, units):
    body = {"commune_id": units.mdrak.pk, "code": "C4",
            "members": [{"full_name": "Y Bhim", "sex": "male", "relation": "head", "birth_year": 1970}]}  # fmt: skip
    assert api("post", "/", body).status_code == 422
    assert not Household.objects.filter(code="C4").exists()


def test_update_needs_the_current_version(api, units):
    household = make_household(units.tho_xuan, code="U1")
    response = api("put", f"/{household.pk}", {"code": "U1", "version": 1, "phone": "0912345678"})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["version"]) == ("0912345678", 2)
    stale = api("put", f"/{household.pk}", {"code": "U1", "version": 1, "phone": "0999"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["details"] == {"current_version": 2}


def test_members_create_update_and_reveal(api, units, users):
    household = make_household(units.tho_xuan, code="M1")
    response = api("post", f"/{household.pk}/members",
                   {"full_name": "Hà Thị Con", "sex": "female", "relation": "child", "birth_year": 2008,
                    "id_number": "038308000777"})  # fmt: skip
    assert response.status_code == 201, response.content
    member_id = response.json()["id"]
    assert response.json()["id_number"] == "•••••••••777"
    response = api("put", f"/members/{member_id}",
                   {"full_name": "Hà Thị Con", "sex": "female", "relation": "child", "birth_year": 2008,
                    "id_number": "038308000777", "schooling": "upper_secondary"})  # fmt: skip
    assert response.json()["schooling"] == "upper_secondary"
    reveal = api("post", f"/members/{member_id}/reveal-id", {})
    assert reveal.json() == {"member_id": member_id, "id_number": "038308000777", "id_kind": "cccd"}
    event = AuditEvent.objects.get(event_type=RegistryEventType.FULL_IDENTITY_VIEWED)
    assert event.actor == users.commune_officer
