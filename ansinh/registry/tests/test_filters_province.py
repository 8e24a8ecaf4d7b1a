"""The province step of the household list (web and API) for areas of several provinces.

A national reader's commune filter offered all 13,393 communes of the country; it now offers a
province filter and the chosen province's communes. An area of one province keeps all its communes.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from ansinh.geo.selectors import area_spans_provinces, province_path
from ansinh.registry import selectors
from ansinh.registry.exporting import export_filters, export_queryset
from ansinh.registry.filters import HouseholdFilterSet

from .factories import make_household

VIEW = selectors.VIEW_PERM
API = "/api/v1/households/"


@pytest.fixture
def homes(units):
    """One household in each of today's two provinces and one recorded under the legacy commune."""
    return {
        "TX": make_household(units.tho_xuan, code="TX"),
        "OLD": make_household(units.xuan_hong, code="OLD"),
        "DL": make_household(units.mdrak, code="DL"),
    }


@pytest.fixture
def two_province_officer(units, roles):
    """A province officer of both Thanh Hóa and Đắk Lắk (two assignments): an area of two provinces."""
    from ansinh.accounts.services import role_assignment_create
    from conftest import make_user

    user = make_user("two_provinces", role="province_officer", unit=units.th, roles=roles)
    role_assignment_create(actor=None, user=user, role=roles["province_officer"], unit=units.dl,
                           valid_from=user.role_assignments.get().valid_from)  # fmt: skip
    user.clear_scope_cache()
    return user


def _codes(queryset) -> list[str]:
    return sorted(h.code for h in queryset)


def _form(user, **data):
    request = RequestFactory().get("/", data)
    request.user = user
    return HouseholdFilterSet(request.GET or None, request=request, queryset=selectors.households_visible_to(user=user))


# -- selectors ----------------------------------------------------------------------------------


def test_province_path_is_the_first_two_parts_of_a_path():
    assert province_path("/2025/38/16000/T1/") == "/2025/38/"
    assert province_path("/legacy/38/393/15850/") == "/legacy/38/"
    assert province_path("/2025/38/") == "/2025/38/"
    assert province_path("") == ""


def test_only_an_area_of_several_provinces_gets_the_province_filter(users, units, two_province_officer):
    # Today's provinces first, then the legacy ones; a legacy province counts as the one it merged into.
    assert list(selectors.provinces_for_filter(user=users.auditor)) == [units.dl, units.th, units.th_old]
    assert list(selectors.provinces_for_filter(user=two_province_officer)) == [units.dl, units.th, units.th_old]
    for user in (users.province_officer, users.commune_officer, users.district_officer, users.no_role):
        assert not area_spans_provinces(user=user, perm=VIEW), user
        assert list(selectors.provinces_for_filter(user=user)) == [], user


def test_a_province_of_the_area_offers_its_communes_in_its_own_structure(users, units):
    national = users.auditor
    assert list(selectors.communes_for_filter(user=national, province_id=units.th.pk)) == [
        units.hac_thanh, units.tho_xuan]  # fmt: skip
    assert list(selectors.communes_for_filter(user=national, province_id=units.th_old.pk)) == [units.xuan_hong]
    assert list(selectors.communes_for_filter(user=national, province_id=units.dl.pk)) == [units.mdrak]
    # A province outside the area, or an id that is not a province, offers nothing.
    assert list(selectors.communes_for_filter(user=users.province_officer, province_id=units.dl.pk)) == []
    assert list(selectors.communes_for_filter(user=national, province_id=units.tho_xuan.pk)) == []
    assert list(selectors.communes_for_filter(user=users.no_role, province_id=units.th.pk)) == []


def test_above_the_threshold_a_wide_area_offers_communes_only_once_a_province_is_named(users, units, monkeypatch):
    national = users.auditor
    assert len(selectors.communes_for_filter(user=national)) == 4  # under the threshold: all of them
    monkeypatch.setattr(selectors, "COMMUNE_FILTER_MAX", 3)
    assert list(selectors.communes_for_filter(user=national)) == []  # pick a province first
    # A link naming only a commune validates: the communes of its province are offered.
    assert list(selectors.communes_for_filter(user=national, commune_id=units.tho_xuan.pk)) == [
        units.hac_thanh, units.tho_xuan]  # fmt: skip
    assert list(selectors.communes_for_filter(user=national, commune_id=units.xuan_hong.pk)) == [units.xuan_hong]
    assert list(selectors.communes_for_filter(user=national, commune_id=units.th.pk)) == []  # not a commune
    # An area of one province keeps all its communes, whatever their number.
    monkeypatch.setattr(selectors, "COMMUNE_FILTER_MAX", 0)
    assert set(selectors.communes_for_filter(user=users.province_officer)) == {
        units.tho_xuan, units.hac_thanh, units.xuan_hong}  # fmt: skip


