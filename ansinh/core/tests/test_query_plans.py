"""Query plans of the hot reads (issue 6): each is served by an index, never a sequential scan.

PostgreSQL only (SQLite's planner is another matter; the benchmarks in docs/benchmarks.md measure
it). A test database holds a handful of rows, on which a sequential scan is the cheapest plan
whatever the indexes; so the planner is told that sequential scans are very expensive
(``enable_seqscan = off``, for the test's transaction only). It then still picks a sequential scan
where no index can serve the query, which is what these tests catch: a missing index, or a query
written so that its index cannot be used (a function around the column, a leading wildcard). The
same plans at 100,000 households with real statistics are in docs/scaling.md.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.jobs.selectors import job_list_visible_to
from ansinh.registry.models import Household, Member
from ansinh.registry.selectors import (
    _search_parts,
    household_get_visible,
    household_list_visible_to,
    households_visible_to,
)
from ansinh.registry.tests.factories import head, make_household, member
from ansinh.reviews.models import Campaign
from ansinh.reviews.selectors import case_list_visible_to

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans"),
]

HOT_TABLES = ("registry_household", "registry_member", "reviews_reviewcase", "jobs_job")


@pytest.fixture
def registry(units):
    households = [
        make_household(units.tho_xuan, village=units.t1, code=f"P{i}",
                       members=[head(f"Nguyễn Văn An {i}"), member("Lê Thị Bình")])
        for i in range(3)
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_seqscan = off")
    return households


def _plan(queryset) -> str:
    return queryset.explain()


def _assert_indexed(plan: str) -> None:
    for table in HOT_TABLES:
        assert f"Seq Scan on {table}" not in plan, plan
    assert "Index" in plan, plan


def test_household_list_filtered_by_unit_village_and_flag_reads_an_index(registry, units, users):
    for filters in ({}, {"commune": units.tho_xuan.pk}, {"village": units.t1.pk}, {"female_head": True},
                    {"commune": units.tho_xuan.pk, "poverty_class": "poor"}):  # fmt: skip
        queryset = household_list_visible_to(user=users.province_officer, filters=filters)[:50]
        _assert_indexed(_plan(queryset))


def _assert_search_indexed(user, text: str) -> None:
    """The search's first read (the matching ids, `selectors._search_parts`) reads indexes, and so does
    the list's page on them; when nothing matched, the list asks the database nothing more."""
    _assert_indexed(_plan(_search_parts(households_visible_to(user=user), text.strip())[0][:1001]))
    listed = household_list_visible_to(user=user, filters={"q": text})[:50]
    plan = _plan(listed)
    if plan:
        _assert_indexed(plan)
    else:
        with CaptureQueriesContext(connection) as queries:
            assert list(listed) == []
        assert not queries.captured_queries


def test_household_search_by_folded_name_and_cccd_reads_indexes(registry, users):
    for text in ("nguyen van an", "038075001234"):
        _assert_search_indexed(users.province_officer, text)
    # On a few rows the search probes each household's members; on a registry (docs/scaling.md) it
    # looks the name up first. "Any part of the name" (LIKE '%…%') must then be served by the trigram
    # index (migration 0006). Plain index scans are also ruled out here, as a whole B-tree read with
    # a filter is no better than a sequential scan: only an index with a condition on the name is left.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
    plan = _plan(Member.objects.filter(name_folded__contains="nguyen van an").order_by().values("household_id"))
    assert "Bitmap Index Scan on registry_member_name_trgm" in plan, plan


def test_household_search_by_code_and_cccd_prefix_reads_indexes(registry, users):
    for text in ("p0", "hg0012", "038075", "038 075 001"):
        _assert_search_indexed(users.province_officer, text)
    # Each prefix alone is a range of a pattern index (``~>=~ … ~<~``: registry/0009 for the upper-cased
    # code, the ``varchar_pattern_ops`` twin of ``id_number``), not a whole index read with a filter:
    # outside a "C" collation a plain B-tree cannot serve ``LIKE 'prefix%'``.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = _plan(Household.objects.filter(code__istartswith="hg0012").order_by().values("id"))
    assert "registry_hh_code_upper" in plan and "Index Cond: ((upper((code)::text) ~>=~ 'HG0012'" in plan, plan
    plan = _plan(Member.objects.filter(id_number__startswith="038075").order_by().values("household_id"))
    assert "Index Cond: (((id_number)::text ~>=~ '038075'" in plan, plan


