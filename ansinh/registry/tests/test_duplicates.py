"""Candidate generation: blocking finds the expected variants, scores separate the labelled set."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from ansinh.core.text import fold_vietnamese
from ansinh.jobs.models import JobStatus
from ansinh.registry.duplicates import (
    BEST_SCORE_OTHER_DATE,
    EVIDENCE_RULES,
    Record,
    ScanStats,
    block_keys,
    duplicate_pairs_for_member,
    duplicates_scan,
    fuzzy_candidates,
    members_in_area,
    score_pair,
)
from ansinh.registry.models import DuplicatePair, Member
from ansinh.registry.services import MemberData, member_add
from ansinh.registry.services_duplicates import duplicate_mark_different, duplicate_scan_start

from .factories import head, make_household, member

CCCD_AN = "038075001234"  # Thanh Hóa, male, born 1975 (matches the factory head)


def _head(household) -> Member:
    return household.members.get(relation="head")


def _pair(x: Member, y: Member) -> DuplicatePair | None:
    a, b = sorted((x.pk, y.pk))
    return DuplicatePair.objects.filter(member_a_id=a, member_b_id=b).first()


def _record(name, *, birth_date=None, birth_year=None, sex="male", commune=1, pk=1, id_number=""):
    row = {
        "id": pk, "full_name": name, "name_folded": fold_vietnamese(name), "sex": sex, "birth_date": birth_date,
        "birth_year": birth_date.year if birth_date else birth_year, "id_number": id_number,
        "household__commune_id": commune, "household__commune__name": f"Xã {commune}", "household__unit_path": "/x/",
    }  # fmt: skip
    return Record.from_row(row)


@pytest.fixture
def variants(units):
    """One person entered five ways, plus people who only look alike."""
    hung = date(1980, 4, 7)
    base = make_household(
        units.tho_xuan, village=units.t1, code="A1", members=[head("Nguyễn Văn Hùng", birth_date=hung)]
    )
    typo = make_household(
        units.tho_xuan, village=units.t2, code="A2", members=[head("Nguyễn Văn Hùnh", birth_date=hung)]
    )
    plain = make_household(units.hac_thanh, code="A3", members=[head("Nguyen Van Hung", birth_date=hung)])
    swapped = make_household(units.mdrak, code="A4", members=[head("Nguyễn Văn Hùng", birth_date=date(1980, 7, 4))])
    others = make_household(
        units.tho_xuan, village=units.t1, code="A5",
        members=[head("Trần Thị Mai", sex="female", birth_date=hung),
                 member("Nguyễn Văn Hải", sex="male", relation="child", birth_year=1980),
                 member("Nguyễn Văn Long", sex="male", relation="child", birth_date=date(2001, 9, 2)),
                 member("Nguyễn Văn Hổ", sex="male", relation="child", birth_date=date(2001, 9, 2))],
    )  # fmt: skip
    return {
        "base": _head(base), "typo": _head(typo), "plain": _head(plain), "swapped": _head(swapped),
        **{m.full_name: m for m in others.members.all()},
    }  # fmt: skip


def test_scan_finds_typo_lost_diacritics_swapped_date_and_other_communes(variants):
    stats = duplicates_scan(members=members_in_area(""))
    base = variants["base"]
    typo = _pair(base, variants["typo"])
    plain = _pair(base, variants["plain"])
    swapped = _pair(base, variants["swapped"])
    assert typo is not None and "one_letter_typo" in typo.evidence["rules"]
    assert plain is not None and "lost_diacritics" in plain.evidence["rules"] and plain.score == 1.0
    assert "different_communes" in plain.evidence["rules"]
    assert swapped is not None and "day_month_swapped" in swapped.evidence["rules"]
    assert {plain.unit_path_a, plain.unit_path_b} == {base.household.unit_path, variants["plain"].household.unit_path}
    assert stats.new == DuplicatePair.objects.count() >= 3
    # Look-alikes are not proposed: same date other name, same year other given name, twins.
    for name in ("Trần Thị Mai", "Nguyễn Văn Hải"):
        assert _pair(base, variants[name]) is None
    assert _pair(variants["Nguyễn Văn Long"], variants["Nguyễn Văn Hổ"]) is None


def test_each_variant_shares_a_block_with_the_original():
    original = _record("Nguyễn Văn Hùng", birth_date=date(1980, 4, 7))
    for variant in (
        _record("Nguyễn Văn Hùnh", birth_date=date(1980, 4, 7), commune=2),
        _record("Nguyen Van Hung", birth_year=1981, commune=3),
        _record("Nguyễn Văn Hùng", birth_date=date(1980, 7, 4), commune=4),
        _record("Nguyễn Văn Kùng", birth_date=date(1980, 4, 7), commune=5),
        _record("Nguyễn Hùng", birth_year=1980),
    ):
        assert block_keys(original) & block_keys(variant), variant.full_name


# A small labelled set: (name, birth, name, birth, same person?)
LABELLED = [
    ("Nguyễn Văn An", date(1975, 3, 2), "Nguyen Van An", date(1975, 3, 2), True),
    ("Lê Thị Hồng", date(1990, 11, 5), "Lê Thị Hồng", date(1990, 5, 11), True),
    ("Phạm Minh Tuấn", date(1988, 1, 30), "Phạm Minh Tuân", date(1988, 1, 30), True),
    ("Hoàng Văn Dũng", 1962, "Hoàng Văn Dũng", date(1962, 8, 8), True),
    ("Đặng Thị Thu", date(1970, 6, 1), "Dang Thi Thu", 1970, True),
    ("Võ Văn Kiệt", date(1955, 2, 3), "Võ Kiệt", date(1955, 2, 3), True),
    ("Bùi Thị Lan", date(1999, 9, 9), "Bùi Thị Lan", date(1999, 9, 9), True),
    ("Nguyễn Văn Long", date(2001, 9, 2), "Nguyễn Văn Hổ", date(2001, 9, 2), False),
    ("Nguyễn Văn An", date(1975, 3, 2), "Nguyễn Văn An", date(1975, 10, 21), False),
    ("Lê Văn Nam", date(1980, 1, 1), "Lê Thị Nga", date(1980, 1, 1), False),
    ("Trần Văn Bình", date(1950, 5, 5), "Trần Văn Bình", date(1985, 5, 5), False),
    ("Phan Thị Mỹ", 1960, "Phan Thị Mai", 1961, False),
    ("Ngô Văn Tài", date(1992, 3, 3), "Ngô Văn Toàn", date(1992, 3, 3), False),
]


def _sex(name: str) -> str:
    return "female" if " thi " in fold_vietnamese(name) else "male"


def test_precision_and_recall_on_a_labelled_set():
    true_positive = false_positive = false_negative = 0
    for index, (name_a, birth_a, name_b, birth_b, same) in enumerate(LABELLED):
        kw_a = {"birth_date": birth_a} if isinstance(birth_a, date) else {"birth_year": birth_a}
        kw_b = {"birth_date": birth_b} if isinstance(birth_b, date) else {"birth_year": birth_b}
        a = _record(name_a, pk=2 * index + 1, sex=_sex(name_a), **kw_a)
        b = _record(name_b, pk=2 * index + 2, sex=_sex(name_b), **kw_b)
        proposed = bool(block_keys(a) & block_keys(b)) and score_pair(a, b)[0] >= 0.85
        true_positive += proposed and same
        false_positive += proposed and not same
        false_negative += same and not proposed
    assert true_positive == 7
    assert false_positive == 0
    assert false_negative == 0


def test_different_cccd_lowers_the_score():
    a = _record("Nguyễn Văn An", birth_date=date(1975, 3, 2), id_number="038075001234")
    b = _record("Nguyễn Văn An", birth_date=date(1975, 3, 2), pk=2, id_number="038075009999")
    score, evidence = score_pair(a, b)
    assert score < 0.85
    assert "id_numbers_differ" in evidence["rules"]


def test_decided_pairs_are_never_proposed_again_and_pending_ones_are_updated(variants, users):
    first = duplicates_scan(members=members_in_area(""))
    count = DuplicatePair.objects.count()
    pair = _pair(variants["base"], variants["typo"])
    duplicate_mark_different(actor=users.commune_officer, pair=pair, reason="Hai anh em họ")
    second = duplicates_scan(members=members_in_area(""))
    assert DuplicatePair.objects.count() == count
    assert second.new == 0
    assert second.skipped_decided == 1
    assert second.updated == first.new - 1
    pair.refresh_from_db()
    assert pair.status == "different"


def test_a_commune_scan_also_finds_the_same_person_elsewhere(variants, units):
    stats = duplicates_scan(members=members_in_area(units.hac_thanh.path))
    assert stats.records == 1
    assert _pair(variants["base"], variants["plain"]) is not None
    # Pairs with neither member in the scanned commune are not this scan's business.
    assert _pair(variants["base"], variants["typo"]) is None


def test_dead_and_merged_members_are_not_candidates(units, users):
    make_household(units.tho_xuan, code="D1", members=[head("Lê Văn Tám", birth_date=date(1940, 1, 1))])
    make_household(
        units.tho_xuan, code="D2",
        members=[head("Lê Văn Tư"), member("Lê Văn Tám", sex="male", relation="parent", birth_year=1940,
                                            death_date=date(2020, 1, 1))],
    )  # fmt: skip
    duplicates_scan(members=members_in_area(""))
    assert not DuplicatePair.objects.exists()


def test_same_cccd_accepted_with_a_reason_is_a_pair_at_once_with_the_reason(units, users):
    household = make_household(units.tho_xuan, code="C1", members=[head(id_number=CCCD_AN)])
    other = make_household(
        units.tho_xuan, village=units.t2, code="C2", members=[head("Trần Văn Cường", birth_date=date(1960, 5, 6))]
    )
    added = member_add(
        actor=users.commune_officer,
        household=other,
        data=MemberData(full_name="Nguyễn Văn Ân", sex="male", relation="sibling", birth_date=date(1975, 3, 2),
                        id_number=CCCD_AN, id_duplicate_reason="Nhập lại từ sổ cũ, chờ xác minh"),
    )  # fmt: skip
    pairs = duplicate_pairs_for_member(member=added)
    assert len(pairs) == 1
    pair = DuplicatePair.objects.get()
    assert (pair.kind, pair.score) == ("id_number", 1.0)
    assert pair.evidence["overrides"][0]["reason"] == "Nhập lại từ sổ cũ, chờ xác minh"
    assert "same_id_number" in pair.evidence["rules"]
    assert {pair.member_a_id, pair.member_b_id} == {_head(household).pk, added.pk}
    stats = duplicates_scan(members=members_in_area(""))
    assert stats.new == 0 and DuplicatePair.objects.count() == 1  # stored once, as a CCCD pair


def test_blocking_keeps_comparisons_far_below_all_pairs(units):
    given = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lâm", "Minh", "Nam", "Phúc", "Quang"]
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"]
    code = 0
    for f in family:
        for g_index, g in enumerate(given):
            code += 1
            make_household(
                units.tho_xuan, code=f"B{code}",
                members=[head(f"{f} Văn {g}", birth_date=date(1950 + code % 40, 1 + g_index, 1 + code % 28))],
            )  # fmt: skip
    stats = duplicates_scan(members=members_in_area(""))
    n = stats.records
    assert n == 60
    assert stats.comparisons < n * (n - 1) / 2 / 10
    assert stats.pairs_found == 0


def test_scan_job_reports_blocks_as_progress(variants, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = duplicate_scan_start(actor=users.province_officer)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.total == job.done == job.result["blocks"] > 0
    assert job.params["paths"] == [users.province_officer.area_scope("registry.decide_duplicate").minimal_paths()[0]]
    assert job.result["pairs_found"] >= 2
    assert job.unit_path == variants["base"].household.unit_path.split("16000/")[0]


@pytest.mark.parametrize(("actor", "labels"), [
    ("system_admin", {"en": "Find duplicate people: nationwide", "vi": "Tìm người trùng: toàn quốc"}),
    ("commune_officer", {"en": "Find duplicate people: Xã Thọ Xuân", "vi": "Tìm người trùng: Xã Thọ Xuân"}),
])  # fmt: skip
def test_the_scans_label_is_read_in_the_readers_language(users, actor, labels):
    from django.utils import translation

    with translation.override("en"):
        job = duplicate_scan_start(actor=getattr(users, actor))
    assert job.label == labels["en"]  # as written, in the starter's language
    for reader, label in labels.items():
        with translation.override(reader):
            assert job.label_text() == label


def test_command_prints_a_json_summary(variants):
    out = io.StringIO()
    call_command("registry_find_duplicates", "--province", "38", "--threshold", "0.9", stdout=out)
    summary = json.loads(out.getvalue())
    assert {"pairs_found", "new", "blocks", "seconds"} <= set(summary)
    assert summary["new"] == DuplicatePair.objects.count() > 0
    # The Đắk Lắk record (swapped date) is still found: it has the same folded name.
    assert _pair(variants["base"], variants["swapped"]) is not None


# Score and evidence pinned (the scan skips building the evidence below the threshold, so what it
# stores must stay exactly what `score_pair` says): (record a, record b, score, rules, name
# similarity, given-name similarity, date agreement, dates). Records: (name, birth, sex, commune, CCCD).
PINNED = [
    (("Nguyễn Văn Hùng", date(1980, 4, 7), "male", 1, ""), ("Nguyen Van Hung", date(1980, 4, 7), "male", 2, ""),
     1.0, ["same_date", "lost_diacritics", "different_communes"], 1.0, 1.0, 1.0, ["1980-04-07", "1980-04-07"]),
    (("Nguyễn Văn Hùng", date(1980, 4, 7), "male", 1, ""), ("Nguyễn Văn Hùnh", date(1980, 4, 7), "male", 1, ""),
     0.905, ["same_date", "one_letter_typo", "same_commune"], 0.9333, 0.75, 1.0, ["1980-04-07", "1980-04-07"]),
    (("Lê Thị Hồng", date(1990, 11, 5), "female", 1, ""), ("Lê Thị Hồng", date(1990, 5, 11), "female", 3, ""),
     0.96, ["day_month_swapped", "same_name", "different_communes"], 1.0, 1.0, 0.9, ["1990-11-05", "1990-05-11"]),
    (("Đặng Thị Thu", date(1970, 6, 1), "female", 1, ""), ("Dang Thi Thu", 1970, "female", 1, ""),
     0.9, ["same_year", "lost_diacritics", "same_commune"], 1.0, 1.0, 0.75, ["1970-06-01", "1970"]),
    (("Thị Lan Bùi", 1999, "female", 1, ""), ("Bùi Thị Lan", 1999, "female", 1, ""),
     0.1, ["same_year", "name_order_differs", "family_names_differ", "given_names_differ", "middle_names_differ",
            "same_commune"], 1.0, 0.0, 0.75, ["1999", "1999"]),
    (("Nguyễn Văn Long", date(2001, 9, 2), "male", 1, ""), ("Nguyễn Văn Hổ", date(2001, 9, 2), "male", 1, ""),
     0.6071, ["same_date", "given_names_differ", "same_commune"], 0.8571, 0.3333, 1.0, ["2001-09-02", "2001-09-02"]),
    (("Nguyễn Văn An", date(1975, 3, 2), "male", 1, CCCD_AN),
     ("Nguyễn Văn An", date(1975, 3, 2), "male", 1, "038075009999"),
     0.7, ["same_date", "same_name", "id_numbers_differ", "same_commune"], 1.0, 1.0, 1.0, ["1975-03-02", "1975-03-02"]),
    (("Phan Thị Mỹ", 1960, "female", 1, ""), ("Phan Thị Mai", 1961, "male", 1, ""),
     0.3309, ["year_off_by_one", "given_names_differ", "sex_differs", "same_commune"], 0.8696, 0.4, 0.5,
     ["1960", "1961"]),
    (("Lê Văn Hoàng", date(1982, 6, 23), "male", 1, ""), ("Trần Đình Hoàng", date(1982, 6, 23), "male", 1, ""),
     0.5278, ["same_date", "family_names_differ", "middle_names_differ", "same_commune"], 0.5926, 1.0, 1.0,
     ["1982-06-23", "1982-06-23"]),
]  # fmt: skip


def _pinned_records(case):
    records = []
    for pk, (name, birth, sex, commune, id_number) in enumerate(case[:2], start=1):
        born = {"birth_date": birth} if isinstance(birth, date) else {"birth_year": birth}
        records.append(_record(name, pk=pk, sex=sex, commune=commune, id_number=id_number, **born))
    a, b = records
    score, rules, whole, given, date_score, dates = case[2:]
    evidence = {
        "rules": rules, "name_similarity": whole, "given_name_similarity": given, "date_agreement": date_score,
        "names": [case[0][0], case[1][0]], "dates": dates, "communes": [f"Xã {case[0][3]}", f"Xã {case[1][3]}"],
    }  # fmt: skip
    return a, b, score, evidence


@pytest.mark.parametrize("case", PINNED, ids=lambda case: f"{case[0][0]}/{case[1][0]}")
def test_score_and_evidence_of_representative_pairs_are_pinned(case):
    a, b, score, evidence = _pinned_records(case)
    assert score_pair(a, b) == (score, evidence)
    assert set(evidence["rules"]) <= set(EVIDENCE_RULES)


@pytest.mark.parametrize("threshold", [0.85, 0.5, 0.0])
def test_the_scan_yields_exactly_the_score_and_evidence_of_pairs_at_or_above_the_threshold(threshold):
    for case in PINNED:
        a, b, score, evidence = _pinned_records(case)
        stats = ScanStats()
        found = [(c.member_a, c.member_b, c.score, c.evidence)
                 for c in fuzzy_candidates({a.id: a, b.id: b}, threshold=threshold, stats=stats)]  # fmt: skip
        compared = bool(block_keys(a) & block_keys(b))  # none of them shares a CCCD
        assert stats.comparisons == int(compared), case[:2]
        if threshold > BEST_SCORE_OTHER_DATE and a.birth_date and not b.birth_date:
            # Above that bound a name block compares its year-only records first (`_block_pairs`).
            evidence |= {side: evidence[side][::-1] for side in ("names", "dates", "communes")}
        expected = [(1, 2, score, evidence)] if compared and score >= threshold else []
        assert found == expected, case[:2]


def test_a_load_shares_equal_strings_between_records(variants, units):
    from ansinh.registry.duplicates import _load_records

    records = _load_records(members_in_area(units.tho_xuan.path), extend=False)
    long, ho = records[variants["Nguyễn Văn Long"].pk], records[variants["Nguyễn Văn Hổ"].pk]
    assert long.commune_name is ho.commune_name and long.unit_path is ho.unit_path
    assert long.family is ho.family and long.middle is ho.middle and long.birth_date is ho.birth_date
    assert (long.given, ho.given) == ("long", "ho")
