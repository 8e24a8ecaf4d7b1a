"""The case list's unit selects: a large area's villages are offered one commune at a time.

The list's village filter and the "list the current poor households" form follow the household
list's rule (`geo.selectors.villages_to_offer`): every village while the area holds at most
`VILLAGES_AT_ONCE_MAX`, else only those of the commune chosen. The test tree is small, so the limit
is lowered to 2: the province officer's campaign area then holds too many villages (Thọ Xuân's T1
and T2, and Hạc Thành's H1 added here), a commune officer's (T1, T2) does not.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.reviews import selectors
from ansinh.reviews.models import ReviewCase
from ansinh.reviews.services_cases import cases_list_current
from ansinh.reviews.tests.factories import cases_context
from ansinh.reviews.tests.unit_options import (
    hold_villages_back,
    ids,
    option_values,
    select_html,
    selected_values,
    swap,
    without_tokens,
)

HINT_FILTER = "hãy chọn xã/phường rồi bấm Lọc"
HINT_FORM = "Để chọn một thôn, hãy chọn xã/phường của thôn trước"
SWAP = swap("list_unit")  # what the listing form's select sends when it fetches the page for a commune


@pytest.fixture
def ctx(units, users, monkeypatch):
    ctx = cases_context(units, users, "poor", "near")
    ctx.h1 = hold_villages_back(units, monkeypatch)
    ctx.url = reverse("reviews:case_list", args=[ctx.campaign.pk])
    return ctx


def test_a_province_reader_is_offered_communes_until_a_commune_is_chosen(ctx, client, django_assert_max_num_queries):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    with django_assert_max_num_queries(30):
        body = client.get(ctx.url).content.decode()
    communes = sorted(ids(units.tho_xuan, units.hac_thanh))
    assert sorted(option_values(select_html(body, "unit", "id_unit"))) == communes
    assert option_values(select_html(body, "village", "id_village")) == []  # none until a commune is chosen
    assert HINT_FILTER in body
    listing = select_html(body, "unit", "list_unit")
    assert sorted(option_values(listing)) == communes and selected_values(listing) == []
    assert HINT_FORM in body
    # Choosing a commune in the form's own select fetches the page for it and swaps in the new select.
    assert f'hx-get="{ctx.url}"' in listing and 'hx-select="#list_unit"' in listing and 'hx-target="this"' in listing


def test_choosing_a_commune_offers_its_villages_in_both_selects(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    body = client.get(ctx.url, {"unit": units.tho_xuan.pk}).content.decode()
    assert selected_values(select_html(body, "unit", "id_unit")) == ids(units.tho_xuan)
    assert option_values(select_html(body, "village", "id_village")) == ids(units.t1, units.t2)  # not Hạc Thành's H1
    assert HINT_FILTER not in body
    listing = select_html(body, "unit", "list_unit")
    # Communes in their order, the chosen one's villages right after it; the chosen commune preselected.
    assert option_values(listing) == ids(units.hac_thanh, units.tho_xuan, units.t1, units.t2)
    assert selected_values(listing) == ids(units.tho_xuan)
    assert str(ctx.h1.pk) not in option_values(listing)


def test_a_chosen_village_renders_selected_with_its_commune(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    body = client.get(ctx.url, {"unit": units.tho_xuan.pk, "village": units.t2.pk}).content.decode()
    assert selected_values(select_html(body, "unit", "id_unit")) == ids(units.tho_xuan)
    village = select_html(body, "village", "id_village")
    assert option_values(village) == ids(units.t1, units.t2) and selected_values(village) == ids(units.t2)
    listing = select_html(body, "unit", "list_unit")
    assert selected_values(listing) == ids(units.t2) and set(ids(units.tho_xuan, units.t1)) <= set(
        option_values(listing)
    )
    # A link naming only the village offers its commune's villages, that one selected, and filters by it.
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=units.tho_xuan)
    response = client.get(ctx.url, {"village": units.t1.pk})
    village = select_html(response.content.decode(), "village", "id_village")
    assert option_values(village) == ids(units.t1, units.t2) and selected_values(village) == ids(units.t1)
    assert [c.household.code for c in response.context["table"].data] == [ctx.poor.code]
    # The form's select sends a village it was switched to as `unit` (htmx): it stays chosen among its commune's.
    listing = select_html(client.get(ctx.url, {"unit": units.t2.pk}).content.decode(), "unit", "list_unit")
    assert set(ids(units.t1, units.t2)) <= set(option_values(listing)) and selected_values(listing) == ids(units.t2)


def test_a_village_outside_the_area_is_refused(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    for data in ({"village": units.b1.pk}, {"unit": units.tho_xuan.pk, "village": ctx.h1.pk}):
        response = client.get(ctx.url, data)
        body = response.content.decode()
        assert response.status_code == 200 and "Hãy chọn một lựa chọn hợp lệ" in body
        assert list(response.context["table"].data) == []  # an invalid filter lists nothing
        assert str(units.b1.pk) not in option_values(select_html(body, "unit", "list_unit"))
    # The form: a village of another province is refused with the field's message, nothing is listed.
    post = reverse("reviews:cases_list_current", args=[ctx.campaign.pk])
    response = client.post(post, {"unit": units.b1.pk}, follow=True)
    assert any("Hãy chọn một lựa chọn hợp lệ" in str(m) for m in response.context["messages"])
    assert not ReviewCase.objects.filter(campaign=ctx.campaign).exists()
    # A village of the area is taken even when the page did not offer it (the form checks the whole area).
    response = client.post(post, {"unit": units.t2.pk}, follow=True)
    assert any("Đã thêm 1 hộ" in str(m) for m in response.context["messages"])


def test_a_commune_reader_and_a_village_head_see_what_they_saw(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.commune_officer)
    body = client.get(ctx.url).content.decode()
    assert option_values(select_html(body, "unit", "id_unit")) == ids(units.tho_xuan)
    assert option_values(select_html(body, "village", "id_village")) == ids(units.t1, units.t2)
    listing = select_html(body, "unit", "list_unit")
    offered = selectors.units_taking_cases(user=ctx.users.commune_officer, campaign=ctx.campaign)
    assert option_values(listing) == ids(*offered) == ids(units.tho_xuan, units.t1, units.t2)
    assert "hx-get" not in listing and HINT_FORM not in body and HINT_FILTER not in body
    # Choosing their commune or a village changes nothing in the form (no preselection, same options).
    listing = select_html(client.get(ctx.url, {"village": units.t2.pk}).content.decode(), "unit", "list_unit")
    assert option_values(listing) == ids(units.tho_xuan, units.t1, units.t2) and selected_values(listing) == []
    client.force_login(ctx.users.village_head)
    body = client.get(ctx.url).content.decode()
    assert option_values(select_html(body, "unit", "id_unit")) == []
    assert option_values(select_html(body, "village", "id_village")) == ids(units.t1)
    assert option_values(select_html(body, "unit", "list_unit")) == ids(units.t1)


def test_anonymous_wrong_role_and_other_province_are_refused_as_before(ctx, client):
    response = client.get(ctx.url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(ctx.users.helping_agency_member)
    assert client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}).status_code == 403
    client.force_login(ctx.users.province_officer_dl)
    assert client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}).status_code == 404


def test_the_hints_in_english(ctx, client):
    client.force_login(ctx.users.province_officer)
    client.cookies["django_language"] = "en"
    body = client.get(ctx.url).content.decode()
    assert "List empty: choose a commune/ward and press Filter to see its villages." in body
    assert "To pick a village, choose its commune/ward first" in body
    assert HINT_FORM not in body and HINT_FILTER not in body


def test_units_offered_holds_villages_back_only_in_a_large_area(ctx, django_assert_num_queries):
    units, user = ctx.units, ctx.users.province_officer
    taking = selectors.units_taking_cases(user=user, campaign=ctx.campaign)
    with django_assert_num_queries(1):  # whether the villages are too many
        offered = selectors.units_offered(taking)
    assert offered.villages_held_back and offered.chosen is None
    assert set(offered.units) == {units.tho_xuan, units.hac_thanh}
    offered = selectors.units_offered(taking, chosen_id=ctx.h1.pk)
    assert list(offered.units) == [units.hac_thanh, ctx.h1, units.tho_xuan] and offered.chosen == ctx.h1.pk
    # An id outside the units chooses nothing.
    offered = selectors.units_offered(taking, chosen_id=units.b1.pk)
    assert set(offered.units) == {units.tho_xuan, units.hac_thanh} and offered.chosen is None
    commune = selectors.units_taking_cases(user=ctx.users.commune_officer, campaign=ctx.campaign)
    offered = selectors.units_offered(commune, chosen_id=units.t1.pk)
    assert not offered.villages_held_back and offered.chosen is None
    assert list(offered.units) == [units.tho_xuan, units.t1, units.t2]


# -- the listing form's select, swapped in alone (`core.htmx.swapped_block`) ---------------------------------


def test_the_select_fetched_for_a_commune_comes_alone(ctx, client):
    units = ctx.units
    cases_list_current(actor=ctx.users.commune_officer, campaign=ctx.campaign, unit=units.tho_xuan)
    client.force_login(ctx.users.province_officer)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(ctx.url, {"unit": units.tho_xuan.pk}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ctx.url, {"unit": units.tho_xuan.pk}, headers=SWAP)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]
    # The page's own select, byte for byte: the communes, the chosen one's villages after it, it chosen, and
    # its htmx attributes (it swaps itself in again for the next commune).
    assert body.strip() == select_html(page, "unit", "list_unit")
    assert option_values(body) == ids(units.hac_thanh, units.tho_xuan, units.t1, units.t2)
    assert selected_values(body) == ids(units.tho_xuan) and 'hx-select="#list_unit"' in body
    # Nothing else of the page: no filter, no table and its rows, no layout; no count or rows query.
    assert ctx.poor.code in page and ctx.poor.code not in body
    assert 'id="id_unit"' not in body and "<table" not in body and "<html" not in body and HINT_FORM not in body
    assert len(response.content) * 5 < len(page)
    assert len(queries) <= len(page_queries) - 5
    assert not any("reviews_reviewcase" in q["sql"] for q in queries.captured_queries)


def test_the_select_fetched_for_a_village_keeps_it_chosen_among_its_communes(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    body = client.get(ctx.url, {"unit": ctx.h1.pk}, headers=SWAP).content.decode()
    assert option_values(body) == ids(units.hac_thanh, ctx.h1, units.tho_xuan) and selected_values(body) == ids(ctx.h1)


def test_the_select_fetched_stays_in_the_area(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    communes = sorted(ids(units.tho_xuan, units.hac_thanh))
    for junk in (units.b1.pk, units.mdrak.pk, "abc", ""):  # another province's village and commune: not offered
        body = client.get(ctx.url, {"unit": junk}, headers=SWAP).content.decode()
        assert sorted(option_values(body)) == communes and selected_values(body) == [], junk
        assert body.strip() == select_html(client.get(ctx.url, {"unit": junk}).content.decode(), "unit", "list_unit")
    # A commune officer's and a village head's select: what their page offers (nothing held back, no htmx).
    client.force_login(ctx.users.commune_officer)
    body = client.get(ctx.url, {"unit": units.hac_thanh.pk}, headers=SWAP).content.decode()
    assert option_values(body) == ids(units.tho_xuan, units.t1, units.t2) and "hx-get" not in body
    client.force_login(ctx.users.village_head)
    assert option_values(client.get(ctx.url, {"unit": units.t2.pk}, headers=SWAP).content.decode()) == ids(units.t1)


def test_the_select_fetched_is_refused_as_the_page_is(ctx, client):
    response = client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}, headers=SWAP)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(ctx.users.helping_agency_member)
    assert client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}, headers=SWAP).status_code == 403
    client.force_login(ctx.users.province_officer_dl)  # the campaign is out of their area
    assert client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}, headers=SWAP).status_code == 404
    # A reader who may not list households has no such form on the page: nothing comes back.
    client.force_login(ctx.users.supervisor)
    page = client.get(ctx.url)
    response = client.get(ctx.url, {"unit": ctx.units.tho_xuan.pk}, headers=SWAP)
    assert page.status_code == 200 and 'id="list_unit"' not in page.content.decode()
    assert response.status_code == 200 and response.content.strip() == b""


def test_without_the_swap_the_page_is_the_page(ctx, client):
    client.force_login(ctx.users.province_officer)
    data = {"unit": ctx.units.tho_xuan.pk}
    page = client.get(ctx.url, data)
    assert "table" in page.context and 'id="id_unit"' in page.content.decode()
    for headers in ({"HX-Request": "true"}, {"HX-Target": "list_unit"}, swap("id_unit")):  # not this block's swap
        response = client.get(ctx.url, data, headers=headers)
        assert without_tokens(response.content.decode()) == without_tokens(page.content.decode()), headers
    # The form's POST is untouched by the headers.
    post = reverse("reviews:cases_list_current", args=[ctx.campaign.pk])
    response = client.post(post, {"unit": ctx.units.t2.pk}, headers=SWAP)
    assert response.status_code == 302 and response["Location"] == ctx.url