def test_a_code_prefix_most_codes_share_walks_the_list_order_index(registry, users, settings, monkeypatch):
    """A prefix shared by more of the area's codes than a list counts ("HG0" at 285k households: 1.5 s
    as ``id IN (UNION …)``, whose size the planner cannot guess): the condition is on the households,
    so a page is the first rows of the list's order index that match, without a sort of every match."""
    from ansinh.registry import selectors

    for i in range(3):
        make_household(registry[0].commune, code=f"HGQ{i}", members=[head(f"Trần Văn Bình {i}")])
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", 2)
    settings.LIST_COUNT_CAP = 2
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = _plan(household_list_visible_to(user=users.province_officer, filters={"q": "hgq"})[:50])
    _assert_indexed(plan)
    assert "Sort" not in plan, plan
    # The code condition filters the walk of the order index itself; households are read once, not
    # also through a subquery of the codes (which the planner cannot size: a sort of every match).
    walk = re.search(r"Index Scan using registry_household_list_order on registry_household .*\n\s+Filter: (.*)", plan)
    assert walk and "upper((code)::text) ~~ 'HGQ%'" in walk.group(1), plan
    assert len(re.findall(r" on registry_household( \w+)? +\(cost", plan)) == 1, plan


def test_cccd_lookup_reads_the_id_number_index(registry):
    plan = _plan(Member.objects.filter(id_number="038075001234"))
    _assert_indexed(plan)
    assert "registry_member_id_number" in plan, plan
    # the import's check of a chunk's numbers
    _assert_indexed(_plan(Member.objects.filter(id_number__in=["038075001234", "038075001235"])))


def test_folded_name_equality_reads_an_index_without_one_of_its_own(registry):
    """The duplicate scan's lookups by folded name are served by the composite (name, birth year) index
    or, on a table this small, as often by the trigram index (which answers equality too): either way
    an index read, with no plain folded-name index left (decision 0026)."""
    plan = _plan(Member.objects.filter(name_folded__in=["nguyen van an 1", "le thi binh"]).order_by().values_list("id"))
    _assert_indexed(plan)
    assert "registry_member_name_year" in plan or "registry_member_name_trgm" in plan, plan


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def test_member_and_audit_rows_carry_one_index_per_reader():
    """Decision 0026: no pattern twin of a CCCD, folded name or event hash, no plain folded-name index;
    decision 0030: no index on the event hash at all (the unique chain and sequence it covers is kept)."""
    members, events = _index_names("registry_member"), _index_names("audit_auditevent")
    assert not [name for name in members | events if name.endswith("_like")], (members, events)
    assert "registry_member_id_number" in members
    assert not [name for name in members if name.startswith("registry_member_name_folded")], members
    assert not [name for name in events if "hash" in name], events
    assert "audit_event_chain_sequence_unique" in events


def test_household_page_reads_by_primary_key(registry, users):
    household = household_get_visible(user=users.commune_officer, pk=registry[0].pk)
    queryset = Household.objects.select_related("commune", "village", "head", "ethnicity").filter(pk=household.pk)
    _assert_indexed(_plan(queryset))
    _assert_indexed(_plan(household.members.order_by("order", "id")))


def test_review_case_list_reads_indexes(registry, units, users):
    campaign = Campaign(pk=1)  # the plan does not need the row
    for filters in ({}, {"unit": units.tho_xuan.pk}, {"state": "listed"}):
        queryset = case_list_visible_to(user=users.commune_officer, campaign=campaign, filters=filters)[:50]
        _assert_indexed(_plan(queryset))


def test_job_list_reads_indexes(registry, users):
    for user in (users.commune_officer, users.province_officer):
        _assert_indexed(_plan(job_list_visible_to(user=user)[:50]))


def test_the_households_are_vacuumed_after_two_percent_of_them_change(db):
    """A province's bulk classification rewrites its households' class: autovacuum follows at 2 % of the
    table changed (migration registry 0015), not at the server's 20 % (docs/scaling.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'registry_household'")
        options = set(cursor.fetchone()[0] or [])
    assert {"autovacuum_vacuum_scale_factor=0.02", "autovacuum_analyze_scale_factor=0.02"} <= options
