from datetime import date

import pytest
from django.urls import reverse

from ansinh.registry.models import Household
from ansinh.reviews.models import ReviewCase
from ansinh.reviews.services_cases import application_record, cases_list_current
from ansinh.reviews.tests.factories import (
    application,
    cases_context,
)


@pytest.fixture
def ctx(units, users):
    return cases_context(units, users, "poor", "near", "other")


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_campaign_detail_links_to_the_cases_with_counts(ctx, client):
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:campaign_detail", args=[ctx.campaign.pk])).content.decode()
    assert reverse("reviews:case_list", args=[ctx.campaign.pk]) in body
    assert "Trong danh sách rà soát: 2" in body


def test_listing_from_the_page_then_filters_and_accent_insensitive_search(ctx, client,
                                                                          django_assert_max_num_queries):  # fmt: skip
    client.force_login(ctx.users.commune_officer)
    url = reverse("reviews:case_list", args=[ctx.campaign.pk])
    response = client.post(reverse("reviews:cases_list_current", args=[ctx.campaign.pk]),
                           {"unit": ctx.units.tho_xuan.pk}, follow=True)  # fmt: skip
    assert any("Đã thêm 2 hộ" in m for m in page_messages(response))
    with django_assert_max_num_queries(30):
        body = client.get(url).content.decode()
    assert "Nguyễn Văn An" in body and "Lê Thị Bình" in body and "Trần Văn Cường" not in body
    body = client.get(url, {"q": "nguyen van an"}).content.decode()
    assert "Nguyễn Văn An" in body and "Lê Thị Bình" not in body
    body = client.get(url, {"q": "H2"}).content.decode()
    assert "Lê Thị Bình" in body and "Nguyễn Văn An" not in body
    body = client.get(url, {"village": ctx.units.t2.pk}).content.decode()
    assert "Lê Thị Bình" in body and "Nguyễn Văn An" not in body
    body = client.get(url, {"origin": "near_poor_list"}).content.decode()
    assert "Lê Thị Bình" in body and "Nguyễn Văn An" not in body
    assert "Nguyễn Văn An" not in client.get(url, {"state": "surveying"}).content.decode()


def test_case_list_unit_filters_write_the_markup_of_djangos_select(ctx, client):
    from django import forms
    from django.test import RequestFactory

    from ansinh.reviews.filters import CaseFilterSet
    from ansinh.reviews.selectors import VIEW_CASE_PERM, case_units

    for user in (ctx.users.province_officer, ctx.users.commune_officer, ctx.users.village_head):
        for data in ({}, {"unit": ctx.units.tho_xuan.pk}, {"village": ctx.units.t2.pk}):
            request = RequestFactory().get("/", data)
            request.user = user
            units = case_units(user=user, campaign=ctx.campaign, perm=VIEW_CASE_PERM)
            form = CaseFilterSet(request.GET or None, request=request, queryset=ReviewCase.objects.none(),
                                 campaign=ctx.campaign, units=units).form  # fmt: skip
            for name in ("unit", "village"):
                bound = form[name]
                stock = forms.ModelChoiceField(queryset=bound.field.queryset, empty_label=bound.field.empty_label)
                assert str(bound) == bound.as_widget(widget=forms.Select(choices=stock.choices))
    client.force_login(ctx.users.commune_officer)
    body = client.get(reverse("reviews:case_list", args=[ctx.campaign.pk]), {"village": ctx.units.t2.pk}).content
    assert f'<option value="{ctx.units.t2.pk}" selected>{ctx.units.t2}</option>' in body.decode()


def test_village_head_sees_only_their_village(ctx, client):
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    client.force_login(ctx.users.village_head)
    body = client.get(reverse("reviews:case_list", args=[ctx.campaign.pk])).content.decode()
    assert "Nguyễn Văn An" in body and "Lê Thị Bình" not in body


