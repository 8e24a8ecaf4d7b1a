import io
import json
from datetime import date
from types import SimpleNamespace

import pytest
from docx import Document

from ansinh.audit.models import AuditEvent
from ansinh.poverty.models import Assessment
from ansinh.reviews.models import ReviewCase, VillageMeeting
from ansinh.reviews.services_survey import MeetingData, meeting_record
from ansinh.reviews.tests.factories import classified_household, dak_lak_campaign, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_survey import TODAY, answers, surveyed_case

API = "/api/v1/reviews"
DEPRIVED = ("nutrition", "housing_quality", "water")


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.h1 = classified_household(units.tho_xuan, village=units.t1, code="H1", klass="poor", actor=officer,
                                name="Nguyễn Văn An")  # fmt: skip
    c.h2 = classified_household(units.tho_xuan, village=units.t1, code="H2", klass="near_poor", actor=officer,
                                name="Lê Thị Bình")  # fmt: skip
    return c


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _form_b(ctx, **extra):
    return {"income_source": "declared", "income_per_capita": 1_000_000, "assessed_on": "2025-10-01",
            "answers": answers(ctx.campaign, deprived=DEPRIVED), **extra}  # fmt: skip


def _meeting(ctx, results, **extra):
    return {"village_id": ctx.units.t1.pk, "held_on": "2025-10-15", "place": "Nhà văn hóa Thôn 1",
            "chair": "Lê Văn Trưởng", "secretary": "Phạm Thị Thư", "attendee_count": 20,
            "attendees": ["Lê Văn Trưởng — Trưởng thôn"], "signatories": [{"name": "Nguyễn Văn An", "role": "Hộ"}],
            "results": results, **extra}  # fmt: skip


