"""The fuzzy duplicate pass with flat memory: PostgreSQL builds the blocks, Python compares within one.

`duplicates.fuzzy_candidates` loads every record of the scan (and its blocks) into memory: about
1.1-1.6 GB at a million persons. `fuzzy_candidates_streamed` yields the same candidates (same pairs,
scores and evidence; another order) and counts the same `ScanStats` (blocks, oversized blocks,
comparisons) while holding one block at a time:

- One query computes, for every loaded record (the living members of the scan, and with `extend`
  their namesakes elsewhere), the keys of `duplicates._block_keys` as SQL strings, keeps the keys
  held by two records or more, marks the oversized ones (the rule of `_block_pairs`), and streams
  (key, record) rows ordered by key through a server-side cursor. Each row also carries the record's
  *live* keys: the keys of its blocks that are not oversized.
- The in-memory scan compares a pair in the first block, in its order, that yields it. Here a
  block compares a pair only when its key is the smallest (Python string order) of the live keys
  both records share that yield the pair (a restricted name block does not yield two dated records:
  decision 0017). Every pair the in-memory scan compares is compared exactly once, with no state
  kept across blocks; `stats.comparisons` is equal.
- Which record comes first in the evidence ("names", "dates", "communes") does not depend on the
  block: the order of the scan's query (the in-scope records first), except that above
  `BEST_SCORE_OTHER_DATE` a year-only record comes before a dated one (`_block_pairs`). The query
  numbers the in-scope records in the order of the scan's own queryset to keep it.
- The common-name lexicon (decision 0020) is one aggregate over the words of the loaded names.

PostgreSQL only (`streaming_supported`); elsewhere the caller keeps the in-memory path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from . import duplicates
from .duplicates import (
    BEST_SCORE_OTHER_DATE,
    COMMON_WORD_MIN,
    COMMON_WORD_SHARE,
    Candidate,
    Record,
    ScanStats,
    _block_pairs,
    _is_name_key,
    fuzzy_candidate,
    living_members,
)
from .models import Member

# Rows fetched from the server-side cursor at a time.
FETCH_SIZE = 2000

_LOADED_COLUMNS = (
    "id, full_name, name_folded, sex, birth_date, birth_year, id_number, commune_id, commune_name, unit_path"
)

# The keys of `duplicates._block_keys`, as SQL over `l` (a loaded record) and `p` (its name parts).
_KEYED_SQL = """
    SELECT l.id, k.bkey, l.birth_date IS NULL AS undated
    FROM loaded l
    CROSS JOIN LATERAL (
        SELECT split_part(l.name_folded, ' ', 1) AS fam,
               reverse(split_part(reverse(l.name_folded), ' ', 1)) AS given,
               floor(l.birth_year / 2.0)::int AS half,
               floor((l.birth_year + 1) / 2.0)::int AS next_half
    ) p
    CROSS JOIN LATERAL (VALUES
        ('ny|' || left(p.fam, 1) || '|' || p.given || '|' || l.birth_year::text),
        ('fn|' || l.name_folded || '|' || p.half::text),
        ('nc|' || l.name_folded || '|' || coalesce(l.commune_id::text, 'None')),
        (CASE WHEN p.next_half <> p.half THEN 'fn|' || l.name_folded || '|' || p.next_half::text END),
        (CASE WHEN l.birth_date IS NOT NULL THEN
            'dg|' || extract(year FROM l.birth_date)::int::text
            || '|' || least(extract(day FROM l.birth_date), extract(month FROM l.birth_date))::int::text
            || '|' || greatest(extract(day FROM l.birth_date), extract(month FROM l.birth_date))::int::text
            || '|' || left(p.given, 1) END),
        (CASE WHEN l.birth_date IS NOT NULL THEN
            'df|' || to_char(l.birth_date, 'YYYY-MM-DD') || '|' || p.fam END)
    ) k(bkey)
    WHERE l.name_folded <> '' AND k.bkey IS NOT NULL
