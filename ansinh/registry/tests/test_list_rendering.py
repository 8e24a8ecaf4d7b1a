"""The household list renders as django-tables2 and Django would, with less work per page."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tables2.rows import BoundRow

from ansinh.core.tables import _Row
from ansinh.registry import selectors
from ansinh.registry.filters import HouseholdFilterSet
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
