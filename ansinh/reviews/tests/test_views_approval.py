"""Step 10 pages: the approval tree with the buttons each user may use, the three POST actions (effects
and refusals as messages, nothing written), and the case / campaign panels."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import ReviewCase, UnitApproval
from ansinh.reviews.tests import matrix_approval as m


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    m._setup(c)
    return c


def state(row):
    return UnitApproval.objects.get(pk=row.pk).state


def messages_of(response):
    return [str(x) for x in response.context["messages"]] if response.context else []


def test_tree_shows_levels_badges_blockers_and_the_submit_button(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.get(reverse("reviews:approval_tree", args=[ctx.campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Thọ Xuân" in html and 'data-state="waiting"' in html
    assert reverse("reviews:approval_submit", args=[ctx.commune.pk]) in html
    assert reverse("reviews:approval_approve", args=[ctx.commune.pk]) not in html
    # the commune officer does not see the province's row nor Hạc Thành's
    assert reverse("reviews:approval_submit", args=[ctx.province.pk]) not in html
    assert "Phường Hạc Thành" not in html


def test_tree_for_the_province_lists_the_blocked_commune(ctx, client, units):
    from ansinh.reviews.tests.factories import case_at, classified_household

    household = classified_household(units.hac_thanh, village=None, code="S1", klass="poor", actor=None)
    case_at(ctx.campaign, household, "surveying")
    client.force_login(ctx.users.province_officer)
    html = client.get(reverse("reviews:approval_tree", args=[ctx.campaign.pk])).content.decode()
    assert "Tỉnh Thanh Hóa" in html and "Phường Hạc Thành" in html
    assert "1 hộ chưa có quyết định" in html
    assert "2 đơn vị cấp dưới chưa phê duyệt" in html


def test_submit_then_approve_through_the_pages(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:approval_submit", args=[ctx.commune.pk]), follow=True)
    assert "Đã trình kết quả rà soát của Xã Thọ Xuân." in messages_of(response)
    assert state(ctx.commune) == "ready"
    client.force_login(ctx.users.commune_chair)
    html = client.get(reverse("reviews:approval_tree", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:approval_approve", args=[ctx.commune.pk]) in html
    response = client.post(reverse("reviews:approval_approve", args=[ctx.commune.pk]), follow=True)
    assert any("đã được khóa" in t for t in messages_of(response))
    assert state(ctx.commune) == "approved"
    assert set(ReviewCase.objects.filter(campaign=ctx.campaign, unit_path__startswith=ctx.units.tho_xuan.path)
               .values_list("state", flat=True)) == {"approved"}  # fmt: skip


def test_refusal_comes_back_as_a_message_and_writes_nothing(ctx, client):
    client.force_login(ctx.users.province_officer)
    before = AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_SUBMITTED).count()
    response = client.post(reverse("reviews:approval_submit", args=[ctx.province.pk]), follow=True)
    assert any("chưa được phê duyệt" in t for t in messages_of(response))
    assert state(ctx.province) == "waiting"
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_SUBMITTED).count() == before


def test_province_approver_cannot_approve_a_commune_page(ctx, client):
    from ansinh.reviews.services_approval import results_submit

    results_submit(actor=ctx.users.commune_officer, approval=ctx.commune)
    client.force_login(ctx.users.province_approver)
    response = client.post(reverse("reviews:approval_approve", args=[ctx.commune.pk]), follow=True)
    assert any("không phê duyệt ở cấp" in t for t in messages_of(response))
    assert state(ctx.commune) == "ready"


def test_return_with_reason_through_the_page(ctx, client):
    from ansinh.reviews.services_approval import results_approve, results_submit

    results_submit(actor=ctx.users.commune_officer, approval=ctx.commune)
    results_approve(actor=ctx.users.commune_chair, approval=ctx.commune)
    client.force_login(ctx.users.province_approver)
    html = client.get(reverse("reviews:approval_tree", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:approval_return", args=[ctx.commune.pk]) in html
    response = client.post(reverse("reviews:approval_return", args=[ctx.commune.pk]), {"reason": ""}, follow=True)
    assert any("lý do" in t for t in messages_of(response)) and state(ctx.commune) == "approved"
    client.post(reverse("reviews:approval_return", args=[ctx.commune.pk]), {"reason": "Sai hộ X1"})
    row = UnitApproval.objects.get(pk=ctx.commune.pk)
    assert row.state == "returned" and row.returned_reason == "Sai hộ X1"


def test_case_panel_shows_the_lock_and_campaign_panel_counts(ctx, client):
    from ansinh.reviews.services_approval import results_approve, results_submit

    case = ReviewCase.objects.filter(campaign=ctx.campaign, unit_path__startswith=ctx.units.tho_xuan.path).first()
    client.force_login(ctx.users.commune_officer)
    html = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert "Phê duyệt kết quả" in html and 'data-state="locked"' not in html
    results_submit(actor=ctx.users.commune_officer, approval=ctx.commune)
    results_approve(actor=ctx.users.commune_chair, approval=ctx.commune)
    html = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert 'data-state="locked"' in html and "Đã phê duyệt" in html
    client.force_login(ctx.users.province_officer)
    html = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:approval_tree", args=[ctx.campaign.pk]) in html
    assert "Đã phê duyệt: 1" in html and "Chờ cấp dưới: 1" in html
