"""The household list renders as django-tables2 and Django would, with less work per page."""

import re

from django import forms
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tables2.rows import BoundRow

from ansinh.core.tables import _Row
from ansinh.registry import selectors
from ansinh.registry.filters import HouseholdFilterSet
from ansinh.registry.models import Household
from ansinh.registry.tables import HouseholdTable

from .factories import head, make_household, member


def test_household_rows_render_the_same_cells_as_django_tables2(users, units):
    make_household(units.tho_xuan, village=units.t1, code="R1", lone_household=True,
                   members=[head("Nguyễn Văn An", id_number="038075000123"), member()])  # fmt: skip
    make_household(units.tho_xuan, code="R2", members=[head("Trần Thị Bình")])
    queryset = selectors.households_visible_to(user=users.commune_officer).order_by("code")
    table = HouseholdTable(queryset)
    rows = list(table.rows)
    assert [type(row) for row in rows] == [_Row, _Row]
    assert [row.get_even_odd_css_class() for row in rows] == ["even", "odd"]
    assert [type(row) for row in table.rows[0:1]] == [_Row] and type(table.rows[1]) is _Row
    for row in rows:
        stock = BoundRow(row.record, table=table)
        assert [cell for _column, cell in row.items()] == [cell for _column, cell in stock.items()]
    cells = dict((column.name, cell) for column, cell in rows[0].items())
    assert cells["head_id"] == "•••••••••123"
    assert cells["village"] == units.t1.name
    assert 'href="' + reverse("registry:household_detail", args=[rows[0].record.pk]) + '"' in cells["code"]
    assert "Hộ neo đơn" in cells["flags"]


def test_household_table_writes_the_markup_of_the_stock_table_template_in_both_languages(users, units):
    """The list's rows are written in Python (``core/table_rows.html``): byte for byte what
    ``core/table.html`` writes, with choice labels (kept per page), flags, a status badge, a masked CCCD."""
    from django.template.loader import get_template

    make_household(units.tho_xuan, village=units.t1, code="R1", lone_household=True, female_head=True,
                   members=[head("Nguyễn <b>An</b>", id_number="038075000123"), member()])  # fmt: skip
    make_household(units.tho_xuan, code="R2", members=[head("Trần Thị Bình")])
    make_household(units.tho_xuan, code="R3", members=[head("Lê Văn Cường")])
    Household.objects.filter(code__in=["R1", "R3"]).update(poverty_class="poor")
    Household.objects.filter(code="R2").update(poverty_class="near_poor", area_type="urban")
    Household.objects.filter(code="R3").update(status="moved_out")
    request = RequestFactory().get("/households/")
    request.user = users.commune_officer
    queryset = selectors.household_list_visible_to(user=users.commune_officer)
    assert HouseholdTable._meta.template_name == "core/table_rows.html"
    pages = {}
    for language in ("vi", "en"):
        with translation.override(language):
            pages[language] = get_template("core/table_rows.html").render({"table": HouseholdTable(queryset)}, request)
            stock = get_template("core/table.html").render({"table": HouseholdTable(queryset)}, request)
            assert pages[language] == stock, language
    page = pages["vi"]
    assert page.count("<tr ") == 3 and "Nguyễn &lt;b&gt;An&lt;/b&gt;" in page and "•••••••••123" in page
    assert page.count(">Hộ nghèo<") == 2 and page.count(">Hộ cận nghèo<") == 1 and "Đã chuyển đi" in page
    assert "Hộ nghèo" not in pages["en"]  # each page's labels in its own language (kept per table, not per process)


def test_list_counts_its_households_once_and_keeps_the_404_past_the_last_page(client, users, units):
    for i in range(3):
        make_household(units.tho_xuan, code=f"C{i}")
    client.force_login(users.commune_officer)
    url = reverse("registry:household_list")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    assert len(counts) == 1
    assert response.context["table"].paginator.count == 3
    assert "3 dòng" in response.content.decode()
    assert client.get(url, {"page": 9}).status_code == 404