"""

_BLOCKS_SQL = """
SELECT * FROM (
    SELECT b.bkey, l.id, l.full_name, l.name_folded, l.sex, l.birth_date, l.birth_year, l.id_number,
           l.commune_id, l.commune_name, l.unit_path, l.rank, v.keys
    FROM blocks b
    JOIN keyed k ON k.bkey = b.bkey
    JOIN loaded l ON l.id = k.id
    JOIN live v ON v.id = k.id
    WHERE NOT b.oversized
    UNION ALL
    SELECT b.bkey, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM blocks b
    WHERE b.oversized
) rows
ORDER BY rows.bkey COLLATE "C"
"""


def streaming_supported() -> bool:
    """Whether `fuzzy_candidates_streamed` can run on the default database (PostgreSQL only)."""
    return connection.vendor == "postgresql"


def _loaded_cte(members: QuerySet[Member], *, extend: bool) -> tuple[str, list[Any]]:
    """The `scope` and `loaded` CTEs: the records `duplicates._load_records` would load.

    `scope` numbers the in-scope members in the order of the scan's queryset (`rank`), which
    decides which record of a pair comes first in the evidence; the namesakes have no rank."""
    scope = living_members(members)
    scope_sql, scope_params = scope.values_list("id").query.sql_with_params()
    # Two selects in a UNION, not one OR of two IN lists: PostgreSQL plans the OR as a subquery
    # per row (quadratic), each IN alone as a hashed semi-join.
    parts = [living_members().filter(pk__in=scope.values("pk"))]
    if extend:
        parts.append(living_members().filter(name_folded__in=scope.exclude(name_folded="").values("name_folded")))
    selects, loaded_params = [], []
    for part in parts:
        part_sql, part_params = part.order_by().values_list(*duplicates._ROW_FIELDS).query.sql_with_params()
        selects.append(f"({part_sql})")
        loaded_params += part_params
    loaded_sql = " UNION ".join(selects)
    # A window with an empty OVER () numbers the rows of the ordered subquery in its order.
    # Only Django's own SQL (values as parameters) is put in the text.
    sql = f"""
        scope AS MATERIALIZED (
            SELECT s.id, row_number() OVER () AS rank FROM ({scope_sql}) AS s
        ),
        loaded AS MATERIALIZED (
            SELECT l.*, scope.rank
            FROM ({loaded_sql}) AS l({_LOADED_COLUMNS})
            LEFT JOIN scope ON scope.id = l.id
        )"""  # noqa: S608
    return sql, [*scope_params, *loaded_params]


def common_name_words_sql(members: QuerySet[Member], *, extend: bool = True) -> frozenset[str]:
    """`duplicates.common_name_words` of the records the scan loads, counted by the database."""
    loaded_sql, params = _loaded_cte(members, extend=extend)
    sql = f"""
        WITH {loaded_sql},
        words AS (
            SELECT w, count(*) AS n
            FROM (SELECT DISTINCT l.id, w FROM loaded l, unnest(string_to_array(l.name_folded, ' ')) AS w
                  WHERE l.name_folded <> '' AND w <> '') AS d
            GROUP BY w HAVING count(*) >= %s
        )
        SELECT t.total, words.w, words.n FROM (SELECT count(*) AS total FROM loaded) t LEFT JOIN words ON true
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, COMMON_WORD_MIN])
        rows = cursor.fetchall()
    total = rows[0][0] if rows else 0
    least = max(COMMON_WORD_MIN, COMMON_WORD_SHARE * total)
    return frozenset(word for _total, word, n in rows if word is not None and n >= least)


