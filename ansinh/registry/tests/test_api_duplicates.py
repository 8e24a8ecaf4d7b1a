"""/api/v1/households/duplicates: list, get, decisions and scan."""

import json

import pytest

from ansinh.jobs.models import Job
from ansinh.registry.duplicates import duplicates_scan, members_in_area
from ansinh.registry.models import DuplicatePair, Member

from .factories import head, make_household, member

BASE = "/api/v1/households/duplicates"


@pytest.fixture
def pair(units):
    make_household(
        units.tho_xuan, village=units.t1, code="P1", members=[head(), member("Lê Thị Bình", birth_year=1978)]
    )
    make_household(
        units.tho_xuan,
        village=units.t2,
        code="P2",
        members=[head("Trần Văn Cường"), member("Lê Thị Bình", birth_year=1978, health_insurance="yes")],
    )
    duplicates_scan(members=members_in_area(""))
    return DuplicatePair.objects.get()  # fmt: skip


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_list_and_get(client, users, pair):
    client.force_login(users.commune_officer)
    page = client.get(f"{BASE}/").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["id"] == pair.pk and item["member_b"]["household_code"] == "P2"
    assert item["differing_fields"] == ["health_insurance"] and item["can_decide"] is True
    assert client.get(f"{BASE}/{pair.pk}").json()["evidence"]["rules"][:2] == ["same_year", "same_name"]
    client.force_login(users.commune_officer_dl)
    assert client.get(f"{BASE}/").json()["count"] == 0
    assert client.get(f"{BASE}/{pair.pk}").status_code == 404


def test_mark_same_and_then_refused_as_already_decided(client, users, pair):
    client.force_login(users.commune_officer)
    response = _post(client, f"{BASE}/{pair.pk}/same", {"keep": "a", "values": {"health_insurance": "b"},
                                                        "reason": "Cùng người"})  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "same" and body["conflicts"][0]["field"] == "health_insurance"
    assert Member.objects.get(pk=pair.member_a_id).health_insurance == "yes"
    again = _post(client, f"{BASE}/{pair.pk}/different", {"reason": "Khác"})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_already_decided"


def test_mark_same_without_a_choice_is_invalid(client, users, pair):
    client.force_login(users.commune_officer)
    response = _post(client, f"{BASE}/{pair.pk}/same", {"keep": "a", "reason": "Cùng người"})
    assert response.status_code == 422
    assert "health_insurance" in response.json()["details"]


def test_scan_queues_a_job(client, users, pair):
    client.force_login(users.commune_officer)
    response = _post(client, f"{BASE}/scan", {"threshold": 0.9})
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.params["threshold"] == 0.9
    out = _post(client, f"{BASE}/scan", {"unit_id": users.commune_officer_dl.role_assignments.first().unit_id})
    assert out.status_code == 404
    assert _post(client, f"{BASE}/scan", {"threshold": 0.2}).status_code == 422
