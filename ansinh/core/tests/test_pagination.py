"""`CappedPaginator`: counts stop at the cap, pages stop within it, a known count is reused."""

import pytest
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.core.pagination import CappedPaginator, counted, list_count_cap
from ansinh.geo.models import AdminUnit

pytestmark = pytest.mark.django_db


def test_a_list_under_the_cap_is_counted_exactly():
    paginator = CappedPaginator(list(range(7)), 3, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 3)
    assert list(paginator.page(3)) == [6]


def test_a_list_over_the_cap_counts_cap_plus_one_and_offers_whole_pages_within_the_cap():
    paginator = CappedPaginator(list(range(100)), 3, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (11, True, 3)
    assert list(paginator.page(3)) == [6, 7, 8]
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_exactly_the_cap_is_not_capped():
    paginator = CappedPaginator(list(range(10)), 5, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (10, False, 2)


def test_a_queryset_is_counted_with_a_limit_in_one_query(units):
    rows = AdminUnit.objects.order_by("pk")
    total = rows.count()
    assert total > 3
    paginator = CappedPaginator(rows, 2, cap=3)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 4
    assert len(queries.captured_queries) == 1
    assert "LIMIT" in queries.captured_queries[0]["sql"].upper()
    assert CappedPaginator(rows, 2, cap=total).count == total  # at the cap: exact


def test_the_cap_comes_from_the_settings(settings):
    settings.LIST_COUNT_CAP = 42
    assert list_count_cap() == 42 and CappedPaginator([], 10).cap == 42


def test_counted_reuses_a_known_count_without_a_query(units):
    make = counted(CappedPaginator, 5)
    with CaptureQueriesContext(connection) as queries:
        paginator = make(AdminUnit.objects.order_by("pk"), 2)
        assert (paginator.count, paginator.num_pages) == (5, 3)
    assert queries.captured_queries == []
    assert counted(Paginator, 3)([1], 2).count == 3
