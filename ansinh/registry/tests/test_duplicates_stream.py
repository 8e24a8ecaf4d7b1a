"""The streamed fuzzy pass yields exactly what the in-memory one does (PostgreSQL only)."""

from datetime import date

import pytest
from django.db import connection

from ansinh.demo.synthetic import synthetic_registry_generate
from ansinh.registry import duplicates
from ansinh.registry.choices import MemberStatus
from ansinh.registry.duplicates import (
    Record,
    ScanStats,
    _block_keys,
    _load_records,
    common_name_words,
    fuzzy_candidates,
    living_members,
    members_in_area,
)
from ansinh.registry.duplicates_stream import (
    common_name_words_sql,
    fuzzy_candidates_streamed,
    streaming_supported,
)
from ansinh.registry.models import Member

from .factories import head, make_household, member
from .test_duplicates import variants  # noqa: F401  (fixture)

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the streamed scan needs PostgreSQL")


def _found(candidates):
    return sorted(
        (c.member_a, c.member_b, c.kind, c.score, c.evidence, c.unit_path_a, c.unit_path_b) for c in candidates
    )


def _both(members, threshold, *, extend=True):
    memory_stats, stream_stats = ScanStats(), ScanStats()
    records = _load_records(members, extend=extend)
    memory = _found(fuzzy_candidates(records, threshold=threshold, stats=memory_stats))
    calls = []
    streamed = _found(
        fuzzy_candidates_streamed(
            members, threshold=threshold, stats=stream_stats, extend=extend, on_block=lambda: calls.append(1)
        )
    )
    counts = (memory_stats.blocks, memory_stats.oversized_blocks, memory_stats.comparisons)
    assert (stream_stats.blocks, stream_stats.oversized_blocks, stream_stats.comparisons) == counts
    assert len(calls) == stream_stats.blocks
    return memory, streamed, memory_stats


def test_other_databases_keep_the_in_memory_path():
    if streaming_supported():
        pytest.skip("PostgreSQL streams")
    with pytest.raises(NotImplementedError):
        next(fuzzy_candidates_streamed(Member.objects.none(), threshold=0.85, stats=ScanStats()))


@pg_only
@pytest.mark.parametrize("threshold", [0.85, 0.5, 0.0])
@pytest.mark.parametrize("extend", [True, False])
@pytest.mark.parametrize("max_block_size", [400, 2, 1])
def test_same_candidates_as_in_memory_on_the_variants(variants, units, monkeypatch, threshold, extend, max_block_size):  # noqa: F811
    """A small MAX_BLOCK_SIZE makes blocks oversized: the next block the pair shares compares it."""
    monkeypatch.setattr(duplicates, "MAX_BLOCK_SIZE", max_block_size)
    people = [head("Nguyễn Văn Hùng", birth_year=1980), member("Nguyễn Văn Hải", relation="child", birth_year=1981)]
    make_household(units.hac_thanh, code="B1", members=people)
    for path in ("", units.tho_xuan.path):
        memory, streamed, _stats = _both(members_in_area(path), threshold, extend=extend)
        assert streamed == memory, path


@pg_only
def test_sql_keys_are_the_keys_of_the_records(variants, units):  # noqa: F811
    from ansinh.registry.duplicates_stream import _KEYED_SQL, _loaded_cte

    people = [head("Lê Thị Ánh", sex="female", birth_date=date(1999, 12, 3)), member("Đỗ Đức", birth_year=2011)]
    make_household(units.tho_xuan, code="K1", members=people)
    records = _load_records(members_in_area(""), extend=True)
    expected = sorted((pk, key) for pk, record in records.items() for key in _block_keys(record))
    loaded_sql, params = _loaded_cte(members_in_area(""), extend=True)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {loaded_sql}, keyed AS ({_KEYED_SQL}) SELECT id, bkey FROM keyed", params)  # noqa: S608
        assert sorted(cursor.fetchall()) == expected


@pg_only
@pytest.mark.parametrize("threshold", [0.85, 0.5])
@pytest.mark.parametrize("max_block_size", [400, 3, 2])
def test_same_candidates_as_in_memory_on_a_generated_registry(units, tmp_path, monkeypatch, threshold, max_block_size):
    synthetic_registry_generate(
        province_code="38", households=1500, seed=3, today=date(2026, 3, 2), ground_truth=tmp_path / "gt.json"
    )
    monkeypatch.setattr(duplicates, "MAX_BLOCK_SIZE", max_block_size)
    # Some dead members (never loaded); a commune scan also loads its namesakes elsewhere.
    ids = list(Member.objects.order_by("id").values_list("id", flat=True)[:300:7])
    Member.objects.filter(pk__in=ids).update(status=MemberStatus.DEAD)
    commune = Member.objects.order_by("id").values_list("household__unit_path", flat=True).first()
    for members, whole in ((members_in_area(""), True), (members_in_area(commune), False)):
        memory, streamed, stats = _both(members, threshold)
        assert streamed == memory
        assert memory, "the registry has duplicates"
        if max_block_size < 10 and whole and threshold < duplicates.BEST_SCORE_OTHER_DATE:
            assert stats.oversized_blocks > 0


@pg_only
def test_common_name_words_are_counted_by_the_database(units, tmp_path, monkeypatch):
    synthetic_registry_generate(
        province_code="38", households=1500, seed=3, today=date(2026, 3, 2), ground_truth=tmp_path / "gt.json"
    )
    monkeypatch.setattr(duplicates, "COMMON_WORD_MIN", 5)
    monkeypatch.setattr("ansinh.registry.duplicates_stream.COMMON_WORD_MIN", 5)
    for extend in (True, False):
        members = members_in_area(Member.objects.values_list("household__unit_path", flat=True).first())
        expected = common_name_words(_load_records(members, extend=extend).values())
        assert common_name_words_sql(members, extend=extend) == expected
    whole = common_name_words(_load_records(members_in_area(""), extend=True).values())
    assert whole and common_name_words_sql(members_in_area("")) == whole


@pg_only
def test_evidence_puts_the_records_in_the_in_memory_order(units):
    """Above the bound a year-only record comes first; otherwise the scan's order (namesakes last)."""
    born = date(1990, 5, 6)
    first = make_household(units.tho_xuan, code="Z9", members=[head("Phạm Văn Toàn", birth_date=born)])
    make_household(units.tho_xuan, code="A0", members=[head("Phạm Văn Toàn", birth_year=1990)])
    make_household(units.hac_thanh, code="A1", members=[head("Pham Van Toan", birth_date=born)])
    assert living_members(Member.objects.filter(household=first)).exists()
    for path in ("", units.tho_xuan.path):
        for threshold in (0.85, 0.5):
            memory, streamed, _stats = _both(members_in_area(path), threshold)
            assert streamed == memory and memory, (path, threshold)


def test_a_record_from_a_row_has_the_fields_the_stream_reads():
    # The stream builds records from (id, ..., unit_path) in `_ROW_FIELDS` order.
    values = (1, "Lê A", "le a", "male", None, 1990, "", 3, "Xã", "/x/")
    record = Record.from_values(values, in_scope=False)
    assert (record.family, record.given, record.commune_id, record.in_scope) == ("le", "a", 3, False)