def test_commune_and_village_filters_offer_the_same_choices_as_the_model_fields(users, units):
    request = RequestFactory().get("/", {"commune": units.tho_xuan.pk})
    request.user = users.commune_officer
    form = HouseholdFilterSet(request.GET, request=request, queryset=selectors.households_visible_to(
        user=users.commune_officer)).form  # fmt: skip
    for name in ("commune", "village"):
        field = form.fields[name]
        expected = [("", "Tất cả")] + [(unit.pk, field.label_from_instance(unit)) for unit in field.queryset]
        assert [(value if value == "" else value.value, str(label)) for value, label in field.choices] == expected
    assert (units.t1.pk, f"{units.t1.name} ({units.tho_xuan.name})") in [
        (getattr(value, "value", value), label) for value, label in form.fields["village"].choices
    ]
    assert form.is_valid() and form.cleaned_data["commune"] == units.tho_xuan


def test_legacy_communes_are_labelled_old_with_their_district_in_both_languages(users, units):
    def labels():
        request = RequestFactory().get("/")
        request.user = users.province_officer
        form = HouseholdFilterSet(request.GET, request=request, queryset=selectors.households_visible_to(
            user=users.province_officer)).form  # fmt: skip
        return [str(label) for _value, label in form.fields["commune"].choices]

    vietnamese = labels()
    assert vietnamese[0] == "Tất cả" and set(vietnamese[1:3]) == {units.tho_xuan.name, units.hac_thanh.name}
    assert vietnamese[3:] == ["Xã Xuân Hồng (cũ, Huyện Thọ Xuân)"]
    with translation.override("en"):
        assert labels()[-1] == "Xã Xuân Hồng (former, Huyện Thọ Xuân)"


def test_a_list_past_the_count_cap_says_more_than_the_cap_and_stops_paging_there(client, users, units, settings):
    settings.LIST_COUNT_CAP = 2
    for i in range(4):
        make_household(units.tho_xuan, code=f"K{i}")
    client.force_login(users.commune_officer)
    url = reverse("registry:household_list")
    response = client.get(url, {"per_page": 1})
    paginator = response.context["table"].paginator
    assert (paginator.count, paginator.capped) == (3, True)
    page = response.content.decode()
    assert "hơn 2 dòng" in page and "Hãy lọc để thu hẹp danh sách" in page
    assert "4 dòng" not in page
    settings.LIST_COUNT_CAP = 10  # under the cap: the exact total again
    assert "Tổng: 4 dòng" in client.get(url).content.decode()


