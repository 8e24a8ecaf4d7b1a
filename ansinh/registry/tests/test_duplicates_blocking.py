"""Decision 0017: name-part penalties, and name blocks that skip pairs their date block covers."""

from datetime import date

from ansinh.core.text import fold_vietnamese
from ansinh.registry import duplicates
from ansinh.registry.duplicates import Record, ScanStats, build_blocks, fuzzy_candidates, score_pair


def _record(pk, name, *, birth_date=None, birth_year=None, sex="male", commune=1):
    row = {
        "id": pk, "full_name": name, "name_folded": fold_vietnamese(name), "sex": sex, "birth_date": birth_date,
        "birth_year": birth_date.year if birth_date else birth_year, "id_number": "",
        "household__commune_id": commune, "household__commune__name": f"Xã {commune}", "household__unit_path": "/x/",
    }  # fmt: skip
    return Record.from_row(row)


def test_another_family_given_or_middle_name_lowers_the_score_and_says_why():
    born = date(1982, 6, 23)
    base = _record(1, "Lê Văn Hoàng", birth_date=born)
    for other, rule in (
        ("Lê Văn Phong", "given_names_differ"),
        ("Trần Văn Hoàng", "family_names_differ"),
        ("Lê Đình Hoàng", "middle_names_differ"),
    ):
        score, evidence = score_pair(base, _record(2, other, birth_date=born, commune=2))
        assert rule in evidence["rules"], other
        assert score < duplicates.DEFAULT_THRESHOLD, (other, score)


def test_a_typo_or_a_missing_middle_name_is_not_a_disagreement():
    born = date(1973, 3, 7)
    base = _record(1, "Hoàng Hữu Nhật", birth_date=born)
    for other in ("Hoàng Hữu Nhậtt", "Hoàng Hữu Nhạt", "Hoàng Nhật", "Hoang Huu Nhat"):
        score, evidence = score_pair(base, _record(2, other, birth_date=born, commune=2))
        assert not {"given_names_differ", "family_names_differ", "middle_names_differ"} & set(evidence["rules"])
        assert score >= duplicates.DEFAULT_THRESHOLD, (other, score)


def _population():
    """Namesakes on many dates of one year (one name block), plus variants that must be found."""
    records = [_record(i, "Nguyễn Thị Thảo", birth_date=date(1993, 1 + i % 12, 1 + i % 28), sex="female")
               for i in range(1, 120)]  # fmt: skip
    records += [
        _record(500, "Nguyễn Thị Thảo", birth_date=date(1993, 2, 2), sex="female", commune=2),  # record 1's date
        _record(501, "Nguyen Thi Thao", birth_year=1993, sex="female", commune=3),  # a year only
        _record(502, "Nguyễn Thị Thả", birth_date=date(1993, 9, 5), sex="female", commune=4),  # typo + swapped
        _record(503, "Nguyễn Thị Thảo", birth_date=date(1993, 5, 9), sex="female", commune=5),
    ]
    return {r.id: r for r in records}


def _pairs(records, threshold):
    stats = ScanStats()
    found = {(c.member_a, c.member_b) for c in fuzzy_candidates(records, threshold=threshold, stats=stats)}
    return found, stats.comparisons


def test_name_blocks_skip_dated_pairs_without_losing_any_pair(monkeypatch):
    records = _population()
    found, comparisons = _pairs(records, 0.85)
    # The same pairs as comparing every pair of every block (the restriction switched off).
    monkeypatch.setattr(duplicates, "BEST_SCORE_OTHER_DATE", 1.0)
    everything, all_comparisons = _pairs(records, 0.85)
    assert found == everything
    assert comparisons < all_comparisons / 5
    assert {(1, 500), (502, 503)} <= found  # same date; typo with day and month swapped
    assert any(501 in pair for pair in found)  # the year-only record is still compared in its name block


def test_below_the_bound_every_pair_of_a_name_block_is_compared():
    records = _population()
    blocks = build_blocks(records.values())
    name_block = max((ids for key, ids in blocks.items() if key.startswith("fn|")), key=len)
    _found, comparisons = _pairs(records, 0.6)
    assert comparisons >= len(name_block) * (len(name_block) - 1) // 2
