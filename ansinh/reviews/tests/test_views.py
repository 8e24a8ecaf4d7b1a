from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.reviews.models import (
    Assignment,
    Campaign,
    CampaignKind,
    MilestoneCompletion,
    SteeringMember,
    TrainingSession,
)
from ansinh.reviews.services import steering_member_add
from ansinh.reviews.tests.factories import dak_lak_campaign, load_reference_data, thanh_hoa_campaign


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_nav_shows_reviews_to_roles_that_see_them(ctx, client):
    client.force_login(ctx.users.commune_officer)
    assert reverse("reviews:campaign_list") in client.get(reverse("reports:dashboard")).content.decode()
    client.force_login(ctx.users.helping_agency_member)
    assert reverse("reviews:campaign_list") not in client.get(reverse("reports:dashboard")).content.decode()


def test_list_shows_only_campaigns_of_the_area_and_filters(ctx, client, django_assert_max_num_queries):
    th, dl = thanh_hoa_campaign(ctx), dak_lak_campaign(ctx)
    client.force_login(ctx.users.commune_officer)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reviews:campaign_list"))
    body = response.content.decode()
    assert th.name in body and dl.name not in body
    assert "6828/KH-UBND (21/08/2025)" in body
    assert "Tạo đợt rà soát" in body  # the commune officer may run a commune campaign
    assert th.name not in client.get(reverse("reviews:campaign_list"), {"status": "open"}).content.decode()


def test_create_form_creates_a_campaign(ctx, client):
    client.force_login(ctx.users.province_officer)
    assert client.get(reverse("reviews:campaign_create")).status_code == 200
    periodic = CampaignKind.objects.get(code="periodic")
    response = client.post(reverse("reviews:campaign_create"), {
        "kind": periodic.pk, "year": "2025", "unit": ctx.units.th.pk, "units": [ctx.units.tho_xuan.pk],
        "plan_number": "1798/KH-UBND", "plan_date": "2025-08-12",
    })  # fmt: skip
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reviews:campaign_detail", args=[campaign.pk]
    )
    assert campaign.plan_number == "1798/KH-UBND" and campaign.created_by == ctx.users.province_officer


def test_create_form_shows_the_services_refusal_and_writes_nothing(ctx, client):
    client.force_login(ctx.users.province_officer)
    response = client.post(reverse("reviews:campaign_create"), {
        "kind": CampaignKind.objects.get(code="periodic").pk, "year": "2025", "unit": ctx.units.th_old.pk,
        "units": [ctx.units.xuan_hong.pk], "plan_number": "1/KH-UBND", "plan_date": "2025-08-12",
    })  # fmt: skip
    assert response.status_code == 200
    assert "đơn vị hành chính mới (2 cấp)" in response.content.decode()
    assert "Chưa ghi: 1 ô cần sửa, tô đỏ bên dưới." in response.content.decode()  # at the top, on a phone too
    assert not Campaign.objects.exists()


def test_detail_warns_of_another_campaign_of_the_same_kind_and_period_over_the_same_land(ctx, client):
    from ansinh.reviews.services import campaign_cancel
    from ansinh.reviews.tests.factories import make_campaign

    first = thanh_hoa_campaign(ctx)  # periodic 2025, the province over Thọ Xuân and Hạc Thành
    again = make_campaign(ctx.users.commune_officer, ctx.units.tho_xuan, [ctx.units.tho_xuan], plan_number="7/KH-UBND")
    other_year = make_campaign(ctx.users.commune_officer, ctx.units.tho_xuan, [ctx.units.tho_xuan], year=2026,
                               plan_number="8/KH-UBND", plan_date=date(2026, 8, 1))  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:campaign_detail", args=[again.pk])).content.decode()
    assert "Đợt khác cùng loại và cùng kỳ cũng rà soát địa bàn này" in body and first.name in body
    body = client.get(reverse("reviews:campaign_detail", args=[other_year.pk])).content.decode()
    assert "Đợt khác cùng loại và cùng kỳ" not in body  # another year
    campaign_cancel(actor=ctx.users.commune_officer, campaign=again, reason="Lập nhầm")
    body = client.get(reverse("reviews:campaign_detail", args=[first.pk])).content.decode()
    assert "Đợt khác cùng loại và cùng kỳ" not in body  # a cancelled one does not count


