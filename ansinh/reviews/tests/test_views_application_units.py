"""The application form's (Mẫu 01) village select: a large area's villages are offered one commune at a time.

The same rule as the case list (`test_views_cases_units.py`, `geo.selectors.villages_to_offer`): every
village while the area holds at most `VILLAGES_AT_ONCE_MAX`, else only those of the commune chosen.
The test tree is small, so the limit is lowered to 2: the province officer's campaign area then holds
too many villages (Thọ Xuân's T1 and T2, and Hạc Thành's H1 added here), a commune officer's (T1, T2)
does not.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.geo import selectors as geo_selectors
from ansinh.registry.models import Household
from ansinh.reviews import selectors
from ansinh.reviews.models import ReviewCase
from ansinh.reviews.services import campaign_close
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

HINT = "Hãy chọn xã/phường ở trên: danh sách có các thôn, tổ dân phố của xã đó."
BUTTON = 'name="show_villages"'
OUT_OF_AREA = "Hãy chọn một thôn/tổ dân phố của đợt rà soát trong địa bàn của bạn."
BLOCK = "#application-village"
SWAP = swap("application-village")  # what the commune select sends when it fetches the page for its villages
BLOCK_RE = re.compile(r'<div id="application-village">.*?</select></div>\s*</div>', re.S)


@pytest.fixture
def ctx(units, users, monkeypatch):
    ctx = cases_context(units, users)
    ctx.h1 = hold_villages_back(units, monkeypatch)
    ctx.url = reverse("reviews:application_create", args=[ctx.campaign.pk])
    return ctx


def _new_household(ctx, **extra) -> dict:
    return {
        "commune": ctx.units.tho_xuan.pk, "household_code": "M01", "new_household": "on", "village": "",
        "head_name": "Hoàng Văn Em", "head_sex": "male", "head_birth_year": "1980", "channel": "online",
        "received_on": "2025-09-20", **extra,
    }  # fmt: skip


def test_a_province_reader_is_offered_no_village_until_a_commune_is_chosen(ctx, client, django_assert_max_num_queries):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    with django_assert_max_num_queries(20):
        body = client.get(ctx.url).content.decode()
    commune = select_html(body, "commune")
    assert (
        sorted(option_values(commune)) == sorted(ids(units.tho_xuan, units.hac_thanh))
        and selected_values(commune) == []
    )
    assert option_values(select_html(body, "village")) == []
    assert HINT in body and BUTTON in body and "<noscript>" in body
    # Without scripts, Enter presses the form's first submit button: an unseen one that records, not "show villages".
    default = '<noscript><button type="submit" hidden tabindex="-1" aria-hidden="true"></button></noscript>'
    assert body.index(default) < body.index(BUTTON)
    # Choosing a commune fetches the page for it and swaps in the village field (htmx).
    assert f'hx-get="{ctx.url}"' in commune and f'hx-target="{BLOCK}"' in commune
    assert f'hx-select="{BLOCK}"' in commune and 'id="application-village"' in body


def test_choosing_a_commune_offers_its_villages(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    body = client.get(ctx.url, {"commune": units.tho_xuan.pk}).content.decode()
    assert selected_values(select_html(body, "commune")) == ids(units.tho_xuan)
    assert option_values(select_html(body, "village")) == ids(units.t1, units.t2)  # not Hạc Thành's H1
    assert HINT in body and BUTTON in body  # another commune may still be chosen
    assert "Thôn 1, Xã Thọ Xuân</option>" in select_html(body, "village")  # named with its commune
    body = client.get(ctx.url, {"commune": units.hac_thanh.pk}).content.decode()
    assert option_values(select_html(body, "village")) == ids(ctx.h1)
    # The block htmx swaps in: the village field and its hint, not the <noscript> button (inserted by a
    # swap, it would be the form's first submit button, the one Enter presses).
    block = re.search(r'<div id="application-village">\s*<div class="field">(.*?)</div>\s*</div>', body, re.S)
    assert '<select name="village"' in block.group(1) and HINT in block.group(1) and BUTTON not in block.group(0)
    assert body.index(BUTTON) > block.end()


def test_without_scripts_the_button_posts_the_form_back_with_the_communes_villages(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    response = client.post(ctx.url, {**_new_household(ctx), "show_villages": "1"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain == []
    assert option_values(select_html(body, "village")) == ids(units.t1, units.t2)
    assert selected_values(select_html(body, "commune")) == ids(units.tho_xuan)
    # What was typed stays, nothing is checked or recorded, and the page says so.
    assert 'value="M01"' in body and 'value="Hoàng Văn Em"' in body
    assert re.search(r'<input type="checkbox" name="new_household"[^>]* checked', body)
    assert "has-error" not in body and "Chưa ghi nhận giấy đề nghị" in body
    assert not Household.objects.filter(code="M01").exists() and not ReviewCase.objects.exists()


def test_a_posted_form_with_errors_offers_the_posted_communes_villages(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    body = client.post(ctx.url, _new_household(ctx, village=units.t2.pk, head_name="")).content.decode()
    assert "Cần cho hộ mới." in body
    village = select_html(body, "village")
    assert option_values(village) == ids(units.t1, units.t2) and selected_values(village) == ids(units.t2)


def test_a_unit_outside_the_area_is_refused_on_the_form(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    # A link naming another province's commune offers nothing and chooses nothing.
    body = client.get(ctx.url, {"commune": units.mdrak.pk}).content.decode()
    assert option_values(select_html(body, "village")) == [] and selected_values(select_html(body, "commune")) == []
    # Posted: another province's village, then its commune, each refused with the field's message.
    body = client.post(ctx.url, _new_household(ctx, village=units.b1.pk)).content.decode()
    assert OUT_OF_AREA in body
    body = client.post(ctx.url, _new_household(ctx, commune=units.mdrak.pk)).content.decode()
    assert "Hãy chọn một xã/phường của đợt rà soát trong địa bàn của bạn." in body
    assert option_values(select_html(body, "village")) == []
    assert not Household.objects.filter(code="M01").exists() and not ReviewCase.objects.exists()


def test_a_village_of_the_area_is_taken_even_when_the_page_did_not_offer_it(ctx, client, monkeypatch):
    # The province officer's village passes the form; the registry then refuses them the registration.
    client.force_login(ctx.users.province_officer)
    body = client.post(ctx.url, _new_household(ctx, village=ctx.h1.pk, commune=ctx.units.hac_thanh.pk)).content
    assert OUT_OF_AREA not in body.decode() and "Bạn không được quản lý hộ gia đình trên địa bàn này." in body.decode()
    # With a limit of 1, the commune officer's two villages are held back too: none offered, T2 taken.
    monkeypatch.setattr(geo_selectors, "VILLAGES_AT_ONCE_MAX", 1)
    client.force_login(ctx.users.commune_officer)
    assert option_values(select_html(client.get(ctx.url).content.decode(), "village")) == []
    response = client.post(ctx.url, _new_household(ctx, village=ctx.units.t2.pk))
    assert response.status_code == 302
    household = Household.objects.get(code="M01")
    assert household.village == ctx.units.t2 and ReviewCase.objects.get(household=household).origin == "applied"


def test_a_commune_reader_sees_what_they_saw(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.commune_officer)
    for data in ({}, {"commune": units.tho_xuan.pk}, {"commune": units.hac_thanh.pk}):
        body = client.get(ctx.url, data).content.decode()
        commune = select_html(body, "commune")
        assert option_values(commune) == ids(units.tho_xuan)
        assert option_values(select_html(body, "village")) == ids(units.t1, units.t2)
        assert "hx-get" not in commune and HINT not in body and BUTTON not in body


def test_the_hint_and_button_in_english(ctx, client):
    client.force_login(ctx.users.province_officer)
    client.cookies["django_language"] = "en"
    body = client.get(ctx.url).content.decode()
    assert "Choose the commune/ward above: the list then holds its villages/residential groups." in body
    assert "Show the villages/residential groups of the chosen commune/ward" in body
    assert HINT not in body
    body = client.post(ctx.url, _new_household(ctx, village=ctx.units.b1.pk)).content.decode()
    assert "Choose a village/residential group of the campaign within your area." in body


def test_villages_offered_holds_villages_back_only_in_a_large_area(ctx, django_assert_num_queries):
    units = ctx.units
    villages = selectors.case_units(user=ctx.users.province_officer, campaign=ctx.campaign).filter(level="village")
    with django_assert_num_queries(1):  # whether the villages are too many
        offered = selectors.villages_offered(villages)
    assert offered.villages_held_back and list(offered.units) == []
    offered = selectors.villages_offered(villages, commune_id=units.hac_thanh.pk)
    assert offered.villages_held_back and list(offered.units) == [ctx.h1]
    assert list(selectors.villages_offered(villages, commune_id=units.mdrak.pk).units) == []
    commune = selectors.case_units(user=ctx.users.commune_officer, campaign=ctx.campaign).filter(level="village")
    offered = selectors.villages_offered(commune, commune_id=units.hac_thanh.pk)
    assert not offered.villages_held_back and list(offered.units) == [units.t1, units.t2]


# -- the village block, swapped in alone (`core.htmx.swapped_block`) ---------------------------------------


def test_the_village_block_fetched_for_a_commune_comes_alone(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(ctx.url, {"commune": units.tho_xuan.pk}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ctx.url, {"commune": units.tho_xuan.pk}, headers=SWAP)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Target" in response["Vary"]
    # The page's block byte for byte: the village field with the commune's villages and the hint.
    assert body == BLOCK_RE.search(page).group(0) and BLOCK_RE.fullmatch(body)
    assert option_values(select_html(body, "village")) == ids(units.t1, units.t2) and HINT in body
    # Nothing else: not the commune select or the other fields, not the <noscript> button, not the layout.
    assert 'name="commune"' not in body and 'name="household_code"' not in body and BUTTON not in body
    assert "<noscript>" not in body and "<html" not in body and "csrfmiddlewaretoken" not in body
    assert len(response.content) * 5 < len(page) and len(queries) < len(page_queries)
    body = client.get(ctx.url, {"commune": units.hac_thanh.pk}, headers=SWAP).content.decode()
    assert option_values(select_html(body, "village")) == ids(ctx.h1)


def test_the_village_block_fetched_stays_in_the_area(ctx, client):
    units = ctx.units
    client.force_login(ctx.users.province_officer)
    for junk in (units.mdrak.pk, units.b1.pk, units.th.pk, "abc", ""):  # another province's commune, not a commune
        response = client.get(ctx.url, {"commune": junk}, headers=SWAP)
        assert response.status_code == 200 and option_values(select_html(response.content.decode(), "village")) == []
    # A commune officer: their villages whatever the commune, as their page.
    client.force_login(ctx.users.commune_officer)
    body = client.get(ctx.url, {"commune": units.hac_thanh.pk}, headers=SWAP).content.decode()
    assert option_values(select_html(body, "village")) == ids(units.t1, units.t2) and HINT not in body


def test_the_village_block_fetched_is_refused_as_the_page_is(ctx, client):
    data = {"commune": ctx.units.tho_xuan.pk}
    response = client.get(ctx.url, data, headers=SWAP)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    for user, status in ((ctx.users.supervisor, 403), (ctx.users.province_officer_dl, 404)):
        client.force_login(user)  # may not record; the campaign out of the area
        assert client.get(ctx.url, data).status_code == status
        assert client.get(ctx.url, data, headers=SWAP).status_code == status
    # A campaign that takes no more households sends the fetch where it sends the page, with the same message.
    client.force_login(ctx.users.province_officer)
    campaign_close(actor=ctx.users.province_officer, campaign=ctx.campaign)
    page, response = client.get(ctx.url, data), client.get(ctx.url, data, headers=SWAP)
    assert response.status_code == page.status_code == 302 and response["Location"] == page["Location"]


def test_without_the_swap_the_application_page_is_the_page(ctx, client):
    client.force_login(ctx.users.province_officer)
    data = {"commune": ctx.units.tho_xuan.pk}
    page = without_tokens(client.get(ctx.url, data).content.decode())
    assert 'name="household_code"' in page and BUTTON in page
    for headers in ({"HX-Request": "true"}, {"HX-Target": "application-village"}, swap("id_commune")):
        assert without_tokens(client.get(ctx.url, data, headers=headers).content.decode()) == page, headers
    # The <noscript> button's POST gets the whole form back, whatever headers came with it.
    body = client.post(ctx.url, {**_new_household(ctx), "show_villages": "1"}, headers=SWAP).content.decode()
    assert 'name="household_code"' in body and "Chưa ghi nhận giấy đề nghị" in body