def test_application_for_a_registered_household_then_form_a(ctx, client):
    client.force_login(ctx.users.commune_officer)
    url = reverse("reviews:application_create", args=[ctx.campaign.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"commune": ctx.units.tho_xuan.pk, "household_code": "H3", "channel": "post",
                                 "received_on": "2025-09-20", "reason": "Mất việc"})  # fmt: skip
    case = ReviewCase.objects.get(household=ctx.other)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:case_detail", args=[case.pk])
    detail = client.get(response["Location"]).content.decode()
    assert reverse("reviews:form_a", args=[case.pk]) in detail and "Ghi nhận giấy đề nghị rà soát" in detail
    # The 2025 campaign's recognition deadline (14/12/2025) has passed with no answer for this household.
    assert "14/12/2025" in detail and "Quá hạn, chưa có kết quả" in detail
    form = client.get(reverse("reviews:form_a", args=[case.pk])).content.decode()
    assert "Có ô tô" in form and "tạm thời, chưa đối chiếu văn bản" in form
    response = client.post(reverse("reviews:form_a", args=[case.pk]), {"c_car": "on"}, follow=True)
    case.refresh_from_db()
    assert case.state == "screened_out" and [r["code"] for r in case.screened_out_reason] == ["car"]
    assert any("Có ô tô" in m for m in page_messages(response))
    assert "Ghi kết quả phiếu A" in response.content.decode()  # the history shows the event
    assert "Quá hạn, chưa có kết quả" not in response.content.decode()  # screened out: answered


def test_application_form_errors_stay_on_the_form(ctx, client):
    client.force_login(ctx.users.commune_officer)
    url = reverse("reviews:application_create", args=[ctx.campaign.pk])
    base = {"commune": ctx.units.tho_xuan.pk, "channel": "in_person", "received_on": "2025-09-20"}
    body = client.post(url, {**base, "household_code": "NOPE"}).content.decode()
    assert "Không có hộ mã NOPE" in body
    body = client.post(url, {**base, "household_code": "H3", "received_on": "2025-08-01"}).content.decode()
    assert "thời gian của đợt" in body
    assert not ReviewCase.objects.exists()


def test_application_for_a_new_household_registers_it(ctx, client):
    client.force_login(ctx.users.commune_officer)
    response = client.post(reverse("reviews:application_create", args=[ctx.campaign.pk]), {
        "commune": ctx.units.tho_xuan.pk, "household_code": "M01", "new_household": "on",
        "village": ctx.units.t2.pk, "head_name": "Hoàng Văn Em", "head_sex": "male", "head_birth_year": "1980",
        "channel": "online", "received_on": "2025-09-20",
    })  # fmt: skip
    assert response.status_code == 302
    household = Household.objects.get(code="M01")
    assert ReviewCase.objects.get(household=household).origin == "applied" and household.head_name == "Hoàng Văn Em"


def test_listed_case_goes_to_survey_from_its_page(ctx, client):
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    case = ReviewCase.objects.get(household=ctx.poor)
    client.force_login(ctx.users.enumerator)
    page = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert reverse("reviews:case_start_survey", args=[case.pk]) in page
    assert reverse("reviews:form_a", args=[case.pk]) not in page
    assert "Lập danh sách hộ cần rà soát" in page  # the listing event is part of its history
    response = client.post(reverse("reviews:case_start_survey", args=[case.pk]), follow=True)
    assert any("phiếu B" in m for m in page_messages(response))
    case.refresh_from_db()
    assert case.state == "surveying"
    response = client.post(reverse("reviews:case_start_survey", args=[case.pk]), follow=True)
    assert any("không chuyển sang" in m for m in page_messages(response))


def test_form_a_on_a_listed_case_is_refused_with_a_message(ctx, client):
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    case = ReviewCase.objects.get(household=ctx.poor)
    client.force_login(ctx.users.commune_officer)
    body = client.post(reverse("reviews:form_a", args=[case.pk]), {}).content.decode()
    assert "Phiếu A chỉ dùng cho hộ có giấy đề nghị" in body
    case.refresh_from_db()
    assert case.state == "listed"


def test_supervisor_sees_cases_but_gets_no_record_buttons(ctx, client):
    case = application_record(actor=ctx.users.commune_officer, campaign=ctx.campaign, household=ctx.other,
                              application=application(), today=date(2025, 10, 1))  # fmt: skip
    client.force_login(ctx.users.supervisor)
    body = client.get(reverse("reviews:case_list", args=[ctx.campaign.pk])).content.decode()
    assert "Trần Văn Cường" in body and reverse("reviews:application_create", args=[ctx.campaign.pk]) not in body
    body = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    assert reverse("reviews:form_a", args=[case.pk]) not in body


def test_case_history_names_the_actor_by_full_name(ctx, client):
    ctx.users.commune_officer.full_name = "Lê Thị Hoa"
    ctx.users.commune_officer.save(update_fields=["full_name"])
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=ctx.units.tho_xuan)
    case = ReviewCase.objects.get(household=ctx.poor)
    client.force_login(ctx.users.enumerator)
    page = client.get(reverse("reviews:case_detail", args=[case.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "<td>Lê Thị Hoa</td>" in history and "<td>system</td>" not in history
