import json
from datetime import date
from types import SimpleNamespace

import pytest

from ansinh.reviews.models import Campaign
from ansinh.reviews.services import milestone_complete
from ansinh.reviews.tests.factories import dak_lak_campaign, load_reference_data, thanh_hoa_campaign

API = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users)


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_list_and_detail_are_scoped(ctx, client):
    th, _dl = thanh_hoa_campaign(ctx), dak_lak_campaign(ctx)
    client.force_login(ctx.users.commune_officer)
    body = client.get(f"{API}/campaigns").json()
    assert [c["id"] for c in body["items"]] == [th.pk] and body["count"] == 1
    assert client.get(f"{API}/campaigns", {"status": "open"}).json()["count"] == 0
    detail = client.get(f"{API}/campaigns/{th.pk}").json()
    assert detail["approval_chain"] == ["commune", "province"] and detail["standard"] == "2022-2025"
    assert [u["name"] for u in detail["units"]] == ["Phường Hạc Thành", "Xã Thọ Xuân"]
    assert {m["code"] for m in detail["milestones"]} >= {"commune_recognition"}


def test_create_and_its_errors(ctx, client):
    client.force_login(ctx.users.province_officer)
    payload = {"kind": "periodic", "year": 2025, "unit_id": ctx.units.th.pk, "unit_ids": [ctx.units.tho_xuan.pk],
               "plan_number": "6828/KH-UBND", "plan_date": "2025-08-21"}  # fmt: skip
    response = post(client, f"{API}/campaigns", payload)
    assert response.status_code == 201 and response.json()["status"] == "draft"
    bad = post(client, f"{API}/campaigns", {**payload, "year": 2024, "plan_date": "2024-08-01"})
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid" and "đơn vị hành chính cũ" in body["details"]["unit"][0]
    assert post(client, f"{API}/campaigns", {**payload, "kind": "weekly"}).json()["details"]["kind"]
    assert Campaign.objects.count() == 1


def test_board_json_matches_the_database(ctx, client):
    campaign = thanh_hoa_campaign(ctx, open_=True)
    milestone = campaign.milestones.get(code="commune_recognition")
    milestone_complete(actor=ctx.users.commune_officer, milestone=milestone, unit=ctx.units.tho_xuan,
                       done_on=date(2025, 12, 10))  # fmt: skip
    client.force_login(ctx.users.province_officer)
    body = client.get(f"{API}/campaigns/{campaign.pk}/board", {"today": "2025-12-12"}).json()
    # Hạc Thành's recognition (14/12) is 2 days away; the official report (20/12) 8 days, outside the 7-day window.
    assert body["totals"] == {"done_on_time": 1, "done_late": 0, "due_soon": 1, "overdue": 1, "pending": 1}
    tho_xuan = next(r for r in body["rows"] if r["unit"]["id"] == ctx.units.tho_xuan.pk)
    cell = next(c for c in tho_xuan["cells"] if c["milestone_id"] == milestone.pk)
    assert cell == {"milestone_id": milestone.pk, "state": "done_on_time", "done_on": "2025-12-10", "late": False}


def test_complete_and_conflicts(ctx, client):
    campaign = thanh_hoa_campaign(ctx, open_=True)
    milestone = campaign.milestones.get(code="commune_recognition")
    client.force_login(ctx.users.commune_officer)
    url = f"{API}/campaigns/{campaign.pk}/milestones/{milestone.pk}/complete"
    response = post(client, url, {"unit_id": ctx.units.tho_xuan.pk, "done_on": "2025-12-20"})
    assert response.status_code == 201
    assert response.json()["state"] == "done_late" and response.json()["late"] is True
    again = post(client, url, {"unit_id": ctx.units.tho_xuan.pk, "done_on": "2025-12-01"})
    assert again.status_code == 409 and again.json()["code"] == "already_completed"
    other = post(client, url, {"unit_id": ctx.units.hac_thanh.pk, "done_on": "2025-12-01"})
    assert other.status_code == 403  # Hạc Thành is not the Thọ Xuân officer's
    missing = post(client, f"{API}/campaigns/{campaign.pk}/milestones/999999/complete",
                   {"unit_id": ctx.units.tho_xuan.pk, "done_on": "2025-12-01"})  # fmt: skip
    assert missing.status_code == 404
