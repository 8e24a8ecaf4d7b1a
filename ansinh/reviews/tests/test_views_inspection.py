from datetime import date

import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import Complaint, Reinspection, ReviewCase
from ansinh.reviews.tests.factories import load_reference_data
from ansinh.reviews.tests.helpers_inspection import find, inspection_ctx, order, with_discrepancy


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return inspection_ctx(units, users)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_units_page_shows_rates_reasons_and_the_order_form_to_inspectors(ctx, client):
    Complaint.objects.create(
        campaign=ctx.campaign, case=ctx.cases[0], complainant_name="Lê Văn Tư", content="x", channel="letter",
        received_on=date(2025, 10, 10), unit_path=ctx.cases[0].unit_path,
    )  # fmt: skip
    url = reverse("reviews:reinspection_units", args=[ctx.campaign.pk])
    client.force_login(ctx.users.inspector)
    body = client.get(url).content.decode()
    # Thọ Xuân: 4 households, 2 poor before (50,0 %), 1 now (25,0 %): −25,0 points, like the whole campaign.
    assert "Xã Thọ Xuân" in body and "Phường Hạc Thành" in body
    assert "50,0" in body and "25,0" in body and "1 khiếu nại" in body
    assert 'id="order"' in body and "Chọn phúc tra" in body
    body = client.get(url, {"commune": ctx.units.tho_xuan.pk}).content.decode()
    assert "Chủ hộ H1" in body and "Chủ hộ H4" in body and "1 khiếu nại</textarea>" in body
    client.force_login(ctx.users.commune_officer)
    body = client.get(url).content.decode()
    assert "Xã Thọ Xuân" in body and "Phường Hạc Thành" not in body and 'id="order"' not in body


def test_order_from_the_page_with_ticked_households(ctx, client):
    client.force_login(ctx.users.inspector)
    response = client.post(reverse("reviews:reinspection_order", args=[ctx.campaign.pk]), {
        "commune": ctx.units.tho_xuan.pk, "reasons": "Tỷ lệ nghèo giảm bất thường\nCó khiếu nại",
        "cases": [ctx.cases[0].pk, ctx.cases[3].pk],
    }, follow=True)  # fmt: skip
    reinspection = Reinspection.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reviews:reinspection_detail", args=[reinspection.pk])
    assert any("Đã quyết định phúc tra Xã Thọ Xuân: 2 hộ" in m for m in page_messages(response))
    assert sorted(reinspection.samples.values_list("case_id", flat=True)) == [ctx.cases[0].pk, ctx.cases[3].pk]
    assert [r["text"] for r in reinspection.reasons] == ["Tỷ lệ nghèo giảm bất thường", "Có khiếu nại"]
    body = response.content.decode()
    assert "Chủ hộ H1" in body and "Ghi kết quả phúc tra" in body and "Kết thúc phúc tra" in body


def test_order_refusal_comes_back_on_the_form(ctx, client):
    client.force_login(ctx.users.inspector)
    response = client.post(reverse("reviews:reinspection_order", args=[ctx.campaign.pk]),
                           {"commune": ctx.units.tho_xuan.pk, "reasons": "x", "sample_size": 9})  # fmt: skip
    assert response.status_code == 200
    assert "chỉ có 4 hộ có kết quả sơ bộ" in response.content.decode()
    assert not Reinspection.objects.exists()
    response = client.post(reverse("reviews:reinspection_order", args=[ctx.campaign.pk]),
                           {"commune": ctx.units.tho_xuan.pk, "reasons": "x"})  # fmt: skip
    assert "một trong hai" in response.content.decode() and not Reinspection.objects.exists()
    response = client.post(reverse("reviews:reinspection_order", args=[ctx.campaign.pk]),
                           {"commune": ctx.units.tho_xuan.pk, "reasons": "x", "sample_size": 1,
                            "cases": [ctx.cases[0].pk]})  # fmt: skip
    assert "một trong hai" in response.content.decode() and not Reinspection.objects.exists()