def test_a_name_search_reads_the_names_once_per_page(client, users, units):
    """A few matches are read once; the count and the page then filter on their ids instead of each
    searching the names again (the trigram search is most of a name search's database time)."""
    for i in range(3):
        make_household(units.tho_xuan, code=f"N{i}", members=[head("Nguyễn Văn An")])
    make_household(units.tho_xuan, code="T1", members=[head("Trần Văn Bảo")])
    client.force_login(users.commune_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registry:household_list"), {"q": "nguyen van an"})
    name_reads = [q["sql"] for q in queries.captured_queries if "%nguyen van an%" in q["sql"]]
    assert len(name_reads) == 1, name_reads
    assert response.context["table"].paginator.count == 3
    assert [row.record.code for row in response.context["table"].page.object_list] == ["N0", "N1", "N2"]


def test_every_list_order_ends_with_the_id_so_ties_keep_one_order(client, users, units):
    """Codes are unique per commune: two communes may each hold an "HG1" headed by the same name.
    Such ties are listed by id, in every order, on every page and whatever the query plan."""
    first = make_household(units.hac_thanh, code="HG1", members=[head("Nguyễn Văn An")])
    second = make_household(units.tho_xuan, code="HG1", members=[head("Nguyễn Văn An")])
    client.force_login(users.province_officer)
    url = reverse("registry:household_list")
    for sort in ("", "code", "head_name", "members_count", "poverty_class"):  # the two tie on each of these
        for direction, expected in (("", [first.pk, second.pk]), ("-", [second.pk, first.pk])):
            params = {"sort": direction + sort} if sort else ({"sort": "-head_name"} if direction else {})
            table = client.get(url, params).context["table"]
            assert [row.record.pk for row in table.page.object_list] == expected, params
    for sort in ("code", "head_name", "village", "commune", "members_count", "area_type", "poverty_class"):
        for direction in ("", "-"):
            order = client.get(url, {"sort": direction + sort}).context["table"].data.data.query.order_by
            assert order[-1] == direction + "pk", (sort, order)


def _filter_form(user, **data):
    request = RequestFactory().get("/", data)
    request.user = user
    queryset = selectors.households_visible_to(user=user)
    return HouseholdFilterSet(request.GET or None, request=request, queryset=queryset).form


def _stock_select(bound) -> str:
    """The field as Django writes it: its own choices (whole units, `label_from_instance`) through
    the stock select templates, with the attributes the bound field gives its widget."""
    field = bound.field
    stock = forms.ModelChoiceField(queryset=field.queryset, empty_label=field.empty_label, required=False)
    stock.label_from_instance = field.label_from_instance
    return bound.as_widget(widget=forms.Select(choices=stock.choices))


def _option_values(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


def test_unit_filters_write_the_markup_of_djangos_select_for_every_reader_choice_and_language(users, units):
    readers = (users.province_officer, users.commune_officer, users.district_officer, users.province_officer_dl)
    choices = ({}, {"commune": units.tho_xuan.pk}, {"commune": units.xuan_hong.pk}, {"village": units.t2.pk},
               {"commune": units.tho_xuan.pk, "village": units.t1.pk}, {"commune": "999999"},
               {"commune": "x"})  # fmt: skip
    compared = 0
    for language in ("vi", "en"):
        with translation.override(language):
            for user in readers:
                for data in choices:
                    form = _filter_form(user, **data)
                    for name in ("commune", "village"):
                        assert str(form[name]) == _stock_select(form[name]), (language, user, data, name)
                        compared += 1
    assert compared == 2 * 4 * 7 * 2
    with translation.override("en"):
        html = str(_filter_form(users.province_officer, commune=units.xuan_hong.pk)["commune"])
    assert f'<option value="{units.xuan_hong.pk}" selected>Xã Xuân Hồng (former, Huyện Thọ Xuân)</option>' in html
    assert '<option value="" selected>' not in html  # one selected option: the chosen one
    html = str(_filter_form(users.province_officer, commune=units.tho_xuan.pk, village=units.t2.pk)["village"])
    assert f'<option value="{units.t2.pk}" selected>Thôn 2 (Xã Thọ Xuân)</option>' in html


def test_unit_filters_offer_only_the_readers_area(users, units):
    province = str(_filter_form(users.province_officer)["commune"])
    assert _option_values(province) == ["", str(units.hac_thanh.pk), str(units.tho_xuan.pk), str(units.xuan_hong.pk)]
    assert "Xã Xuân Hồng (cũ, Huyện Thọ Xuân)" in province and str(units.mdrak.pk) not in _option_values(province)
    commune = _filter_form(users.commune_officer)
    assert set(_option_values(str(commune["commune"]))) <= {"", str(units.tho_xuan.pk), str(units.xuan_hong.pk)}
    assert str(units.tho_xuan.pk) in _option_values(str(commune["commune"]))
    assert _option_values(str(commune["village"])) == ["", str(units.t1.pk), str(units.t2.pk)]
    other = _filter_form(users.commune_officer_dl, commune=units.tho_xuan.pk)  # a commune outside the area
    assert _option_values(str(other["commune"])) == ["", str(units.mdrak.pk)]
    assert _option_values(str(other["village"])) == [""]
    assert not other.is_valid() and "commune" in other.errors


def test_the_average_band_reads_short_in_the_list_with_its_legal_name_in_a_tooltip(client, users, units):
    from ansinh.registry.services import households_poverty_summary_set

    household = make_household(units.tho_xuan, village=units.t1, code="A1", members=[head("Lê Văn Ba")])
    households_poverty_summary_set([(household.pk, "average")], standard_code="2022-2025",
                                   on_date=household.created_at.date())  # fmt: skip
    client.force_login(users.commune_officer)
    page = client.get(reverse("registry:household_list")).content.decode()
    legal = "Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình"
    assert f'<span title="{legal}">Mức sống trung bình</span>' in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("registry:household_list")).content.decode()
    assert ">Average living standard</span>" in page
