import json
from types import SimpleNamespace

import pytest

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Complaint, Posting, ReviewCase
from ansinh.reviews.tests.factories import load_reference_data, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_posting import household, meeting, met_case

API = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.meeting = meeting(c.campaign, units.t1)
    c.a = met_case(c.campaign, household(units.tho_xuan, units.t1, "H1", officer), c.meeting)
    return c


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def open_posting(ctx, client, **extra):
    client.force_login(ctx.users.commune_officer)
    data = {"unit_id": ctx.units.t1.pk, "places": ["Nhà văn hóa Thôn 1", "Trụ sở UBND xã"], "start_on": "2025-10-13"}
    return post(client, f"{API}/campaigns/{ctx.campaign.pk}/postings", {**data, **extra})


def test_posting_create_list_and_get(ctx, client):
    response = open_posting(ctx, client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["end_on"] == "2025-10-15" and body["working_days"] == 3 and body["case_count"] == 1
    assert body["unit"]["id"] == ctx.units.t1.pk and body["places"] == ["Nhà văn hóa Thôn 1", "Trụ sở UBND xã"]
    [row] = body["cases"]
    assert row["case_id"] == ctx.a.pk and row["proposed_class"] == "poor" and row["complaints"] == 0
    assert any("Việc làm" in text for text in row["reasons"])
    listed = client.get(f"{API}/campaigns/{ctx.campaign.pk}/postings").json()
    assert listed["count"] == 1 and listed["items"][0]["case_count"] == 1
    got = client.get(f"{API}/postings/{body['id']}").json()
    assert got["cases"][0]["household_code"] == "H1"
    client.force_login(ctx.users.commune_officer_dl)
    assert client.get(f"{API}/postings/{body['id']}").status_code == 404


def test_posting_refusals(ctx, client):
    assert open_posting(ctx, client, working_days=0).status_code == 422
    assert open_posting(ctx, client, places=[]).status_code == 422
    assert open_posting(ctx, client, unit_id=999_999).status_code == 422
    assert open_posting(ctx, client, unit_id=ctx.units.mdrak.pk).status_code == 403  # a commune out of the area
    ReviewCase.objects.update(state="surveyed")
    response = open_posting(ctx, client)
    assert response.status_code == 409 and response.json()["code"] == "posting_before_meeting"
    assert not Posting.objects.exists()
    assert not AuditEvent.objects.filter(event_type=ReviewsEventType.POSTING_OPENED).exists()


def complaint_data(**extra):
    return {"complainant_name": "Phạm Văn Cường", "content": "Có ô tô", "channel": "letter",
            "received_on": "2025-10-14", **extra}  # fmt: skip


def test_complaints_create_list_verify(ctx, client):
    open_posting(ctx, client)
    url = f"{API}/cases/{ctx.a.pk}/complaints"
    response = post(client, url, complaint_data())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["late"] is False and body["status"] == "open" and body["household_code"] == "H1"
    late = post(client, url, complaint_data(received_on="2025-10-16", late=True)).json()
    assert late["late"] is True
    listed = client.get(f"{API}/campaigns/{ctx.campaign.pk}/complaints", {"status": "open"}).json()
    assert listed["count"] == 2
    response = post(client, f"{API}/complaints/{body['id']}/verify", {"upheld": True, "reason": "Hộ có ô tô tải"})
    assert response.status_code == 200, response.content
    verified = response.json()
    assert verified["status"] == "upheld" and verified["case_state"] == "surveying"
    again = post(client, f"{API}/complaints/{body['id']}/verify", {"upheld": False, "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "complaint_concluded"
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/complaints", {"status": "upheld"}).json()["count"] == 1


def test_late_complaint_claimed_on_time_is_422_and_writes_nothing(ctx, client):
    open_posting(ctx, client)
    response = post(client, f"{API}/cases/{ctx.a.pk}/complaints", complaint_data(received_on="2025-10-16",
                                                                                  late=False))  # fmt: skip
    assert response.status_code == 422
    assert "late_claimed" in json.dumps(response.json(), ensure_ascii=False)
    assert not Complaint.objects.exists()


def test_complaint_about_a_household_not_posted_is_409(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/cases/{ctx.a.pk}/complaints", complaint_data())
    assert response.status_code == 409 and response.json()["code"] == "case_not_posted"


def test_verify_without_reason_is_422(ctx, client):
    open_posting(ctx, client)
    complaint = post(client, f"{API}/cases/{ctx.a.pk}/complaints", complaint_data()).json()
    response = post(client, f"{API}/complaints/{complaint['id']}/verify", {"upheld": False, "reason": " "})
    assert response.status_code == 422
    assert Complaint.objects.get().status == "open"
