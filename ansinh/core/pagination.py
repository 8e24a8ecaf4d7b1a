"""Paginators of the list pages.

`CappedPaginator` counts the filtered rows only up to `LIST_COUNT_CAP` (10,000 by default). A page
of a large area is cheap (the first 50 rows in list order come from an index), but its exact total
is not: at 1,000,000 households the province officer's ``COUNT(*)`` took 130 ms of the database
for every list page, and capped it takes 8 ms (docs/benchmarks.md, "HTTP"). Nobody pages through
10,000 rows: past the cap the page says "more than 10,000 rows" and invites a filter; exact totals
are the reports' and dashboards' work.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


def list_count_cap() -> int:
    return int(getattr(settings, "LIST_COUNT_CAP", 10_000))


class CappedPaginator(Paginator):
    """A `Paginator` whose `count` stops at ``cap + 1`` (`capped` tells); pages beyond the cap do not exist."""

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = list_count_cap() if cap is None else cap

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):  # a queryset: COUNT(*) over at most cap + 1 rows, in any order
            # Unordered: with the list's ORDER BY, LIMIT makes PostgreSQL walk the order index and test
            # every row of the area when fewer than cap + 1 match (a name search: 2.5 s at 1M households).
            return rows.order_by()[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:  # only whole pages within the cap: no page holds the (cap + 1)th row alone
            return max(1, self.cap // self.per_page)
        return super().num_pages


def counted(paginator_class, count: int):
    """A factory of `paginator_class` paginators whose count is already known (no second COUNT query)."""

    def make(*args, **kwargs):
        paginator = paginator_class(*args, **kwargs)
        paginator.count = count  # `count` is a cached property: this value is used as it is
        return paginator

    return make