def test_finding_resolve_and_close_through_the_pages(ctx, client):
    reinspection = order(ctx)
    first, second = reinspection.samples.order_by("pk")
    detail = reverse("reviews:reinspection_detail", args=[reinspection.pk])
    client.force_login(ctx.users.inspector)
    finding = "reviews:reinspection_finding"
    response = client.post(reverse(finding, args=[reinspection.pk, first.pk]), {
        "found_class": first.commune_class, "inspector_name": "Đỗ Văn Kiên", "inspected_on": "2025-10-22",
    }, follow=True)  # fmt: skip
    assert any("đúng kết quả của xã" in m for m in page_messages(response))
    response = client.post(reverse(finding, args=[reinspection.pk, second.pk]), {
        "found_class": "poor", "findings": "Hộ không có thu nhập ổn định", "inspected_on": "2025-10-22",
    }, follow=True)  # fmt: skip
    assert any("sai lệch với kết quả của xã" in m for m in page_messages(response))
    second.refresh_from_db()
    assert second.discrepancy and second.inspector_name == ctx.users.inspector.full_name
    # a refusal comes back as a message, nothing changed
    response = client.post(
        reverse(finding, args=[reinspection.pk, second.pk]),
        {"found_class": "poor", "findings": "", "inspected_on": "2025-10-01"},
        follow=True,
    )
    assert any("trước ngày quyết định phúc tra" in m for m in page_messages(response))
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.REINSPECTION_FINDING).count() == 2
    # the commune sees the discrepancy and resolves it with a re-survey
    client.force_login(ctx.users.commune_officer)
    body = client.get(detail).content.decode()
    assert "Sai lệch" in body and "Xã xử lý sai lệch" in body and "Ghi kết quả phúc tra" not in body
    response = client.post(reverse("reviews:reinspection_resolve", args=[reinspection.pk, second.pk]),
                           {"resolution": "Rà soát lại phiếu B", "resurvey": "on"}, follow=True)  # fmt: skip
    assert any("được rà soát lại phiếu B" in m for m in page_messages(response))
    assert ReviewCase.objects.get(pk=second.case_id).state == "surveying"
    response = client.post(reverse("reviews:reinspection_resolve", args=[reinspection.pk, first.pk]),
                           {"resolution": "x"}, follow=True)  # fmt: skip
    assert any("không sai lệch" in m for m in page_messages(response))
    # the inspector closes it
    client.force_login(ctx.users.inspector)
    response = client.post(reverse("reviews:reinspection_close", args=[reinspection.pk]), follow=True)
    assert any("Đã kết thúc phúc tra" in m for m in page_messages(response))
    reinspection.refresh_from_db()
    assert reinspection.status == "closed"
    assert "Kết thúc phúc tra</button>" not in client.get(detail).content.decode()


def test_close_refused_while_findings_are_missing(ctx, client):
    reinspection = order(ctx)
    client.force_login(ctx.users.inspector)
    response = client.post(reverse("reviews:reinspection_close", args=[reinspection.pk]), follow=True)
    assert any("chưa ghi kết quả phúc tra" in m for m in page_messages(response))
    reinspection.refresh_from_db()
    assert reinspection.status == "open"


def test_sample_of_another_reinspection_is_not_found(ctx, client):
    first = with_discrepancy(ctx)
    other = order(ctx, commune=ctx.units.mdrak, campaign=ctx.campaign_out, actor=ctx.users.province_officer_dl,
                  cases=ctx.cases_out[:1])  # fmt: skip
    client.force_login(ctx.users.province_officer_dl)
    sample = first.samples.first()
    response = client.post(reverse("reviews:reinspection_finding", args=[other.pk, sample.pk]),
                           {"found_class": "poor", "inspected_on": "2025-10-22"})  # fmt: skip
    assert response.status_code == 404


def test_case_and_campaign_panels(ctx, client):
    reinspection = with_discrepancy(ctx)
    sample = reinspection.samples.get(discrepancy=True)
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:case_detail", args=[sample.case_id])).content.decode()
    assert 'id="reinspection"' in body and "Có sai lệch chưa xử lý" in body
    assert reverse("reviews:reinspection_detail", args=[reinspection.pk]) in body
    untouched = client.get(reverse("reviews:case_detail", args=[ctx.cases[3].pk])).content.decode()
    assert 'id="reinspection"' not in untouched
    body = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert "1 đợt phúc tra (1 đang phúc tra)" in body and "1 sai lệch chưa xử lý" in body
    assert reverse("reviews:reinspection_units", args=[ctx.campaign.pk]) in body


def test_finding_form_prefills_the_recorded_values(ctx, client):
    reinspection = order(ctx)
    sample = reinspection.samples.order_by("pk").first()
    find(sample, "not_poor", actor=ctx.users.inspector, findings="Hộ đã có việc làm ổn định")
    client.force_login(ctx.users.inspector)
    body = client.get(reverse("reviews:reinspection_detail", args=[reinspection.pk])).content.decode()
    assert "Sửa kết quả phúc tra" in body and "Hộ đã có việc làm ổn định" in body
    assert f'id="id_f{sample.pk}_found_class"' in body
