"""The campaign form's province step for officers whose area covers several provinces.

A national officer was offered every unit of the country, twice (about 14,000 options each in the
lead unit and the covered units, 2.7 MB); they now choose the province first. Officers of one
province keep the form as it was.
"""

import re
from types import SimpleNamespace

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from ansinh.poverty.models import PovertyStandard
from ansinh.reviews import selectors
from ansinh.reviews.forms import CampaignForm, unit_label
from ansinh.reviews.models import Campaign, CampaignKind
from ansinh.reviews.tests.factories import load_reference_data
from ansinh.reviews.tests.unit_options import option_values, select_html, selected_values, swap, without_tokens

URL = "reviews:campaign_create"
SWAP = swap("campaign-unit")  # what the province select sends when it fetches the page for the province's units


def _block(body: str, name: str) -> str:
    """The block of the unit field `name` ("unit" or "units") the province step swaps."""
    return re.search(rf'<div id="campaign-{name}">.*?</select></div>\s*</div>', body, re.S).group(0)


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users, national=users.system_admin)


def _options(response, name: str) -> list[int]:
    return [int(v.value) for v, _label in response.context["form"].fields[name].choices if v != ""]


def _post(ctx, **extra):
    data = {"kind": CampaignKind.objects.get(code="periodic").pk, "year": "2025", "plan_number": "1798/KH-UBND",
            "plan_date": "2025-08-12", "unit": ctx.units.th.pk, "units": [ctx.units.tho_xuan.pk]}  # fmt: skip
    data.update(extra)
    return data


def test_provinces_are_asked_only_of_an_area_of_several(ctx):
    units = ctx.units
    assert list(selectors.provinces_for_campaigns(user=ctx.national)) == [units.dl, units.th, units.th_old]
    for user in (ctx.users.province_officer, ctx.users.commune_officer, ctx.users.auditor):
        assert list(selectors.provinces_for_campaigns(user=user)) == [], user  # one province, or no right
    assert set(selectors.units_for_campaigns(user=ctx.national, province=units.th)) == {
        units.th, units.tho_xuan, units.hac_thanh}  # fmt: skip
    assert set(selectors.units_for_campaigns(user=ctx.national, province=units.th_old)) == {
        units.th_old, units.tho_xuan_district, units.xuan_hong}  # fmt: skip
    # Another province than the officer's gives nothing.
    assert list(selectors.units_for_campaigns(user=ctx.users.province_officer, province=units.dl)) == []


def test_a_national_officer_chooses_the_province_first(ctx, client):
    client.force_login(ctx.national)
    response = client.get(reverse(URL))
    page = response.content.decode()
    assert response.status_code == 200
    assert _options(response, "unit") == [] and _options(response, "units") == []
    assert '<form method="get" class="form" id="campaign-province">' in page
    assert f'<option value="{ctx.units.th_old.pk}">Tỉnh Thanh Hóa (cũ)</option>' in page
    assert "Hãy chọn tỉnh/thành phố ở trên" in page
    assert 'hx-get="/reviews/campaigns/new/"' in page and 'hx-select="#campaign-unit"' in page
    assert "<noscript>" in page  # without scripts a button reloads the page for the province
    response = client.get(reverse(URL), {"province": ctx.units.th.pk})
    assert set(_options(response, "unit")) == {ctx.units.th.pk, ctx.units.tho_xuan.pk, ctx.units.hac_thanh.pk}
    assert _options(response, "units") == _options(response, "unit")
    page = response.content.decode()
    assert f'<input type="hidden" name="province" value="{ctx.units.th.pk}">' in page
    assert f'<option value="{ctx.units.th.pk}" selected>Tỉnh Thanh Hóa</option>' in page
    assert "Hãy chọn tỉnh/thành phố ở trên" not in page
    response = client.get(reverse(URL), {"province": ctx.units.th_old.pk})
    assert set(_options(response, "unit")) == {
        ctx.units.th_old.pk, ctx.units.tho_xuan_district.pk, ctx.units.xuan_hong.pk}  # fmt: skip