def test_form_b_record(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/cases/{case.pk}/form-b", _form_b(ctx))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "surveyed" and body["provisional_class"] == "poor"
    assert body["deprivations"] == ["nutrition", "housing_quality", "water"]
    assert body["surveyed_on"] == "2025-10-01" and body["assessment_id"] and body["provisional_reasons"]
    ctx.h1.refresh_from_db()
    assert ctx.h1.poverty_class == "poor"


def test_form_b_incomplete_is_409_and_writes_nothing(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    client.force_login(ctx.users.commune_officer)
    data = _form_b(ctx)
    data["answers"].pop("nutrition")
    events = AuditEvent.objects.count()
    response = post(client, f"{API}/cases/{case.pk}/form-b", data)
    assert response.status_code == 409 and response.json()["code"] == "classification_incomplete"
    assert "nutrition" in response.json()["details"]["missing"]
    assert Assessment.objects.count() == 0 and AuditEvent.objects.count() == events
    assert ReviewCase.objects.get(pk=case.pk).state == "surveying"


def test_form_b_bad_input_is_422(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/cases/{case.pk}/form-b", _form_b(ctx, income_per_capita=None))
    assert response.status_code == 422
    response = post(client, f"{API}/cases/{case.pk}/form-b",
                    _form_b(ctx, overrides={"water": {"value": True, "reason": ""}}))  # fmt: skip
    assert response.status_code == 422


def test_form_b_wrong_state_is_409(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/cases/{case.pk}/form-b", _form_b(ctx))
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_form_b_village_head_is_403(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    client.force_login(ctx.users.village_head)
    assert post(client, f"{API}/cases/{case.pk}/form-b", _form_b(ctx)).status_code == 403


def test_resurvey(ctx, client):
    case = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(ctx.users.commune_officer)
    assert post(client, f"{API}/cases/{case.pk}/resurvey", {"reason": " "}).status_code == 422
    response = post(client, f"{API}/cases/{case.pk}/resurvey", {"reason": "Sai thu nhập"})
    assert response.status_code == 200 and response.json()["state"] == "surveying"
    assert post(client, f"{API}/cases/{case.pk}/resurvey", {"reason": "x"}).status_code == 409


def test_meeting_create_list_get_and_minutes(ctx, client):
    a = surveyed_case(ctx.campaign, ctx.h1)
    b = surveyed_case(ctx.campaign, ctx.h2, klass="near_poor")
    client.force_login(ctx.users.commune_officer)
    response = post(client, f"{API}/campaigns/{ctx.campaign.pk}/meetings",
                    _meeting(ctx, [{"case_id": a.pk, "agreeing": 10, "passed": True},
                                   {"case_id": b.pk, "agreeing": 3}]))  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["village"]["id"] == ctx.units.t1.pk and body["attendee_count"] == 20
    results = {r["case_id"]: r for r in body["results"]}
    assert results[a.pk]["passed"] is True and results[a.pk]["proposed_class"] == "poor"
    assert results[b.pk]["passed"] is False and results[b.pk]["household_code"] == "H2"
    assert ReviewCase.objects.get(pk=a.pk).state == "met" and ReviewCase.objects.get(pk=b.pk).state == "surveying"
    listing = client.get(f"{API}/campaigns/{ctx.campaign.pk}/meetings").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/meetings", {"village": ctx.units.t2.pk}).json()["count"] == 0
    assert client.get(f"{API}/meetings/{body['id']}").json()["chair"] == "Lê Văn Trưởng"
    minutes = client.get(f"{API}/meetings/{body['id']}/minutes")
    assert minutes.status_code == 200
    assert minutes["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    text = "\n".join(p.text for p in Document(io.BytesIO(minutes.content)).paragraphs)
    assert "BIÊN BẢN HỌP DÂN" in text and "Lê Văn Trưởng" in text


def test_meeting_below_half_claimed_passed_is_refused(ctx, client):
    a = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(ctx.users.commune_officer)
    events = AuditEvent.objects.count()
    response = post(client, f"{API}/campaigns/{ctx.campaign.pk}/meetings",
                    _meeting(ctx, [{"case_id": a.pk, "agreeing": 9, "passed": True}]))  # fmt: skip
    assert response.status_code == 422
    assert "50%" in json.dumps(response.json(), ensure_ascii=False)
    assert VillageMeeting.objects.count() == 0 and AuditEvent.objects.count() == events
    assert ReviewCase.objects.get(pk=a.pk).state == "surveyed"


def test_meeting_create_refusals(ctx, client, users, units):
    a = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(users.commune_officer)
    url = f"{API}/campaigns/{ctx.campaign.pk}/meetings"
    assert post(client, url, _meeting(ctx, [])).status_code == 422
    assert post(client, url, _meeting(ctx, [{"case_id": a.pk, "agreeing": 21}])).status_code == 422
    assert post(client, url, _meeting(ctx, [{"case_id": 999999, "agreeing": 1}])).status_code == 422
    assert post(client, url, _meeting(ctx, [{"case_id": a.pk, "agreeing": 1}], village_id=999999)).status_code == 422
    assert post(client, url, _meeting(ctx, [{"case_id": a.pk, "agreeing": 1}], chair="")).status_code == 422
    assert post(client, url, _meeting(ctx, [{"case_id": a.pk, "agreeing": 1}],
                                      held_on="2025-08-01")).status_code == 422  # fmt: skip
    client.force_login(users.village_head)
    response = post(client, url, _meeting(ctx, [{"case_id": a.pk, "agreeing": 1}], village_id=units.t2.pk))
    assert response.status_code == 403  # Thôn 2 is outside the village head's area
    assert VillageMeeting.objects.count() == 0


def test_meetings_are_scoped(ctx, client, users, units):
    dl = dak_lak_campaign(ctx, open_=True)
    other = classified_household(units.mdrak, village=units.b1, code="B1", klass="poor", actor=users.commune_officer_dl)
    case = surveyed_case(dl, other)
    data = MeetingData(held_on=date(2025, 10, 15), chair="Y Bih", secretary="H'Hen", attendee_count=5)
    meeting = meeting_record(actor=users.commune_officer_dl, campaign=dl, village=units.b1, data=data,
                             results=[(case, 5)], today=TODAY)  # fmt: skip
    client.force_login(users.commune_officer)
    assert client.get(f"{API}/meetings/{meeting.pk}").status_code == 404
    assert client.get(f"{API}/meetings/{meeting.pk}/minutes").status_code == 404
    assert client.get(f"{API}/campaigns/{dl.pk}/meetings").status_code == 404
    client.force_login(users.commune_officer_dl)
    assert client.get(f"{API}/meetings/{meeting.pk}").json()["results"][0]["agreeing"] == 5