def test_detail_shows_plan_chain_and_milestones(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Số 6828/KH-UBND ngày 21/08/2025" in body
    assert "Xã/Phường → Tỉnh/Thành phố" in body
    assert "Chủ tịch UBND xã quyết định công nhận kết quả rà soát" in body and "14/12/2025" in body
    assert "Mở đợt rà soát" not in body  # the commune officer cannot open the province's campaign
    assert reverse("reviews:steering_member_add", args=[campaign.pk]) in body  # but manages Thọ Xuân's part


def test_open_then_complete_on_the_board(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.province_officer)
    response = client.post(reverse("reviews:campaign_open", args=[campaign.pk]), follow=True)
    assert "Đã mở đợt rà soát" in " ".join(page_messages(response))
    milestone = campaign.milestones.get(code="commune_recognition")
    client.force_login(ctx.users.commune_officer)
    response = client.post(
        reverse("reviews:milestone_complete", args=[campaign.pk, milestone.pk]),
        {"unit": ctx.units.tho_xuan.pk, "done_on": "2025-12-15", "note": "Chờ phúc tra"}, follow=True,
    )  # fmt: skip
    assert "(trễ hạn)" in " ".join(page_messages(response))
    completion = MilestoneCompletion.objects.get()
    assert (completion.unit, completion.done_on, completion.by) == (ctx.units.tho_xuan, date(2025, 12, 15),
                                                                    ctx.users.commune_officer)  # fmt: skip
    board = response.context["board"]
    cells = [c for row in board.rows for c in row.cells if c.state]
    # The commune's own milestone, and the province's two, read only (the campaign page lists all three).
    assert [c.state for c in cells if c.can_complete or c.completion] == ["done_late"]
    assert len(cells) == campaign.milestones.count() == 3
    body = response.content.decode()
    assert "Đã xong, trễ hạn" in body  # a text label, not colour only
    assert "Đã xong, trễ hạn: 1" in body  # the summary counts what the database holds
    # Long milestone headers wrap, unit names do not (static/css/ansinh.css `.fit`).
    assert '<table class="data fit">' in body


def test_board_refusal_comes_back_as_a_message(ctx, client):
    campaign = thanh_hoa_campaign(ctx)  # still a draft
    milestone = campaign.milestones.get(code="commune_recognition")
    client.force_login(ctx.users.commune_officer)
    response = client.post(
        reverse("reviews:milestone_complete", args=[campaign.pk, milestone.pk]),
        {"unit": ctx.units.tho_xuan.pk, "done_on": "2025-12-01"}, follow=True,
    )  # fmt: skip
    assert "đang diễn ra" in " ".join(page_messages(response))
    assert not MilestoneCompletion.objects.exists()


def test_steering_assignment_and_training_forms(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.commune_officer)
    client.post(reverse("reviews:steering_member_add", args=[campaign.pk]), {
        "unit": ctx.units.tho_xuan.pk, "full_name": "Lê Văn Bình", "position": "Chủ tịch UBND xã",
        "committee_role": "head"})  # fmt: skip
    member = SteeringMember.objects.get()
    client.post(reverse("reviews:steering_member_remove", args=[campaign.pk, member.pk]))
    assert SteeringMember.objects.get().removed_on is not None
    client.post(reverse("reviews:assignment_add", args=[campaign.pk]),
                {"village": ctx.units.t1.pk, "role": "enumerator", "person_name": "Nguyễn Thị Hoa"})  # fmt: skip
    assignment = Assignment.objects.get()
    client.post(reverse("reviews:assignment_end", args=[campaign.pk, assignment.pk]))
    assert Assignment.objects.get().end_on is not None
    client.post(reverse("reviews:training_add", args=[campaign.pk]), {
        "unit": ctx.units.tho_xuan.pk, "held_on": "2025-09-05", "topic": "Phiếu A, phiếu B",
        "attendees": "Nguyễn Thị Hoa — rà soát viên\n\nPhạm Văn Nam"})  # fmt: skip
    assert TrainingSession.objects.get().attendees == ["Nguyễn Thị Hoa — rà soát viên", "Phạm Văn Nam"]
    body = client.get(reverse("reviews:campaign_detail", args=[campaign.pk])).content.decode()
    assert "Lê Văn Bình" in body and "Nguyễn Thị Hoa" in body and "2 người tham dự" in body


def test_a_bad_form_is_refused_with_a_message_and_nothing_written(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.commune_officer)
    events = AuditEvent.objects.count()
    response = client.post(reverse("reviews:steering_member_add", args=[campaign.pk]),
                           {"unit": ctx.units.hac_thanh.pk, "full_name": "A", "position": "B",
                            "committee_role": "member"}, follow=True)  # fmt: skip
    assert page_messages(response)  # Hạc Thành is not among the officer's units
    assert not SteeringMember.objects.exists() and AuditEvent.objects.count() == events


def test_remove_of_another_campaigns_member_is_not_found(ctx, client):
    campaign, other = thanh_hoa_campaign(ctx), thanh_hoa_campaign(ctx)
    member = steering_member_add(actor=ctx.users.commune_officer, campaign=other, unit=ctx.units.tho_xuan,
                                 full_name="A", position="B", committee_role="member")  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:steering_member_remove", args=[campaign.pk, member.pk]))
    assert response.status_code == 404
