from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.poverty.models import Assessment
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import MeetingResult, ReviewCase, VillageMeeting
from ansinh.reviews.services_survey import MeetingData, meeting_record
from ansinh.reviews.tests.factories import classified_household, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_survey import TODAY, form_b_post, meeting_post, surveyed_case

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


@pytest.fixture
def officer_client(client, users):
    client.force_login(users.commune_officer)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# -- phiếu B ------------------------------------------------------------------------------------


def test_form_b_page_lists_every_indicator(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    response = officer_client.get(reverse("reviews:form_b", args=[case.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    for indicator in ctx.campaign.standard.spec().indicators:
        assert indicator.name in text
    assert "income_per_capita" in text and "Ghi phiếu B" in text


def test_form_b_post_records_provisional_class(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    response = officer_client.post(reverse("reviews:form_b", args=[case.pk]),
                                   form_b_post(ctx.campaign, deprived=DEPRIVED), follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("reviews:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == "surveyed" and case.provisional_class == "poor"
    assert "Hộ nghèo" in " ".join(_messages(response))
    text = response.content.decode()
    assert "Kết quả rà soát sơ bộ" in text and "Dinh dưỡng" in text and "Rà soát lại" in text


def test_form_b_post_incomplete_stays_on_form(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    data = form_b_post(ctx.campaign)
    data.pop("answer_nutrition")
    response = officer_client.post(reverse("reviews:form_b", args=[case.pk]), data)
    assert response.status_code == 200
    assert "Dinh dưỡng" in response.content.decode() and "Chưa xếp loại sơ bộ" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "surveying" and Assessment.objects.count() == 0


def test_form_b_missing_income_is_a_form_error(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    data = form_b_post(ctx.campaign)
    data["income_per_capita"] = ""
    response = officer_client.post(reverse("reviews:form_b", args=[case.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert ReviewCase.objects.get(pk=case.pk).state == "surveying"


def test_form_b_when_not_surveying_redirects(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1)
    response = officer_client.get(reverse("reviews:form_b", args=[case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:case_detail", args=[case.pk])
    assert any("chỉ ghi phiếu B" in m for m in _messages(response))


def test_form_b_needs_the_classify_permission(ctx, client, users):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    client.force_login(users.village_head)  # records cases but does not classify households
    assert client.get(reverse("reviews:form_b", args=[case.pk])).status_code == 403


def test_case_page_shows_form_b_button_while_surveying(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1, state="surveying", klass="")
    text = officer_client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert reverse("reviews:form_b", args=[case.pk]) in text
    assert reverse("reviews:case_resurvey", args=[case.pk]) not in text


def test_case_page_shows_no_buttons_for_supervisor(ctx, client, users):
    case = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(users.supervisor)
    text = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert reverse("reviews:case_resurvey", args=[case.pk]) not in text
    assert "Hộ nghèo" in text


# -- re-survey -----------------------------------------------------------------------------------


def test_resurvey_post(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1)
    response = officer_client.post(reverse("reviews:case_resurvey", args=[case.pk]), {"reason": "Sai thu nhập"},
                                   follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == reverse("reviews:case_detail", args=[case.pk])
    assert ReviewCase.objects.get(pk=case.pk).state == "surveying"


def test_resurvey_without_reason_is_refused(ctx, officer_client):
    case = surveyed_case(ctx.campaign, ctx.h1)
    events = AuditEvent.objects.count()
    response = officer_client.post(reverse("reviews:case_resurvey", args=[case.pk]), {"reason": ""}, follow=True)
    assert any("lý do" in m for m in _messages(response))
    assert ReviewCase.objects.get(pk=case.pk).state == "surveyed" and AuditEvent.objects.count() == events


# -- meetings ------------------------------------------------------------------------------------


def test_meeting_form_picks_village_then_lists_surveyed_cases(ctx, officer_client):
    a = surveyed_case(ctx.campaign, ctx.h1)
    url = reverse("reviews:meeting_create", args=[ctx.campaign.pk])
    response = officer_client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert "Thôn 1" in response.content.decode()
    response = officer_client.get(url, {"village": ctx.units.t1.pk})
    assert f"agreeing_{a.pk}" in response.content.decode() and "Nguyễn Văn An" in response.content.decode()


def test_meeting_post_records_and_redirects(ctx, officer_client):
    a = surveyed_case(ctx.campaign, ctx.h1)
    b = surveyed_case(ctx.campaign, ctx.h2, klass="near_poor")
    url = reverse("reviews:meeting_create", args=[ctx.campaign.pk])
    response = officer_client.post(url, meeting_post(ctx.units.t1, {a: 12, b: 5}), follow=True)
    meeting = VillageMeeting.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reviews:meeting_detail", args=[meeting.pk])
    assert meeting.attendees == ["Lê Văn Trưởng — Trưởng thôn", "Phạm Thị Thư — Chi hội phụ nữ"]
    assert meeting.signatories == [{"name": "Nguyễn Văn An", "role": "Đại diện hộ"}]
    assert ReviewCase.objects.get(pk=a.pk).state == "met" and ReviewCase.objects.get(pk=b.pk).state == "surveying"
    text = response.content.decode()
    assert "Đạt" in text and "Không đạt" in text and "60" in text and "25" in text


def test_meeting_post_leaves_blank_households_out(ctx, officer_client):
    a = surveyed_case(ctx.campaign, ctx.h1)
    b = surveyed_case(ctx.campaign, ctx.h2)
    data = meeting_post(ctx.units.t1, {a: 12})
    officer_client.post(reverse("reviews:meeting_create", args=[ctx.campaign.pk]), data)
    assert MeetingResult.objects.get().case_id == a.pk
    assert ReviewCase.objects.get(pk=b.pk).state == "surveyed"


@pytest.mark.parametrize("change", [{"agreeing": 21}, {"held_on": "2026-12-31"}, {"agreeing": None}])
def test_meeting_post_refusals_stay_on_form(ctx, officer_client, change):
    a = surveyed_case(ctx.campaign, ctx.h1)
    counts = {} if change.get("agreeing", 0) is None else {a: change.get("agreeing", 10)}
    extra = {"held_on": change["held_on"]} if "held_on" in change else {}
    events = AuditEvent.objects.filter(event_type=ReviewsEventType.MEETING_RECORDED).count()
    response = officer_client.post(reverse("reviews:meeting_create", args=[ctx.campaign.pk]),
                                   meeting_post(ctx.units.t1, counts, **extra))  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors
    assert VillageMeeting.objects.count() == 0 and ReviewCase.objects.get(pk=a.pk).state == "surveyed"
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.MEETING_RECORDED).count() == events


def test_meeting_post_village_out_of_area(ctx, client, users, units):
    a = surveyed_case(ctx.campaign, ctx.h1)
    client.force_login(users.village_head)  # Thôn 1 only
    response = client.post(reverse("reviews:meeting_create", args=[ctx.campaign.pk]),
                           meeting_post(units.t2, {a: 10}))  # fmt: skip
    assert response.status_code == 200 and VillageMeeting.objects.count() == 0


def _meeting(ctx):
    a = surveyed_case(ctx.campaign, ctx.h1)
    b = surveyed_case(ctx.campaign, ctx.h2, klass="near_poor")
    data = MeetingData(held_on=date(2025, 10, 15), chair="Lê Văn Trưởng", secretary="Phạm Thị Thư", attendee_count=20,
                       place="Nhà văn hóa Thôn 1")  # fmt: skip
    return meeting_record(actor=ctx.users.commune_officer, campaign=ctx.campaign, village=ctx.units.t1, data=data,
                          results=[(a, 12), (b, 9)], today=TODAY)  # fmt: skip


def test_meeting_detail_and_list(ctx, officer_client):
    meeting = _meeting(ctx)
    text = officer_client.get(reverse("reviews:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Lê Văn Trưởng" in text and "Nguyễn Văn An" in text and "Không đạt" in text and "45" in text
    text = officer_client.get(reverse("reviews:meeting_list", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:meeting_detail", args=[meeting.pk]) in text
    assert reverse("reviews:meeting_create", args=[ctx.campaign.pk]) in text


def test_meeting_minutes_download(ctx, officer_client):
    meeting = _meeting(ctx)
    response = officer_client.get(reverse("reviews:meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="bien-ban-hop-dan-thon-1-2025-10-15.docx"' in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


def test_campaign_page_shows_meetings_panel(ctx, officer_client):
    meeting = _meeting(ctx)
    text = officer_client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:meeting_detail", args=[meeting.pk]) in text
    assert reverse("reviews:meeting_create", args=[ctx.campaign.pk]) in text


def test_case_page_shows_meeting_result(ctx, officer_client):
    meeting = _meeting(ctx)
    case = meeting.results.get(passed=True).case
    text = officer_client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert "Kết quả họp dân" in text and "12/20" in text
    assert reverse("reviews:case_resurvey", args=[case.pk]) in text


def test_case_page_masks_the_income_in_reasons_for_a_role_without_view_income(ctx, client, users):
    reasons = [{"code": "income_within", "income": 1_200_000, "line": 1_500_000, "line_kind": "poor",
                "area": "rural", "period": "month"}]  # fmt: skip
    case = surveyed_case(ctx.campaign, ctx.h1, provisional_reasons=reasons)
    client.force_login(users.commune_officer)  # holds poverty.view_income
    assert "1.200.000" in client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    client.force_login(users.supervisor)  # Fatherland Front: sees the verdict, not the household's income
    text = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert "1.200.000" not in text and "••• (ẩn)" in text and "1.500.000" in text
