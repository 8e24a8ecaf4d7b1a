"""The case pages of a campaign whose results are approved or frozen: no button to add a household
or to take a step, the application form refused with a message, and a case's history without the
group events from before it existed."""

from datetime import date

import pytest
from django.urls import reverse

from ansinh.audit.services import audit_record
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import ReviewCase, UnitApproval
from ansinh.reviews.selectors import case_history, units_taking_cases
from ansinh.reviews.services_cases import application_record
from ansinh.reviews.tests.factories import (
    application,
    cases_context,
)
from ansinh.reviews.tests.helpers_results import earlier_result


@pytest.fixture
def ctx(units, users):
    c = cases_context(units, users, "other")
    c.case = application_record(actor=users.commune_officer, campaign=c.campaign, household=c.other,
                                application=application(), today=date(2025, 10, 1))  # fmt: skip
    return c


def _approve(ctx, unit, level, state="approved", parent=None):
    return UnitApproval.objects.create(campaign=ctx.campaign, unit=unit, level=level, state=state, parent=parent,
                                       unit_path=unit.path)  # fmt: skip


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_open_campaign_offers_the_application_and_phieu_a(ctx, client):
    client.force_login(ctx.users.commune_officer)
    new_url = reverse("reviews:application_create", args=[ctx.campaign.pk])
    assert new_url in client.get(reverse("reviews:case_list", args=[ctx.campaign.pk])).content.decode()
    assert client.get(new_url).status_code == 200
    body = client.get(reverse("reviews:case_detail", args=[ctx.case.pk])).content.decode()
    assert reverse("reviews:form_a", args=[ctx.case.pk]) in body


@pytest.mark.parametrize("lock", ["commune", "province", "frozen"])
def test_locked_results_hide_the_buttons_and_refuse_the_form(ctx, client, lock):
    if lock == "frozen":
        earlier_result(ctx, ctx.campaign, ctx.other, "not_poor")
    else:
        top = _approve(ctx, ctx.units.th, "province", "approved" if lock == "province" else "waiting")
        _approve(ctx, ctx.units.tho_xuan, "commune", "accepted" if lock == "province" else "approved", parent=top)
    officer = ctx.users.commune_officer
    assert not units_taking_cases(user=officer, campaign=ctx.campaign).exists()
    client.force_login(officer)
    new_url = reverse("reviews:application_create", args=[ctx.campaign.pk])
    body = client.get(reverse("reviews:case_list", args=[ctx.campaign.pk])).content.decode()
    assert new_url not in body and reverse("reviews:cases_list_current", args=[ctx.campaign.pk]) not in body
    response = client.get(new_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:case_list", args=[ctx.campaign.pk])
    assert any("không nhận thêm hộ" in m for m in _messages(response))
    body = client.post(new_url, {"commune": ctx.units.tho_xuan.pk, "household_code": "H3", "channel": "in_person",
                                 "received_on": "2025-10-01"}).content.decode()  # fmt: skip
    assert "không thêm hộ vào đợt được nữa" in body and ReviewCase.objects.count() == 1
    body = client.get(reverse("reviews:case_detail", args=[ctx.case.pk])).content.decode()
    assert reverse("reviews:form_a", args=[ctx.case.pk]) not in body
    assert reverse("reviews:case_start_survey", args=[ctx.case.pk]) not in body


def test_another_commune_still_open_is_offered_alone(ctx):
    top = _approve(ctx, ctx.units.th, "province", "waiting")
    _approve(ctx, ctx.units.tho_xuan, "commune", "approved", parent=top)
    units = units_taking_cases(user=ctx.users.province_officer, campaign=ctx.campaign)
    assert ctx.units.hac_thanh in units
    assert not units.filter(path__startswith=ctx.units.tho_xuan.path).exists()


def test_case_history_leaves_out_group_events_from_before_the_case(ctx):
    officer = ctx.users.commune_officer
    approval = _approve(ctx, ctx.units.tho_xuan, "commune", "ready")
    audit_record(actor=officer, event_type=ReviewsEventType.RESULTS_SUBMITTED, target=approval,
                 unit_path=approval.unit_path, changes={"new": {"state": "ready"}})  # fmt: skip
    ReviewCase.objects.filter(pk=ctx.case.pk).update(created_at=ctx.case.created_at.replace(year=2030))
    late = ReviewCase.objects.get(pk=ctx.case.pk)
    events = [e.event_type for e in case_history(case=late)]
    assert events == [ReviewsEventType.APPLICATION_RECORDED]  # its own events stay, whenever recorded
    events = [e.event_type for e in case_history(case=ctx.case)]
    assert ReviewsEventType.RESULTS_SUBMITTED in events  # after the case existed: part of its history


def test_a_frozen_campaign_page_offers_nothing_to_record(ctx, client):
    from ansinh.reviews.selectors import campaign_takes_records

    names = ("reviews:posting_create", "reviews:meeting_create", "reviews:decision_create")
    record_urls = [reverse(name, args=[ctx.campaign.pk]) for name in names]
    client.force_login(ctx.users.commune_officer)
    page = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert campaign_takes_records(ctx.campaign) and any(url in page for url in record_urls)
    earlier_result(ctx, ctx.campaign, ctx.other, "not_poor")  # the results frozen
    assert not campaign_takes_records(ctx.campaign)
    page = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert not any(url in page for url in record_urls)