def test_the_province_filter_narrows_households_within_the_readers_area(users, units, homes):
    def found(user, province):
        return _codes(selectors.household_list_visible_to(user=user, filters={"province": province}))

    national = users.auditor
    # Today's Thanh Hóa also finds the household recorded under its legacy commune.
    assert found(national, units.th.pk) == ["OLD", "TX"]
    assert found(national, units.th) == ["OLD", "TX"]
    assert found(national, units.th_old.pk) == ["OLD"]
    assert found(national, units.dl.pk) == ["DL"]
    assert found(national, None) == ["DL", "OLD", "TX"]
    # Another province than the reader's gives nothing; so do a commune's id and a malformed one.
    assert found(users.province_officer, units.dl.pk) == []
    assert found(users.province_officer, units.th.pk) == ["OLD", "TX"]
    assert found(national, units.tho_xuan.pk) == []
    assert found(national, "x") == []


# -- the filter form ----------------------------------------------------------------------------


def test_a_national_reader_gets_the_province_filter_with_legacy_provinces_marked(users, units):
    form = _form(users.auditor).form
    labels = [str(label) for _value, label in form.fields["province"].choices]
    assert labels == ["Tất cả", "Tỉnh Đắk Lắk", "Tỉnh Thanh Hóa", "Tỉnh Thanh Hóa (cũ)"]
    assert list(form.fields).index("province") == list(form.fields).index("commune") - 1
    with translation.override("en"):
        labels = [str(label) for _value, label in _form(users.auditor).form.fields["province"].choices]
    assert labels[-1] == "Tỉnh Thanh Hóa (former)"
    # The widget writes the options from rows (decision 0029), as Django's own template would.
    html = str(form["province"])
    assert f'<option value="{units.th_old.pk}">Tỉnh Thanh Hóa (cũ)</option>' in html


def test_an_area_of_one_province_has_no_province_filter_and_all_its_communes(users, units, monkeypatch):
    monkeypatch.setattr(selectors, "COMMUNE_FILTER_MAX", 0)
    for user in (users.province_officer, users.commune_officer):
        form = _form(user).form
        assert "province" not in form.fields
        assert "hãy chọn tỉnh" not in str(form.fields["commune"].help_text)
    labels = [str(label) for _value, label in _form(users.province_officer).form.fields["commune"].choices]
    assert labels == ["Tất cả", "Phường Hạc Thành", "Xã Thọ Xuân", "Xã Xuân Hồng (cũ, Huyện Thọ Xuân)"]


def test_a_wide_area_offers_the_chosen_provinces_communes_and_a_hint_without_one(users, units, monkeypatch):
    monkeypatch.setattr(selectors, "COMMUNE_FILTER_MAX", 3)
    form = _form(users.auditor).form
    assert [value for value, _label in form.fields["commune"].choices] == [""]
    assert "hãy chọn tỉnh/thành phố rồi bấm Lọc" in str(form.fields["commune"].help_text)
    form = _form(users.auditor, province=units.th_old.pk).form
    assert [str(label) for _v, label in form.fields["commune"].choices] == [
        "Tất cả",
        "Xã Xuân Hồng (cũ, Huyện Thọ Xuân)",
    ]
    assert form.fields["commune"].help_text == ""
    # A link naming only a commune validates; one of another province than the chosen one does not.
    filterset = _form(users.auditor, commune=units.mdrak.pk)
    assert filterset.form.is_valid() and filterset.form.cleaned_data["commune"] == units.mdrak
    assert not _form(users.auditor, province=units.th.pk, commune=units.mdrak.pk).form.is_valid()


