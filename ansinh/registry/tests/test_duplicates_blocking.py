"""Decision 0017: name-part penalties, and name blocks that skip pairs their date block covers."""

from datetime import date

import pytest

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


def _compared_with_a_set(records, blocks, threshold):
    """The pairs the scan compared before it kept no set of them, in the order compared: the
    first block yielding a pair compares it, a set of the pairs compared skips it afterwards."""
    seen, compared = set(), []
    for key, ids in blocks.items():
        restricted = threshold > duplicates.BEST_SCORE_OTHER_DATE and key.split("|")[0] in duplicates.NAME_KEYS
        for first, second in duplicates._block_pairs(ids, records, restricted) or []:
            a, b = records[first], records[second]
            if (a.in_scope or b.in_scope) and (min(first, second), max(first, second)) not in seen:
                seen.add((min(first, second), max(first, second)))
                compared.append((first, second))
    return compared


def _scan_recording_comparisons(monkeypatch, records, threshold, blocks=None):
    scored = []

    def recording(a, b, limit, common=frozenset()):
        scored.append((a.id, b.id))
        return score_pair(a, b)[0] if limit <= 0 else None

    monkeypatch.setattr(duplicates, "scored_above", recording)
    stats = ScanStats()
    found = [(c.member_a, c.member_b, c.evidence["names"])
             for c in fuzzy_candidates(records, threshold=threshold, stats=stats, blocks=blocks)]  # fmt: skip
    return found, scored, stats


def test_a_pair_sharing_several_blocks_is_compared_once(monkeypatch):
    born = date(1980, 4, 7)
    a = _record(1, "Nguyễn Văn Hùng", birth_date=born)
    b = _record(2, "Nguyen Van Hung", birth_date=born)
    shared = duplicates.block_keys(a) & duplicates.block_keys(b)
    assert len(shared) >= 5  # ny, fn (one or two), nc, dg, df
    found, scored, stats = _scan_recording_comparisons(monkeypatch, {1: a, 2: b}, 0.0)
    assert scored == [(1, 2)] and stats.comparisons == 1 and stats.blocks == len(shared)
    assert found == [(1, 2, ["Nguyễn Văn Hùng", "Nguyen Van Hung"])]


@pytest.mark.parametrize("threshold", [0.0, 0.84, 0.85])
@pytest.mark.parametrize("max_block", [400, 6])
@pytest.mark.parametrize("reverse", [False, True])
def test_each_pair_is_compared_in_the_first_block_yielding_it_as_with_a_set(monkeypatch, threshold, max_block, reverse):
    """Namesakes dated and not, several communes, records out of scope, a shared CCCD, oversized
    and restricted blocks, the blocks in either order: the same comparisons, in the same order and
    orientation (the order of names in the evidence), as with a set of the pairs compared."""
    monkeypatch.setattr(duplicates, "MAX_BLOCK_SIZE", max_block)
    records = {pk: r for pk, r in _population().items() if pk % 9 == 0 or pk >= 500}
    extra = [
        _record(600, "Nguyễn Thị Thảo", birth_year=1994, sex="female", commune=2),  # year only, fn of two halves
        _record(601, "Nguyễn Thị Thảo", birth_year=1993, sex="female"),
        _record(602, "Nguyen Thi Thao", birth_date=date(1993, 9, 9), sex="female", commune=2),
        _record(603, "Nguyễn Thị Thảo", birth_date=date(1993, 9, 9), sex="female", commune=6),
        _record(604, "Nguyễn Thị Thảo", birth_date=date(1994, 1, 1), sex="female", commune=2),
        _record(605, "Nguyễn Thị Thao", birth_date=date(1993, 9, 5), sex="female", commune=4),
    ]
    records |= {r.id: r for r in extra}
    for pk in (9, 18, 603):  # loaded as namesakes of the area scanned, not in it
        records[pk].in_scope = False
    records[602].id_number = records[603].id_number = "038193000001"
    blocks = build_blocks(records.values())
    if reverse:
        blocks = {key: ids[::-1] for key, ids in reversed(blocks.items())}
    expected = _compared_with_a_set(records, blocks, threshold)
    assert len(expected) < sum(len(ids) * (len(ids) - 1) // 2 for ids in blocks.values())  # pairs do repeat
    found, scored, stats = _scan_recording_comparisons(monkeypatch, records, threshold, blocks)
    assert stats.comparisons == len(expected)
    assert scored == [pair for pair in expected if pair != (602, 603) and pair != (603, 602)]
    names = {pair: [records[pair[0]].full_name, records[pair[1]].full_name] for pair in expected}
    assert found == [(min(pair), max(pair), names[pair]) for pair in scored if threshold <= 0]


# -- decision 0020: middle names by edits, common names ------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "differs"),
    [
        ("Lê Thành Đức", "Lê Hoàng Đức", True),  # another middle name, however alike the letters
        ("Nguyễn Đình Quang", "Nguyễn Văn Quang", True),
        ("Nguyễn Đình Quang", "Nguyễn Minh Quang", False),  # one letter: a slip, unless both are common (below)
        ("Nguyễn Minh Tuấn", "Nguyễn Mnih Tuấn", False),  # two letters swapped: a slip
        ("Nguyễn Công Hải", "Nguyễn Côg Hải", False),  # a dropped letter
        ("Nguyễn Thị Hoa", "Nguyễn Thị Mai Hoa", False),  # a shorter form of the middle name
        ("Trần Văn Minh Khôi", "Trần Minh Khôi", False),
        ("Võ Văn Kiệt", "Võ Kiệt", False),  # no middle name on one side
    ],
)
def test_a_middle_name_differs_when_it_is_another_name(first, second, differs):
    born = date(1990, 3, 4)
    score, evidence = score_pair(_record(1, first, birth_date=born), _record(2, second, birth_date=born, commune=2))
    assert ("middle_names_differ" in evidence["rules"]) is differs
    assert (score < duplicates.DEFAULT_THRESHOLD) is differs, score