def fuzzy_candidates_streamed(
    members: QuerySet[Member],
    *,
    threshold: float,
    stats: ScanStats,
    extend: bool = True,
    on_block: Callable[[], None] | None = None,
    common: frozenset[str] | None = None,
) -> Iterator[Candidate]:
    """`fuzzy_candidates(_load_records(members, extend=extend), ...)` with one block in memory.

    Yields the same candidates (in another order) and adds the same counts to `stats`; `on_block`
    is called once per block, oversized ones included. PostgreSQL only (NotImplementedError
    elsewhere). Memory stays flat if the database backend uses server-side cursors (Django's
    default; not with DISABLE_SERVER_SIDE_CURSORS)."""
    if not streaming_supported():
        raise NotImplementedError("The streamed duplicate scan needs PostgreSQL.")
    common = common_name_words_sql(members, extend=extend) if common is None else common
    dated_pairs_by_date_only = threshold > BEST_SCORE_OTHER_DATE
    max_size = duplicates.MAX_BLOCK_SIZE  # read now: tests patch it
    loaded_sql, params = _loaded_cte(members, extend=extend)
    sql = f"""
        WITH {loaded_sql},
        keyed AS MATERIALIZED ({_KEYED_SQL}),
        blocks AS MATERIALIZED (
            SELECT bkey,
                   CASE WHEN %s AND left(bkey, 3) IN ('ny|', 'fn|', 'nc|')
                        THEN count(*) FILTER (WHERE undated) * count(*) > %s
                        ELSE count(*) > %s END AS oversized
            FROM keyed GROUP BY bkey HAVING count(*) > 1
        ),
        live AS MATERIALIZED (
            SELECT k.id, array_agg(k.bkey) AS keys
            FROM keyed k JOIN blocks b ON b.bkey = k.bkey
            WHERE NOT b.oversized
            GROUP BY k.id
        )
        {_BLOCKS_SQL}
    """  # noqa: S608
    params = [*params, dated_pairs_by_date_only, max_size * max_size, max_size]
    with connection.chunked_cursor() as cursor:
        if hasattr(cursor.cursor, "itersize"):
            cursor.cursor.itersize = FETCH_SIZE
        cursor.execute(sql, params)
        key: str | None = None
        rows: list[tuple[Any, ...]] = []
        for row in cursor:
            if row[0] != key:
                if rows:
                    yield from _block_candidates(key, rows, threshold, common, dated_pairs_by_date_only, stats)
                    _block_done(stats, on_block)
                    rows = []
                key = row[0]
            if row[1] is None:  # an oversized block: one row, no record
                stats.oversized_blocks += 1
                _block_done(stats, on_block)
                key = None
            else:
                rows.append(row)
        if rows:
            yield from _block_candidates(key, rows, threshold, common, dated_pairs_by_date_only, stats)
            _block_done(stats, on_block)


def _block_done(stats: ScanStats, on_block: Callable[[], None] | None) -> None:
    stats.blocks += 1
    if on_block is not None:
        on_block()


def _block_candidates(
    key: str,
    rows: list[tuple[Any, ...]],
    threshold: float,
    common: frozenset[str],
    restricting: bool,
    stats: ScanStats,
) -> Iterator[Candidate]:
    """The candidates of one block whose pairs this block is the first (smallest key) to yield."""
    # The order of the in-memory scan: in-scope records in the scan's order, then the namesakes.
    rows.sort(key=lambda row: (0, row[11]) if row[11] is not None else (1, row[1]))
    records: dict[int, Record] = {}
    live: dict[int, frozenset[str]] = {}
    for row in rows:
        records[row[1]] = Record.from_values(row[1:11], in_scope=row[11] is not None)
        live[row[1]] = frozenset(row[12])
    restricted = restricting and _is_name_key(key)
    pairs = _block_pairs(list(records), records, restricted)
    if pairs is None:  # the query marked the oversized blocks with the same rule
        raise RuntimeError(f"Block {key!r} is oversized but was streamed.")
    for first, second in pairs:
        a, b = records[first], records[second]
        if not (a.in_scope or b.in_scope):
            continue
        if _first_shared_key(live[first], live[second], a, b, restricting) != key:
            continue  # compared in another block
        stats.comparisons += 1
        candidate = fuzzy_candidate(a, b, threshold, common)
        if candidate is not None:
            yield candidate


def _first_shared_key(keys_a: frozenset[str], keys_b: frozenset[str], a: Record, b: Record, restricting: bool) -> str:
    """The smallest key of the live blocks both records are in that yields their pair: a restricted
    name block does not yield two dated records (`duplicates._yielded_before`)."""
    both_dated = restricting and a.birth_date is not None and b.birth_date is not None
    shared = keys_a & keys_b
    if both_dated:
        shared = [k for k in shared if not _is_name_key(k)]
    return min(shared)
