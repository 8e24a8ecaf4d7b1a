from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.core.tests.test_ui_shell import assert_csp_safe
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Complaint, Posting, ReviewCase
from ansinh.reviews.services_posting import ComplaintData, complaint_record, posting_open
from ansinh.reviews.tests.factories import case_at, load_reference_data, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_posting import POSTING_ON, TODAY, household, meeting, met_case


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.meeting = meeting(c.campaign, units.t1)
    c.a = met_case(c.campaign, household(units.tho_xuan, units.t1, "H1", officer), c.meeting)
    c.b = met_case(c.campaign, household(units.tho_xuan, units.t1, "H2", officer, name="Lê Thị Bình"), c.meeting,
                   klass="near_poor", reasons=[{"code": "rule_near_poor"}])  # fmt: skip
    return c


@pytest.fixture
def posted(ctx):
    ctx.posting = posting_open(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.t1,
                               places=["Nhà văn hóa Thôn 1", "Trụ sở UBND xã"], start_on=POSTING_ON,
                               today=TODAY)  # fmt: skip
    ctx.a.refresh_from_db()
    return ctx


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_posting_form_prefills_and_posts_with_the_end_date_in_the_message(ctx, client):
    client.force_login(ctx.users.commune_officer)
    url = reverse("reviews:posting_create", args=[ctx.campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["working_days"] == 3
    units = list(page.context["form"].fields["unit"].queryset)
    assert ctx.units.t1 in units and ctx.units.tho_xuan in units and ctx.units.mdrak not in units
    response = client.post(url, {"unit": ctx.units.t1.pk, "places": "Nhà văn hóa Thôn 1\n\nTrụ sở UBND xã\n",
                                 "start_on": "2025-10-13", "working_days": "3"}, follow=True)  # fmt: skip
    posting = Posting.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reviews:posting_detail", args=[posting.pk])
    assert posting.places == ["Nhà văn hóa Thôn 1", "Trụ sở UBND xã"] and posting.end_on == date(2025, 10, 15)
    assert any("15/10/2025" in m and "2 hộ" in m for m in page_messages(response))


def test_posting_before_the_meeting_comes_back_on_the_form(ctx, client):
    ReviewCase.objects.update(state="surveyed")
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:posting_create", args=[ctx.campaign.pk]),
                           {"unit": ctx.units.t1.pk, "places": "Nhà văn hóa", "start_on": "2025-10-13",
                            "working_days": "3"})  # fmt: skip
    assert response.status_code == 200
    assert "chưa có hộ nào được họp dân" in response.content.decode()
    assert not Posting.objects.exists()


def test_posting_start_before_the_meeting_is_shown_on_its_field(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:posting_create", args=[ctx.campaign.pk]),
                           {"unit": ctx.units.t1.pk, "places": "Nhà văn hóa", "start_on": "2025-10-01",
                            "working_days": "3"})  # fmt: skip
    assert response.status_code == 200 and "start_on" in response.context["form"].errors
    assert not Posting.objects.exists()


def test_printable_list_shows_header_rows_reasons_and_complaints(posted, client):
    ctx = posted
    complaint_record(actor=ctx.users.commune_officer, case=ctx.a, today=TODAY,
                     data=ComplaintData(complainant_name="Phạm Văn Cường", content="Có ô tô", channel="letter",
                                        received_on=date(2025, 10, 14)))  # fmt: skip
    client.force_login(ctx.users.village_head)
    response = client.get(reverse("reviews:posting_detail", args=[ctx.posting.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert_csp_safe(body)  # printed with the site's print stylesheet, no inline style or script
    for text in (
        "Xã Thọ Xuân",
        "Thôn 1",
        "Nhà văn hóa Thôn 1; Trụ sở UBND xã",
        "13/10/2025",
        "15/10/2025",
        "3 ngày làm việc",
        "H1",
        "Nguyễn Văn An",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Việc làm",
        "1.200.000",
    ):
        assert text in body, text
    rows = response.context["rows"]
    assert [r.complaints for r in rows] == [1, 0]


def test_complaint_form_records_on_time_and_late(posted, client):
    ctx = posted
    client.force_login(ctx.users.commune_steering_member)
    url = reverse("reviews:complaint_create", args=[ctx.a.pk])
    assert client.get(url).status_code == 200
    data = {"complainant_name": "Phạm Văn Cường", "content": "Có ô tô", "channel": "letter",
            "received_on": "2025-10-14"}  # fmt: skip
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:case_detail", args=[ctx.a.pk])
    assert Complaint.objects.get().late is False
    response = client.post(url, {**data, "received_on": "2025-10-16"}, follow=True)
    assert any("nhận muộn" in m for m in page_messages(response))
    assert Complaint.objects.filter(late=True).count() == 1


def test_complaint_after_posting_claimed_on_time_is_refused_on_the_form(posted, client):
    ctx = posted
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:complaint_create", args=[ctx.a.pk]),
                           {"complainant_name": "Phạm Văn Cường", "content": "Có ô tô", "channel": "letter",
                            "received_on": "2025-10-16", "late_claimed": "on_time"})  # fmt: skip
    assert response.status_code == 200 and "late_claimed" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_complaint_about_a_household_not_posted_is_refused(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:complaint_create", args=[ctx.a.pk]),
                           {"complainant_name": "Phạm Văn Cường", "content": "Có ô tô", "channel": "letter",
                            "received_on": "2025-10-14"})  # fmt: skip
    assert response.status_code == 200 and "chưa được niêm yết" in response.content.decode()
    assert not Complaint.objects.exists()


def test_verify_upheld_sends_back_and_case_page_shows_it(posted, client):
    ctx = posted
    c = complaint_record(actor=ctx.users.commune_officer, case=ctx.a, today=TODAY,
                         data=ComplaintData(complainant_name="Phạm Văn Cường", content="Có ô tô", channel="letter",
                                            received_on=date(2025, 10, 14)))  # fmt: skip
    client.force_login(ctx.users.commune_chair)
    case_page = client.get(reverse("reviews:case_detail", args=[ctx.a.pk])).content.decode()
    assert reverse("reviews:complaint_verify", args=[c.pk]) in case_page
    assert "Nhà văn hóa Thôn 1" in case_page and "Phạm Văn Cường" in case_page
    url = reverse("reviews:complaint_verify", args=[c.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"outcome": "upheld", "reason": "Hộ có ô tô tải"}, follow=True)
    assert any("rà soát lại phiếu B" in m for m in page_messages(response))
    c.refresh_from_db()
    assert c.status == "upheld" and c.verified_on == timezone.localdate()
    assert ReviewCase.objects.get(pk=ctx.a.pk).state == "surveying"
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.CASE_RESURVEY).count() == 1


def test_verify_without_reason_stays_on_the_form(posted, client):
    ctx = posted
    c = complaint_record(actor=ctx.users.commune_officer, case=ctx.a, today=TODAY,
                         data=ComplaintData(complainant_name="Phạm Văn Cường", content="Có ô tô", channel="letter",
                                            received_on=date(2025, 10, 14)))  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:complaint_verify", args=[c.pk]),
                           {"outcome": "rejected", "reason": "", "verified_on": "2025-10-13"})  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors
    assert Complaint.objects.get().status == "open"


def test_complaint_list_filters_by_status_and_campaign_panel_counts(posted, client):
    ctx = posted
    for day, name in ((14, "Phạm Văn Cường"), (16, "Lê Thị Hoa")):
        complaint_record(actor=ctx.users.commune_officer, case=ctx.a, today=TODAY,
                         data=ComplaintData(complainant_name=name, content="Có ô tô", channel="letter",
                                            received_on=date(2025, 10, day)))  # fmt: skip
    first = Complaint.objects.get(complainant_name="Lê Thị Hoa")
    first.status = "rejected"
    first.save()
    client.force_login(ctx.users.commune_officer)
    url = reverse("reviews:complaint_list", args=[ctx.campaign.pk])
    body = client.get(url).content.decode()
    assert "Phạm Văn Cường" in body and "Lê Thị Hoa" in body
    body = client.get(url, {"status": "open"}).content.decode()
    assert "Phạm Văn Cường" in body and "Lê Thị Hoa" not in body
    campaign_page = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:posting_detail", args=[ctx.posting.pk]) in campaign_page
    assert "Khiếu nại đang xác minh: 1" in campaign_page
    assert reverse("reviews:posting_create", args=[ctx.campaign.pk]) in campaign_page
    assert url in campaign_page


def test_case_page_without_posting_shows_no_posting_panel(ctx, client):
    other = case_at(ctx.campaign, household(ctx.units.tho_xuan, ctx.units.t2, "H9", ctx.users.commune_officer,
                                            name="Hoàng Văn Em"), "surveying")  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:case_detail", args=[other.pk])).content.decode()
    assert 'id="posting"' not in body