def test_a_province_that_is_not_one_of_the_area_is_refused_on_the_step(ctx, client):
    client.force_login(ctx.national)
    for bad in (ctx.units.tho_xuan.pk, "999999", "abc"):
        response = client.get(reverse(URL), {"province": bad})
        assert response.status_code == 200
        assert response.context["province_form"].errors["province"], bad
        assert _options(response, "unit") == []


def test_a_national_officer_creates_a_campaign_of_the_chosen_province(ctx, client):
    client.force_login(ctx.national)
    response = client.post(reverse(URL), _post(ctx, province=ctx.units.th.pk))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.unit == ctx.units.th
    assert [cu.unit for cu in campaign.covered.all()] == [ctx.units.tho_xuan]


def test_a_form_sent_without_the_province_takes_that_of_its_unit(ctx, client):
    client.force_login(ctx.national)
    response = client.post(reverse(URL), _post(ctx, plan_number=""))  # refused: the page comes back
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert response.context["province"] == ctx.units.th
    assert set(_options(response, "unit")) == {ctx.units.th.pk, ctx.units.tho_xuan.pk, ctx.units.hac_thanh.pk}
    page = response.content.decode()
    assert f'<option value="{ctx.units.th.pk}" selected>Tỉnh Thanh Hóa</option>' in page
    assert client.post(reverse(URL), _post(ctx)).status_code == 302
    assert Campaign.objects.get().unit == ctx.units.th


def test_a_unit_of_another_province_than_the_chosen_one_is_refused(ctx, client):
    client.force_login(ctx.national)
    response = client.post(reverse(URL), _post(ctx, province=ctx.units.dl.pk))
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert "unit" in response.context["form"].errors and "units" in response.context["form"].errors


def test_a_province_officers_form_is_unchanged(ctx, client):
    client.force_login(ctx.users.province_officer)
    response = client.get(reverse(URL), {"province": ctx.units.dl.pk})  # no step: the parameter is ignored
    page = response.content.decode()
    assert response.context["province_form"] is None and 'id="campaign-province"' not in page
    assert 'name="province"' not in page
    units = ctx.units
    expected = {units.th.pk, units.tho_xuan.pk, units.hac_thanh.pk, units.th_old.pk, units.tho_xuan_district.pk,
                units.xuan_hong.pk}  # fmt: skip
    assert set(_options(response, "unit")) == expected == set(_options(response, "units"))
    assert client.post(reverse(URL), _post(ctx)).status_code == 302


def test_the_wrong_role_and_anonymous_get_no_form(ctx, client):
    client.force_login(ctx.users.auditor)  # national, but read only
    assert client.get(reverse(URL), {"province": ctx.units.th.pk}).status_code == 403
    assert client.post(reverse(URL), _post(ctx, province=ctx.units.th.pk)).status_code == 403
    client.logout()
    assert client.get(reverse(URL)).status_code == 302
    assert not Campaign.objects.exists()


def test_unit_fields_write_what_djangos_widgets_and_labels_write(ctx):
    units = selectors.units_for_campaigns(user=ctx.users.province_officer)
    chosen = {"unit": ctx.units.th.pk, "units": [ctx.units.tho_xuan.pk, ctx.units.xuan_hong.pk]}

    def form(data):
        return CampaignForm(data, kinds=selectors.kinds_all(), units=units, standards=PovertyStandard.objects.all())

    for language in ("vi", "en"):
        with translation.override(language):
            for data in (None, chosen):
                ours, stock = form(data), form(data)
                for name, widget in (("unit", forms.Select()), ("units", forms.SelectMultiple(attrs={"size": 10}))):
                    widget.choices = stock.fields[name].choices
                    stock.fields[name].widget = widget
                    assert str(ours[name]) == str(stock[name]), (language, data, name)
            for unit in units:
                assert unit_label(unit) == f"{unit.name} ({unit.get_level_display()}, {unit.get_structure_display()})"


