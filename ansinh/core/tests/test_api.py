"""`PagePagination`: the count stops past the cap as on the web lists, unless asked to count all."""

import pytest

from ansinh.core.api import PagePagination
from ansinh.geo.models import AdminUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    from ansinh.geo.choices import Level, Structure

    parent = AdminUnit.objects.create(structure=Structure.Y2025, level=Level.PROVINCE, code="T1", name="Tỉnh Thử")
    for i in range(12):
        AdminUnit.objects.create(
            structure=Structure.Y2025, level=Level.COMMUNE, code=f"T1{i:02d}", name=f"Xã {i}", parent=parent
        )
    return AdminUnit.objects.filter(parent=parent).order_by("code")


def _page(queryset, **given):
    pagination = PagePagination()
    return pagination.paginate_queryset(queryset, PagePagination.Input(**given))


def test_below_the_cap_the_count_is_exact(units, settings):
    settings.LIST_COUNT_CAP = 12
    page = _page(units, page=2, page_size=5)
    assert (page["count"], page["count_capped"], page["pages"]) == (12, False, 3)
    assert [u.code for u in page["items"]] == ["T105", "T106", "T107", "T108", "T109"]


def test_past_the_cap_the_count_stops_and_the_pages_stay_reachable(units, settings):
    settings.LIST_COUNT_CAP = 10
    page = _page(units, page=3, page_size=5)
    assert (page["count"], page["count_capped"], page["pages"]) == (10, True, None)
    assert [u.code for u in page["items"]] == ["T110", "T111"]  # beyond the cap, still served


def test_exact_count_counts_everything(units, settings):
    settings.LIST_COUNT_CAP = 10
    page = _page(units, page=1, page_size=5, exact_count=True)
    assert (page["count"], page["count_capped"], page["pages"]) == (12, False, 3)


def test_the_schema_documents_the_capped_count(client):
    schema = client.get("/api/v1/openapi.json").json()
    outputs = [s for name, s in schema["components"]["schemas"].items() if name.startswith("Paged")]
    assert outputs and all({"count", "count_capped", "pages"} <= set(s["properties"]) for s in outputs)


def test_lists_and_lazy_wrappers_are_counted_too(settings):
    settings.LIST_COUNT_CAP = 3
    page = _page(list(range(5)), page=2, page_size=2)
    assert (page["count"], page["count_capped"], page["pages"], page["items"]) == (3, True, None, [2, 3])

    class Lazy:  # as `registry.api_duplicates._LazyOut`: counts without handing out its queryset
        def count(self):
            return 5

        def count_upto(self, limit):
            return min(5, limit)

        def __getitem__(self, item):
            return list(range(5))[item]

    assert _page(Lazy(), page_size=2)["count_capped"] is True
    assert _page(Lazy(), page_size=2, exact_count=True)["count"] == 5
