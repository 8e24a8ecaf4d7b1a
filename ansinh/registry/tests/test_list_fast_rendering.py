"""The household list's cheaper paths (cells from `_CellPlan`, the columns read, the filter form's fields
taken as made) write the page byte for byte as django-tables2 and django-filter do on their own."""

import re

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tables2.rows import BoundRow

from ansinh.core.filters import RequestFieldsFilterSet
from ansinh.core.tables import SignatureCachedTable, _Row
from ansinh.registry import selectors
from ansinh.registry.choices import PovertyClass
from ansinh.registry.models import Household
from ansinh.registry.tables import HouseholdTable
from ansinh.registry.views_households import HouseholdListView

from .factories import head, make_household, member

HOSTILE = "<b>Nguyễn</b> \"Văn\" & 'An' <script>alert(1)</script>"


@pytest.fixture
def households(units):
    made = [
        make_household(units.tho_xuan, village=units.t1, code="R1", lone_household=True, female_head=True,
                       members=[head(HOSTILE, id_number="038075000123"), member()]),
        make_household(units.tho_xuan, code="R2", members=[head("Trần Thị Bình")]),
        make_household(units.tho_xuan, village=units.t2, code="R3", members=[head("Lê Văn Cường")]),
        make_household(units.hac_thanh, code="R4<&>", members=[head("Đỗ Thị Dung")]),
        make_household(units.xuan_hong, code="R5", members=[head("Ân Văn Ánh")]),
    ]  # fmt: skip
    Household.objects.filter(code__in=["R1", "R3"]).update(poverty_class=PovertyClass.POOR)
    Household.objects.filter(code="R2").update(poverty_class=PovertyClass.NEAR_POOR, area_type="urban")
    Household.objects.filter(code="R4<&>").update(poverty_class=PovertyClass.AVERAGE, status="moved_out")
    return made


def _stock(monkeypatch):
    """django-tables2 and django-filter as they come: every cell through `BoundRow._get_and_render_with`
    and the stock table template, whole households read, the form class made and its fields copied."""
    monkeypatch.setattr(SignatureCachedTable, "_cell_plans", lambda self, model: None)
    monkeypatch.setattr(HouseholdTable._meta, "template_name", "core/table.html")
    monkeypatch.setattr(RequestFieldsFilterSet, "form", django_filters.filterset.BaseFilterSet.form)
    monkeypatch.setattr(
        HouseholdListView,
        "get_queryset",
        lambda self: selectors.households_visible_to(user=self.request.user).order_by("head_sort_key", "code", "pk"),
    )


def _page(client, url, params) -> str:
    response = client.get(url, params)
    body = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1-", response.content.decode())
    return f"{response.status_code} " + re.sub(r"<code>[0-9a-f]{32}</code>", "<code>-</code>", body)


PARAMS = [
    {},
    {"sort": "-head_name"},
    {"sort": "code"},
    {"sort": "-village"},
    {"sort": "commune"},
    {"sort": "-members_count"},
    {"sort": "area_type"},
    {"sort": "-poverty_class"},
    {"sort": "code", "page": 2},
    {"sort": "-commune", "page": 3},
    {"q": "nguyen"},
    {"status": "moved_out"},
    {"poverty_class": "average"},
    {"flag": "female_head"},
    {"village": "999999"},
]


def test_list_pages_are_the_pages_django_tables2_and_django_filter_write(client, users, units, households, monkeypatch):
    monkeypatch.setattr(HouseholdListView, "paginate_by", 2)  # pages of two rows: links to the pages too
    url = reverse("registry:household_list")
    pages = {}
    for reader in (users.commune_officer, users.province_officer, users.district_officer):
        client.force_login(reader)
        for language in ("vi", "en"):
            client.cookies["django_language"] = language
            for index, params in enumerate(PARAMS):
                pages[reader.username, language, index] = _page(client, url, params)
    _stock(monkeypatch)
    assert HouseholdTable(Household.objects.none())._cell_plans(Household) is None
    for (username, language, index), page in pages.items():
        client.force_login(getattr(users, username))
        client.cookies["django_language"] = language
        assert page == _page(client, url, PARAMS[index]), (username, language, PARAMS[index])
    assert sum(page.startswith("200 ") for page in pages.values()) > 70
    vietnamese = "".join(pages["province_officer", "vi", index] for index in (0, 1))
    english = "".join(pages["province_officer", "en", index] for index in (0, 1))
    # Names are escaped; the links sort (the current column's next order), in each language.
    assert "&lt;b&gt;Nguyễn&lt;/b&gt; &quot;Văn&quot; &amp; &#x27;An&#x27; &lt;script&gt;" in vietnamese
    assert "<script>alert" not in vietnamese and "R4&lt;&amp;&gt;" in vietnamese
    assert '<a href="?sort=-head_name">Chủ hộ</a>' in vietnamese
    assert '<a href="?sort=-head_name">Head of household</a>' in english
    assert ">Hộ nghèo<" in vietnamese and ">Hộ cận nghèo<" in vietnamese and "Đã chuyển đi" in vietnamese
    assert "Hộ nghèo" not in english.split("<tbody")[1] and "Hộ neo đơn" not in english.split("<tbody")[2]


def test_household_cells_come_from_the_plans_and_equal_django_tables2s(users, units, households):
    queryset = selectors.households_visible_to(user=users.province_officer).order_by("code")
    for language in ("vi", "en"):
        with translation.override(language):
            table = HouseholdTable(queryset)
            plans = table._cell_plans(Household)
            assert set(plans) == {column.name for column in table.columns}
            for row in table.rows:
                assert type(row) is _Row
                stock = BoundRow(row.record, table=table)
                assert [cell for _c, cell in row.items()] == [cell for _c, cell in stock.items()], language
            # A choice field's labels are asked of Django once per value and language in a table.
            labels = plans["poverty_class"].labels
            assert {key[0] for key in labels} == {language}
            assert sorted(str(key[2]) for key in labels) == ["", "average", "near_poor", "poor"]


def test_the_list_reads_only_the_columns_it_shows_and_no_query_per_row(client, users, units, households):
    client.force_login(users.province_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registry:household_list"))
    rows = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "registry_household"."id"')]
    assert len(rows) == 1
    assert '"registry_household"."address"' not in rows[0] and '"registry_household"."head_name"' in rows[0]
    assert '"geo_adminunit"."valid_from"' not in rows[0]
    assert len(response.context["table"].page.object_list) == 5
    records = [row.record for row in response.context["table"].page.object_list]
    with CaptureQueriesContext(connection) as more:  # every cell from what was read
        "".join(row.html() for row in response.context["table"].paginated_rows)
    assert more.captured_queries == [] and {r.get_deferred_fields() >= {"address"} for r in records} == {True}
