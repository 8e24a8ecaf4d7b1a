import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.registry.tests.factories import head, make_household
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import CampaignResult
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.tests import helpers_results as hr
from ansinh.reviews.tests.factories import case_at


@pytest.fixture
def ctx(units, users):
    return hr.final_cases(hr.base_ctx(units, users))


def url(name, ctx, **query):
    base = reverse(f"reviews:{name}", args=[ctx.campaign.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def freeze(ctx):
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# -- progress -----------------------------------------------------------------------------------------


def test_progress_page_province_to_village(ctx, client):
    hr.in_progress_cases(ctx)
    client.force_login(ctx.users.province_officer)
    response = client.get(url("campaign_progress", ctx))
    assert response.status_code == 200
    progress = response.context["progress"]
    assert [r.unit for r in progress.rows] == [ctx.units.hac_thanh, ctx.units.tho_xuan]
    html = response.content.decode()
    assert f'?unit={ctx.units.tho_xuan.pk}"' in html and "Xã Thọ Xuân" in html and "Phường Hạc Thành" in html
    assert 'data-key="total-listed">15' in html
    # Drill down to the commune: villages, and a link back up to the province.
    response = client.get(url("campaign_progress", ctx, unit=ctx.units.tho_xuan.pk))
    html = response.content.decode()
    assert [r.unit for r in response.context["progress"].rows] == [ctx.units.t1, ctx.units.t2]
    assert f'href="?unit={ctx.units.th.pk}">Tỉnh Thanh Hóa</a>' in html and "Thôn 2" in html
    assert 'data-key="total-listed">11' in html and "45,5%" in html  # 5 decided of 11 listed


def test_progress_page_scoped_for_a_commune_user(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.get(url("campaign_progress", ctx))
    assert [r.unit for r in response.context["progress"].rows] == [ctx.units.tho_xuan]
    assert "Phường Hạc Thành" not in response.content.decode()
    for unit in (ctx.units.hac_thanh, ctx.units.mdrak):
        assert client.get(url("campaign_progress", ctx, unit=unit.pk)).status_code == 404


def test_progress_page_shows_lateness_badges(ctx, client):
    from datetime import date

    from django.utils import timezone

    client.force_login(ctx.users.province_officer)
    original = timezone.localdate
    try:
        timezone.localdate = lambda *a, **k: date(2025, 12, 18)
        html = client.get(url("campaign_progress", ctx)).content.decode()
    finally:
        timezone.localdate = original
    assert 'data-state="overdue"' in html and "Quá hạn" in html


# -- results, freezing, CSV -----------------------------------------------------------------------------


def test_results_page_before_freezing_offers_the_freeze_to_the_manager(ctx, client):
    client.force_login(ctx.users.province_officer)
    html = client.get(url("campaign_results", ctx)).content.decode()
    assert "chưa được chốt" in html and url("campaign_results_freeze", ctx) in html
    client.force_login(ctx.users.commune_officer)
    html = client.get(url("campaign_results", ctx)).content.decode()
    assert "chưa được chốt" in html and url("campaign_results_freeze", ctx) not in html


def test_freeze_page_then_results(ctx, client):
    client.force_login(ctx.users.province_officer)
    response = client.post(url("campaign_results_freeze", ctx), follow=True)
    assert response.redirect_chain[-1][0] == url("campaign_results", ctx)
    assert "Đã chốt kết quả rà soát của 10 hộ." in messages_of(response)
    assert CampaignResult.objects.filter(campaign=ctx.campaign).count() == 10
    html = response.content.decode()
    assert 'data-transition="re_poor"' in html and "Hộ tái nghèo" in html and "Thoát cận nghèo" in html
    assert "Hoàng Văn Em" in html and "20/11/2025" in html
    assert url("campaign_results_csv", ctx) in html


def test_freeze_refused_comes_back_as_a_message(ctx, client):
    hr.in_progress_cases(ctx)
    client.force_login(ctx.users.province_officer)
    response = client.post(url("campaign_results_freeze", ctx), follow=True)
    assert any("Còn 5 hộ chưa có quyết định" in m for m in messages_of(response))
    assert not CampaignResult.objects.filter(campaign=ctx.campaign).exists()
    assert not AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_FROZEN).exists()


def test_freeze_refused_for_a_commune_manager_outside_the_province(ctx, client):
    client.force_login(ctx.users.commune_officer)  # manages Thọ Xuân's plan, not the province's results
    response = client.post(url("campaign_results_freeze", ctx), follow=True)
    assert any("Chỉ cán bộ quản lý đợt rà soát" in m for m in messages_of(response))
    assert not CampaignResult.objects.filter(campaign=ctx.campaign).exists()


def test_results_list_filters_and_pages(ctx, client, monkeypatch):
    from ansinh.reviews import views_results

    freeze(ctx)
    client.force_login(ctx.users.province_officer)
    response = client.get(url("campaign_results", ctx, klass="poor"))
    assert [r.household.code for r in response.context["page_obj"]] == ["H1", "H5", "H7", "K2"]
    response = client.get(url("campaign_results", ctx, transition="died"))
    assert [r.household.code for r in response.context["page_obj"]] == ["K3"]
    response = client.get(url("campaign_results", ctx, unit=ctx.units.t2.pk))
    assert [r.household.code for r in response.context["page_obj"]] == ["H5", "H6", "H7"]
    transitions = {t["code"]: t["count"] for t in response.context["transitions"]}
    assert sum(transitions.values()) == 3 and transitions["re_poor"] == 1
    monkeypatch.setattr(views_results, "PAGE_SIZE", 4)
    response = client.get(url("campaign_results", ctx, klass="", page=3))
    assert [r.household.code for r in response.context["page_obj"]] == ["K2", "K3"]
    html = response.content.decode()
    assert "Trang 3/3 (10 hộ)" in html and "klass=&amp;page=2" in html


def test_results_page_scoped_for_a_commune_user(ctx, client):
    freeze(ctx)
    client.force_login(ctx.users.commune_officer)
    response = client.get(url("campaign_results", ctx))
    assert response.context["page_obj"].paginator.count == 7 and response.context["total"] == 7
    assert "Bùi Thị Khánh" not in response.content.decode()


def test_csv_is_streamed_scoped_and_without_cccd(ctx, client):
    hh = make_household(ctx.units.tho_xuan, village=ctx.units.t1, code="C1", actor=ctx.users.commune_officer,
                        members=[head("Lò Văn Chiến", id_number="038075001234")])  # fmt: skip
    case_at(ctx.campaign, hh, "decided", final_class="near_poor")
    freeze(ctx)
    client.force_login(ctx.users.commune_officer)
    response = client.get(url("campaign_results_csv", ctx))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Mã hộ,Họ tên chủ hộ") and len(lines) == 1 + 8
    assert "Lò Văn Chiến" in text and "Hộ cận nghèo mới" in text and "038075001234" not in text
    assert "Bùi Thị Khánh" not in text  # Hạc Thành is outside the commune officer's area
    assert "H5,Hoàng Văn Em,Xã Thọ Xuân,Thôn 2,Không nghèo,Hộ nghèo,Hộ tái nghèo,20/11/2025" in text


# -- panels ---------------------------------------------------------------------------------------------


def test_case_page_shows_the_frozen_result(ctx, client):
    client.force_login(ctx.users.commune_officer)
    case_url = reverse("reviews:case_detail", args=[ctx.cases["H5"].pk])
    assert "Kết quả rà soát đã chốt" not in client.get(case_url).content.decode()
    freeze(ctx)
    html = client.get(case_url).content.decode()
    assert "Kết quả rà soát đã chốt" in html and 'data-transition="re_poor"' in html and "Hộ tái nghèo" in html


def test_campaign_page_shows_progress_and_links(ctx, client):
    client.force_login(ctx.users.commune_officer)
    html = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert 'data-key="listed">Số hộ trong danh sách: 7' in html
    assert url("campaign_progress", ctx) in html and url("campaign_results", ctx) in html
    assert "chưa chốt" in html
