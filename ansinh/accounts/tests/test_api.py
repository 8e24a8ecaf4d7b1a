"""Accounts API: bearer tokens act as their owner with the owner's scope; errors have one shape."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ansinh.accounts.models import ApiToken, RoleAssignment
from ansinh.accounts.services import api_token_create, api_token_revoke, user_update
from ansinh.audit.models import AuditEvent

API = "/api/v1"


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, path, data=None, **extra):
    return client.post(f"{API}{path}", data=json.dumps(data or {}), content_type="application/json", **extra)


def test_me_lists_active_roles_with_areas_and_permissions(client, users):
    client.force_login(users.province_officer)
    body = client.get(f"{API}/me").json()
    assert body["user"]["username"] == "province_officer"
    assert [(r["role"], r["unit_name"], r["unit_level"]) for r in body["roles"]] == [
        ("province_officer", "Tỉnh Thanh Hóa", "province")
    ]
    assert "accounts.manage_roleassignment" in body["permissions"]


def test_me_of_a_national_role(client, users):
    client.force_login(users.auditor)
    role = client.get(f"{API}/me").json()["roles"][0]
    assert role["unit_path"] is None
    assert role["unit_name"] == "Toàn quốc"


def test_valid_token_acts_as_its_owner_with_the_owners_scope(client, users):
    secret = api_token_create(actor=users.province_officer, name="x").secret
    me = client.get(f"{API}/me", **_bearer(secret))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "province_officer"
    listing = client.get(f"{API}/role-assignments", {"page_size": 200}, **_bearer(secret)).json()
    usernames = {row["username"] for row in listing["items"]}
    assert "commune_officer" in usernames
    assert "commune_officer_dl" not in usernames
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("case", ["forged", "revoked", "expired", "malformed", "owner-deactivated"])
def test_unusable_tokens_are_refused(client, users, case):
    new = api_token_create(actor=users.province_officer, name="x")
    secret = new.secret
    if case == "forged":
        secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    elif case == "revoked":
        api_token_revoke(actor=users.province_officer, token=new.token)
    elif case == "expired":
        ApiToken.objects.filter(pk=new.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "malformed":
        secret = "ansinh_xyz"
    else:
        user_update(actor=None, user=users.province_officer, is_active=False)
    response = client.get(f"{API}/me", **_bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_create_returns_the_secret_once(client, users):
    client.force_login(users.commune_officer)
    created = _post(client, "/tokens", {"name": "kế toán"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    listing = client.get(f"{API}/tokens")
    assert [t["name"] for t in listing.json()] == ["kế toán"]
    assert secret.split("_")[2] not in listing.content.decode()
    assert client.get(f"{API}/me", **_bearer(secret)).status_code == 200


def test_token_create_validation_error_shape(client, users):
    client.force_login(users.commune_officer)
    response = _post(client, "/tokens", {"name": "x", "expires_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "expires_at" in response.json()["details"]
    assert not ApiToken.objects.exists()


def test_token_revoke_twice_is_a_conflict(client, users):
    token = api_token_create(actor=users.commune_officer, name="x").token
    client.force_login(users.commune_officer)
    assert _post(client, f"/tokens/{token.pk}/revoke").json()["is_usable"] is False
    again = _post(client, f"/tokens/{token.pk}/revoke")
    assert again.status_code == 409
    assert again.json()["code"] == "already_revoked"


def test_session_post_without_csrf_is_refused(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.commune_officer)
    response = _post(client, "/tokens", {"name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_token_post_needs_no_csrf(users):
    # A bearer token is not sent by browsers on their own, so it cannot be forged cross-site.
    secret = api_token_create(actor=users.commune_officer, name="x").secret
    client = Client(enforce_csrf_checks=True)
    assert _post(client, "/tokens", {"name": "y"}, **_bearer(secret)).status_code == 201


def test_role_assignment_list_is_paginated_and_filtered(client, users):
    client.force_login(users.province_officer)
    page = client.get(f"{API}/role-assignments", {"page_size": 2}).json()
    visible = RoleAssignment.objects.visible_to(users.province_officer).count()
    assert page["count"] == visible
    assert len(page["items"]) == 2
    assert page["pages"] == (visible + 1) // 2
    filtered = client.get(f"{API}/role-assignments", {"role": "village_head", "active": True}).json()
    assert [row["username"] for row in filtered["items"]] == ["village_head"]
    assert filtered["items"][0]["is_active"] is True


def test_role_assignment_create_and_end(client, users, units):
    client.force_login(users.province_officer)
    created = _post(
        client, "/role-assignments",
        {"username": "no_role", "role": "village_head", "unit_code": "16000/T2", "valid_from": "2025-09-01"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["unit_path"] == units.t2.path
    ended = _post(client, f"/role-assignments/{body['id']}/end", {"end": "2025-12-31"})
    assert ended.status_code == 200
    assert ended.json()["valid_to"] == "2025-12-31"
    again = _post(client, f"/role-assignments/{body['id']}/end", {})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"username": "no_role", "role": "supervisor", "unit_code": "24000"}, 422, "invalid"),  # Đắk Lắk
        ({"username": "no_role", "role": "district_officer", "unit_code": "16000"}, 409, "legacy_role_on_new_unit"),
        ({"username": "commune_officer", "role": "commune_officer", "unit_code": "16000"}, 409, "duplicate_assignment"),
        ({"username": "no_role", "role": "supervisor", "unit_code": "16000", "valid_from": "2026-02-01",
          "valid_to": "2026-01-01"}, 422, "invalid"),
        ({"username": "no_role", "role": "auditor", "unit_code": ""}, 403, "forbidden"),
        ({"username": "no_role", "role": "no_such_role", "unit_code": "16000"}, 422, "invalid"),
        ({"username": "no_role", "role": "district_officer", "unit_structure": "legacy", "unit_code": "393",
          "valid_from": "2025-01-01", "valid_to": "2025-07-31"}, 422, "invalid"),
    ],
    ids=["out-of-area", "legacy-role", "duplicate", "reversed-dates", "national", "unknown-role",
         "ends-after-the-unit"],
)  # fmt: skip
def test_role_assignment_create_refusals_write_nothing(client, users, payload, status, code):
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    client.force_login(users.province_officer)
    response = _post(client, "/role-assignments", payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_role_assignment_end_out_of_area_via_token_is_not_found(client, users):
    secret = api_token_create(actor=users.province_officer, name="x").secret
    assignment = RoleAssignment.objects.get(user=users.commune_officer_dl)
    response = _post(client, f"/role-assignments/{assignment.pk}/end", **_bearer(secret))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to is None


def test_anonymous_post_without_csrf_is_unauthenticated_not_csrf_refused():
    response = _post(Client(enforce_csrf_checks=True), "/tokens", {"name": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