def _with_common_names(count):
    """`count` women named Hằng and `count` named Hạnh, on dates nobody else has."""
    people = []
    for i in range(count):
        people.append(_record(1000 + i, "Trần Thị Hằng", birth_date=date(1950 + i % 40, 1 + i % 12, 1), sex="female"))
        people.append(_record(5000 + i, "Lò Thị Hạnh", birth_date=date(1950 + i % 40, 1 + i % 12, 2), sex="female"))
    return people


def test_common_name_words_are_those_many_records_hold():
    people = _with_common_names(duplicates.COMMON_WORD_MIN)
    people.append(_record(1, "Nguyễn Thị Gaing", birth_date=date(1984, 11, 14), sex="female"))
    common = duplicates.common_name_words(people)
    assert {"thi", "hang", "hanh", "tran", "lo"} <= common
    assert not {"gaing", "nguyen"} & common
    # A small population has no common words: the rule is off there.
    assert duplicates.common_name_words(people[:20]) == frozenset()


def test_two_common_names_one_letter_apart_are_two_people_not_a_typo():
    born = date(2020, 1, 23)
    hang = _record(1, "Nguyễn Thị Hằng", birth_date=born, sex="female")
    hanh = _record(2, "Nguyễn Thị Hạnh", birth_date=born, sex="female", commune=2)
    common = frozenset({"nguyen", "thi", "hang", "hanh"})
    alone, evidence_alone = score_pair(hang, hanh)
    score, evidence = score_pair(hang, hanh, common)
    assert "common_names_differ" not in evidence_alone["rules"] and alone >= duplicates.DEFAULT_THRESHOLD
    assert "common_names_differ" in evidence["rules"] and "one_letter_typo" in evidence["rules"]
    assert score == round(alone - duplicates.COMMON_NAMES_DIFFER_PENALTY, 4) < duplicates.DEFAULT_THRESHOLD
    assert duplicates.scored_above(hang, hanh, 0.0, common) == score
    # A slip that makes a word nobody bears is still a typo.
    typo = _record(3, "Nguyễn Thị Hagn", birth_date=born, sex="female", commune=3)
    score, evidence = score_pair(hang, typo, common)
    assert "common_names_differ" not in evidence["rules"] and score >= duplicates.DEFAULT_THRESHOLD


def test_the_scan_learns_common_names_from_the_records_it_scans():
    born = date(2020, 1, 23)
    pair = [
        _record(1, "Nguyễn Thị Hằng", birth_date=born, sex="female"),
        _record(2, "Nguyễn Thị Hạnh", birth_date=born, sex="female", commune=2),
    ]
    small = {r.id: r for r in pair}
    large = small | {r.id: r for r in _with_common_names(duplicates.COMMON_WORD_MIN)}

    def found(records):
        stats = ScanStats()
        return {(c.member_a, c.member_b) for c in fuzzy_candidates(records, threshold=0.85, stats=stats)}

    assert (1, 2) in found(small)  # too few records to tell a real name from a slip
    assert (1, 2) not in found(large)