# -- the two unit blocks, swapped in alone (`core.htmx.swapped_block`) --------------------------------------


def test_the_units_fetched_for_a_province_come_alone(ctx, client):
    units = ctx.units
    client.force_login(ctx.national)
    page = client.get(reverse(URL), {"province": units.th.pk}).content.decode()
    response = client.get(reverse(URL), {"province": units.th.pk}, headers=SWAP)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Target" in response["Vary"]
    # Both blocks of the page byte for byte: #campaign-unit (swapped in place, with the province for the
    # POST) and #campaign-units (swapped out of band, `hx-select-oob`); nothing else of the form.
    assert body.strip() == f"{_block(page, 'unit')}\n{_block(page, 'units')}"
    assert f'<input type="hidden" name="province" value="{units.th.pk}">' in body
    expected = sorted(str(u.pk) for u in (units.th, units.tho_xuan, units.hac_thanh))
    assert sorted(option_values(select_html(body, "unit"))) == expected
    assert sorted(option_values(select_html(body, "units"))) == expected
    for absent in ('id="campaign-province"', 'name="kind"', 'name="plan_number"', 'name="standard"', "<html",
                   "csrfmiddlewaretoken"):  # fmt: skip
        assert absent not in body, absent
    assert len(response.content) * 2 < len(page)
    body = client.get(reverse(URL), {"province": units.th_old.pk}, headers=SWAP).content.decode()
    assert sorted(option_values(select_html(body, "unit"))) == sorted(
        str(u.pk) for u in (units.th_old, units.tho_xuan_district, units.xuan_hong)
    )


def test_the_units_fetched_stay_in_the_area(ctx, client):
    client.force_login(ctx.national)
    for bad in (ctx.units.tho_xuan.pk, "999999", "abc", ""):  # not a province of the area: no unit
        body = client.get(reverse(URL), {"province": bad}, headers=SWAP).content.decode()
        assert option_values(select_html(body, "unit")) == option_values(select_html(body, "units")) == [], bad
        assert "Hãy chọn tỉnh/thành phố ở trên" in body
    # An officer of one province has no province step: their own units, whatever the province named.
    client.force_login(ctx.users.province_officer)
    body = client.get(reverse(URL), {"province": ctx.units.dl.pk}, headers=SWAP).content.decode()
    units = ctx.units
    mine = {units.th, units.tho_xuan, units.hac_thanh, units.th_old, units.tho_xuan_district, units.xuan_hong}
    assert sorted(option_values(select_html(body, "unit"))) == sorted(str(u.pk) for u in mine)
    assert sorted(option_values(select_html(body, "units"))) == sorted(str(u.pk) for u in mine)
    assert 'name="province"' not in body and selected_values(body) == []


def test_the_units_fetched_are_refused_as_the_page_is(ctx, client):
    data = {"province": ctx.units.th.pk}
    response = client.get(reverse(URL), data, headers=SWAP)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(ctx.users.auditor)  # national, but read only
    assert client.get(reverse(URL), data, headers=SWAP).status_code == 403


def test_without_the_swap_the_campaign_page_is_the_page(ctx, client):
    client.force_login(ctx.national)
    data = {"province": ctx.units.th.pk}
    page = without_tokens(client.get(reverse(URL), data).content.decode())
    assert 'id="campaign-province"' in page and 'name="plan_number"' in page
    for headers in ({"HX-Request": "true"}, {"HX-Target": "campaign-unit"}, swap("campaign-units")):
        assert without_tokens(client.get(reverse(URL), data, headers=headers).content.decode()) == page, headers
    assert client.post(reverse(URL), _post(ctx, province=ctx.units.th.pk), headers=SWAP).status_code == 302
    assert Campaign.objects.get().unit == ctx.units.th