def test_a_province_outside_the_area_is_not_selectable(users, units, two_province_officer):
    from ansinh.geo.models import AdminUnit

    bac_ninh = AdminUnit.objects.create(
        structure="2025", level="province", unit_type="tinh", code="24", name="Tỉnh Bắc Ninh", short_name="Bắc Ninh",
        valid_from=units.th.valid_from,
    )  # fmt: skip
    form = _form(two_province_officer).form
    assert bac_ninh.pk not in [getattr(v, "value", v) for v, _label in form.fields["province"].choices]
    bad = _form(two_province_officer, province=bac_ninh.pk)
    assert not bad.form.is_valid() and "province" in bad.form.errors
    assert list(bad.qs) == []  # an invalid filter lists nothing (django-filter's strict mode)


# -- the page -----------------------------------------------------------------------------------


def test_the_list_of_a_national_reader_filters_by_province_then_commune(client, users, units, homes, monkeypatch):
    monkeypatch.setattr(selectors, "COMMUNE_FILTER_MAX", 3)
    client.force_login(users.auditor)
    url = reverse("registry:household_list")
    response = client.get(url)
    page = response.content.decode()
    assert '<select name="province" id="id_province">' in page
    assert f'<option value="{units.tho_xuan.pk}">' not in page and "hãy chọn tỉnh/thành phố rồi bấm Lọc" in page
    response = client.get(url, {"province": units.th.pk})
    assert _codes(response.context["table"].data) == ["OLD", "TX"]
    page = response.content.decode()
    assert f'<option value="{units.th.pk}" selected>Tỉnh Thanh Hóa</option>' in page
    assert f'<option value="{units.tho_xuan.pk}">Xã Thọ Xuân</option>' in page
    assert f'<option value="{units.mdrak.pk}">' not in page
    # The export link carries the province.
    assert f"{reverse('registry:household_export')}?province={units.th.pk}" in page
    response = client.get(url, {"commune": units.xuan_hong.pk})  # a link naming only a legacy commune
    assert response.status_code == 200 and _codes(response.context["table"].data) == ["OLD"]
    assert f'<option value="{units.xuan_hong.pk}" selected>' in response.content.decode()


def test_a_province_officers_list_is_unchanged_and_a_named_province_still_filters(client, users, units, homes):
    client.force_login(users.province_officer)
    url = reverse("registry:household_list")
    response = client.get(url)
    assert 'name="province"' not in response.content.decode()
    assert _codes(response.context["table"].data) == ["OLD", "TX"]
    # A link naming a province still filters, as the export and the API do: another one gives nothing.
    assert _codes(client.get(url, {"province": units.dl.pk}).context["table"].data) == []
    assert _codes(client.get(url, {"province": units.th.pk}).context["table"].data) == ["OLD", "TX"]


def test_the_export_takes_the_province(users, units, homes):
    filters = export_filters({"province": str(units.th_old.pk), "page": "2"})
    assert filters == {"province": str(units.th_old.pk)}
    assert _codes(export_queryset(user=users.auditor, filters=filters)) == ["OLD"]
    assert _codes(export_queryset(user=users.province_officer, filters={"province": str(units.dl.pk)})) == []


# -- the API ------------------------------------------------------------------------------------


def _api_codes(client, **params) -> list[str]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return sorted(item["code"] for item in response.json()["items"])


def test_api_list_filters_by_province_within_the_callers_area(client, users, units, homes):
    client.force_login(users.auditor)
    assert _api_codes(client, province=units.th.pk) == ["OLD", "TX"]
    assert _api_codes(client, province=units.th_old.pk) == ["OLD"]
    assert _api_codes(client, province=units.dl.pk, commune=units.mdrak.pk) == ["DL"]
    assert _api_codes(client, province=units.th.pk, commune=units.mdrak.pk) == []
    # Out of area: an empty list, as for a commune of another area (the API's convention).
    client.force_login(users.province_officer)
    assert _api_codes(client, province=units.dl.pk) == []
    assert _api_codes(client, commune=units.mdrak.pk) == []
    assert _api_codes(client, province=units.th.pk) == ["OLD", "TX"]
    assert client.get(API, {"province": "abc"}).status_code == 422  # not an id: refused by the schema


def test_api_province_filter_needs_the_view_permission(client, users, units, homes):
    client.force_login(users.helping_agency_member)
    assert client.get(API, {"province": units.th.pk}).status_code == 403
    client.logout()
    assert client.get(API, {"province": units.th.pk}).status_code in (401, 403)
