"""Finding member records that may be the same person (candidate generation, no decisions).

Two sources of candidates:

- **Exact CCCD**: living members (not dead, not merged) sharing an `id_number` anywhere in the
  registry. Entry already blocks this unless an officer confirms it with a reason
  (`IdentityOverride`); such pairs still go to the queue, with the officer's reason as evidence.
- **Fuzzy**: records are put in *blocks* (records sharing a cheap key), and only records within a
  block are compared, so the work grows with the number of records times the block sizes instead
  of with the square of the registry. Keys are chosen so each expected variant shares at least one:

  ``ny``  family-name initial + given name + birth year     lost diacritics, typos in family/middle
  ``fn``  full name + half of (year, year+1)                 the same name with the year off by one
  ``nc``  full name + commune                                same name in one commune, any birth data
  ``dg``  birth date with day/month sorted + given initial   swapped day/month, typos in the name
  ``df``  birth date + family name                           a typo in the given name's first letter

  All names are folded (``fold_vietnamese``), so "Nguyen Van A" and "Nguyễn Văn A" share keys.

Scoring (0..1) mixes name similarity (rapidfuzz on folded names, with the given name weighted
apart: twins "Nguyễn Văn Long" / "Nguyễn Văn Hổ" share everything else) and date agreement, and
records which rules matched in the evidence the officer sees. A family name, given name or middle
name that is another word, not a slip of the keyboard, lowers the score (namesakes born on the
same day are common in a province); so does a one-letter difference between two names that are
both common in the population scanned ("Hằng" / "Hạnh": two real names, decision 0020). Name
blocks grow with the population, so above the score two different birth dates can reach, two
dated records are compared only in their date block (`_block_pairs`, decision 0017). Most
compared pairs stay below the threshold: the scan scores them without building their evidence
(`scored_above`) and calls `score_pair` only for the pairs it keeps, so both must give the same
score (`_combined_score`). Memory: equal strings of the loaded records are one object.

Namesakes: two records with the same folded name, sex and birth year score high whether they are
one person or two born the same day; what tells the two apart is how many people bear that name in
that year. When a pair is saved, the other living bearers in the registry are counted
(`count_namesakes`, stored as `DuplicatePair.namesakes` and shown in the evidence), and the queue
puts, among pairs of one score, those with fewer namesakes first (decision 0025). The pairs
themselves do not change: the count orders the officer's work, it drops nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from .choices import DuplicateKind, DuplicateStatus, MemberStatus
from .models import DuplicatePair, IdentityOverride, Member

DEFAULT_THRESHOLD = 0.85
# A block bigger than this (e.g. everyone born on 1/1/1960 whose given name starts with "h",
# nationally) would cost its square in comparisons; it is skipped and counted in the summary.
# Every variant the keys target also shares a smaller, more specific block.
MAX_BLOCK_SIZE = 400
SAVE_CHUNK = 500
# Blocks keyed by name rather than by birth date (see `block_keys`).
NAME_KEYS = frozenset({"ny", "fn", "nc"})

# Weights of the score: name similarity dominates; the date can lift or sink it.
NAME_WEIGHT = 0.6
DATE_WEIGHT = 0.4
SEX_DIFFERS_PENALTY = 0.1
ID_DIFFERS_PENALTY = 0.3
# Parts of the name that disagree beyond a slip of the keyboard. A typo changes one letter or
# tone, or swaps two neighbours (at most one OSA edit on the folded given name, a close family
# name); a different family or given name (same birth date, other person: "Lê Văn Hoàng" and
# "Lê Văn Phong") is another person far more often. A middle name missing on one side, or a
# shorter form of the other's, is not a disagreement ("Võ Văn Kiệt" = "Võ Kiệt", "Thị" = "Thị
# Ngọc"); otherwise the middle names follow the given name's rule (decision 0020). Measured on
# `bench_generate` registries: these penalties lift precision from 0.81 to 0.99 at 10k households
# at the same recall (docs/benchmarks.md).
FAMILY_DIFFERS_PENALTY = 0.2
FAMILY_MIN_SIMILARITY = 75
GIVEN_DIFFERS_PENALTY = 0.15
MIDDLE_DIFFERS_PENALTY = 0.15
# One name part one letter away from the other's, both common in the population scanned ("Hằng" /
# "Hạnh" folded "hang" / "hanh", "Hưng" / "Hương", "Phan" / "Phạm"): two real names, far more
# often two people than a typo, which mostly makes a word nobody else bears ("Gaing", "Mnih").
# Common: held by at least this share of the scanned records, and by at least COMMON_WORD_MIN of
# them (a small scan has no common words: the rule is then off). Decision 0020.
COMMON_NAMES_DIFFER_PENALTY = 0.15
COMMON_WORD_SHARE = 0.001
COMMON_WORD_MIN = 50
# The best score two records with full, different (not swapped) birth dates can reach: identical
# names, same year ("same_year" agreement 0.6). Above it, such pairs are not worth comparing.
BEST_SCORE_OTHER_DATE = NAME_WEIGHT * 1.0 + DATE_WEIGHT * 0.6

# Every rule the evidence of a pair can name (each has a label in `views_duplicates`).
EVIDENCE_RULES = (
    "same_id_number", "same_date", "day_month_swapped", "same_year", "year_off_by_one", "dates_differ",
    "same_name", "lost_diacritics", "one_letter_typo", "name_order_differs", "family_names_differ",
    "given_names_differ", "middle_names_differ", "common_names_differ", "sex_differs", "id_numbers_differ",
    "same_commune", "different_communes",
)  # fmt: skip

_ROW_FIELDS = (
    "id",
    "full_name",
    "name_folded",
    "sex",
    "birth_date",
    "birth_year",
    "id_number",
    "household__commune_id",
    "household__commune__name",
    "household__unit_path",
)


def default_threshold() -> float:
    return float(getattr(settings, "REGISTRY_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def living_members(queryset: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Members who can still be duplicates: not dead and not already merged into another record."""
    qs = Member.objects.all() if queryset is None else queryset
    return qs.filter(death_date__isnull=True).exclude(status__in=[MemberStatus.DEAD, MemberStatus.MERGED])


def members_in_area(path: str | None) -> QuerySet[Member]:
    """Members whose household lies under `path` (everything when `path` is empty)."""
    qs = Member.objects.all()
    if path:
        qs = qs.filter(Q(household__unit_path__startswith=path) | Q(household__successor_path__startswith=path))
    return qs


# -- records and keys ---------------------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """What comparing needs of one member (kept small: a province holds millions)."""

    id: int
    full_name: str
    folded: str
    family: str
    middle: str
    given: str
    sex: str
    birth_date: date | None
    birth_year: int
    id_number: str
    commune_id: int
    commune_name: str
    unit_path: str
    in_scope: bool = True

    @classmethod
    def from_row(cls, row: dict[str, Any], *, in_scope: bool = True) -> Record:
        return cls.from_values(tuple(row[name] for name in _ROW_FIELDS), in_scope=in_scope)

    @classmethod
    def from_values(cls, values: tuple[Any, ...], *, in_scope: bool = True, shared: dict | None = None) -> Record:
        """From the values of `_ROW_FIELDS` in their order (a `values_list` row: no dict per row).

        `shared` (one dict for a whole load) makes equal strings one object: names, name parts,
        communes, paths and dates repeat across a province's million records, and each row read
        from the database brings its own copies (about a third of a scan's memory at 1M persons)."""
        pk, full_name, folded, sex, birth_date, birth_year, id_number, commune_id, commune_name, unit_path = values
        folded = folded or ""
        parts = folded.split()
        family, middle, given = (parts[0] if parts else ""), " ".join(parts[1:-1]), (parts[-1] if parts else "")
        if shared is not None:
            one = shared.setdefault
            full_name, folded, family, middle, given = (
                one(full_name, full_name), one(folded, folded), one(family, family), one(middle, middle),
                one(given, given),
            )  # fmt: skip
            sex, commune_name, unit_path = one(sex, sex), one(commune_name, commune_name), one(unit_path, unit_path)
            if birth_date is not None:
                birth_date = one(birth_date, birth_date)
        return cls(
            pk,
            full_name,
            folded,
            family,
            middle,
            given,
            sex,
            birth_date,
            birth_year,
            id_number or "",
            commune_id,
            commune_name,
            unit_path,
            in_scope,
        )


def common_name_words(records: Iterable[Record]) -> frozenset[str]:
    """The folded name words common in `records` (see `COMMON_WORD_SHARE`): real names, not slips."""
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for record in records:
        total += 1
        for word in set(record.folded.split()):
            counts[word] += 1
    least = max(COMMON_WORD_MIN, COMMON_WORD_SHARE * total)
    return frozenset(word for word, n in counts.items() if n >= least)


def block_keys(record: Record) -> set[str]:
    """The blocks a record belongs to (see the module docstring for what each key catches)."""
    return set(_block_keys(record))


def _block_keys(record: Record) -> list[str]:
    """`block_keys` as a list, each key once (the scan's hot loop: no set per record)."""
    folded = record.folded
    if not folded:
        return []
    year = record.birth_year
    half, next_half = year // 2, (year + 1) // 2
    keys = [
        f"ny|{record.family[:1]}|{record.given}|{year}",
        f"fn|{folded}|{half}",
        f"nc|{folded}|{record.commune_id}",
    ]
    if next_half != half:
        keys.append(f"fn|{folded}|{next_half}")
    d = record.birth_date
    if d:
        low, high = (d.day, d.month) if d.day <= d.month else (d.month, d.day)
        keys.append(f"dg|{d.year}|{low}|{high}|{record.given[:1]}")
        keys.append(f"df|{d.isoformat()}|{record.family}")
    return keys


# -- scoring ------------------------------------------------------------------------------------


def _is_swapped(a: date, b: date) -> bool:
    return a.year == b.year and a.day == b.month and a.month == b.day and a.day != a.month


def date_agreement(a: Record, b: Record) -> tuple[float, str]:
    """How well the birth data agree (0..1) and the rule that says so."""
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            return 1.0, "same_date"
        if _is_swapped(a.birth_date, b.birth_date):
            return 0.9, "day_month_swapped"
        if a.birth_year == b.birth_year:
            return 0.6, "same_year"
        if abs(a.birth_year - b.birth_year) == 1:
            return 0.4, "year_off_by_one"
        return 0.0, "dates_differ"
    # Only a year on at least one side: the year cannot contradict a date it does not have.
    if a.birth_year == b.birth_year:
        return 0.75, "same_year"
    if abs(a.birth_year - b.birth_year) == 1:
        return 0.5, "year_off_by_one"
    return 0.0, "dates_differ"


def name_similarity(a: Record, b: Record) -> tuple[float, float]:
    """(similarity of the whole folded names, similarity of the given names), each 0..1."""
    whole = max(fuzz.ratio(a.folded, b.folded), fuzz.token_sort_ratio(a.folded, b.folded)) / 100
    given = fuzz.ratio(a.given, b.given) / 100
    return whole, given


def score_pair(a: Record, b: Record, common: frozenset[str] = frozenset()) -> tuple[float, dict[str, Any]]:
    """The likelihood (0..1) that two records are one person, with the evidence behind it.

    `common`: the name words common in the population scanned (`common_name_words`); empty, the
    `common_names_differ` rule is off."""
    whole, given = name_similarity(a, b)
    date_score, date_rule = date_agreement(a, b)
    rules = [date_rule]
    if a.folded == b.folded:
        rules.append("same_name" if a.full_name.lower() == b.full_name.lower() else "lost_diacritics")
    elif Levenshtein.distance(a.folded, b.folded) == 1:
        rules.append("one_letter_typo")
    elif fuzz.token_sort_ratio(a.folded, b.folded) == 100:
        rules.append("name_order_differs")
    family_differs = fuzz.ratio(a.family, b.family) < FAMILY_MIN_SIMILARITY
    given_differs = OSA.distance(a.given, b.given) > 1
    middle_differs = _middle_names_differ(a, b)
    sex_differs = a.sex != b.sex
    ids_differ = _id_numbers_differ(a, b)
    common_differ = _common_names_differ(a, b, common, family_differs or given_differs or middle_differs)
    for differs, rule in (
        (family_differs, "family_names_differ"),
        (given_differs, "given_names_differ"),
        (middle_differs, "middle_names_differ"),
        (common_differ, "common_names_differ"),
        (sex_differs, "sex_differs"),
        # Two different identity numbers are strong evidence of two people.
        (ids_differ, "id_numbers_differ"),
    ):
        if differs:
            rules.append(rule)
    rules.append("same_commune" if a.commune_id == b.commune_id else "different_communes")
    score = _combined_score(
        whole, given, date_score, family_differs, given_differs, middle_differs, sex_differs, ids_differ, common_differ
    )
    evidence = {
        "rules": rules,
        "name_similarity": round(whole, 4),
        "given_name_similarity": round(given, 4),
        "date_agreement": date_score,
        "names": [a.full_name, b.full_name],
        "dates": [_date_text(a), _date_text(b)],
        "communes": [a.commune_name, b.commune_name],
    }
    return score, evidence


def _middle_names_differ(a: Record, b: Record) -> bool:
    """Both records have a middle name and it is another name, not a slip or a shorter form.

    A typo is at most one OSA edit of the folded middle names (as for the given name); a middle
    name whose words are all in the other's is a shorter form ("Thị" / "Thị Ngọc"), not another
    name. What is left ("Văn" / "Đình", "Thành" / "Hoàng") is another name."""
    if not (a.middle and b.middle) or a.middle == b.middle:
        return False
    words_a, words_b = set(a.middle.split()), set(b.middle.split())
    if words_a <= words_b or words_b <= words_a:
        return False
    return OSA.distance(a.middle, b.middle) > 1


def _common_names_differ(a: Record, b: Record, common: frozenset[str], part_differs: bool) -> bool:
    """The names differ in one word only, and both spellings of it are common names (another
    name, not a typo: see `COMMON_NAMES_DIFFER_PENALTY`). Not counted again when a family, given
    or middle name already differs beyond a slip."""
    if not common or part_differs or a.folded == b.folded:
        return False
    words_a, words_b = a.folded.split(), b.folded.split()
    if len(words_a) != len(words_b):
        return False
    changed = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    return len(changed) == 1 and changed[0][0] in common and changed[0][1] in common


def _id_numbers_differ(a: Record, b: Record) -> bool:
    return bool(a.id_number and b.id_number) and a.id_number != b.id_number


def _combined_score(
    whole: float,
    given: float,
    date_score: float,
    family_differs: bool,
    given_differs: bool,
    middle_differs: bool,
    sex_differs: bool,
    ids_differ: bool,
    common_differ: bool = False,
) -> float:
    """The score of `score_pair` from its parts. One place for the arithmetic, in one order:
    `scored_above` must reach the very same float (the stored score) without the evidence."""
    score = NAME_WEIGHT * ((whole + given) / 2) + DATE_WEIGHT * date_score
    if family_differs:
        score -= FAMILY_DIFFERS_PENALTY
    if given_differs:
        score -= GIVEN_DIFFERS_PENALTY
    if middle_differs:
        score -= MIDDLE_DIFFERS_PENALTY
    if sex_differs:
        score -= SEX_DIFFERS_PENALTY
    if ids_differ:
        score -= ID_DIFFERS_PENALTY
    if common_differ:
        score -= COMMON_NAMES_DIFFER_PENALTY
    return round(min(max(score, 0.0), 1.0), 4)


# A bound is compared with the threshold with this much to spare, more than the final rounding to
# 4 decimals (5e-5) and any float error can move the score past it.
_BOUND_MARGIN = 0.001


def scored_above(a: Record, b: Record, threshold: float, common: frozenset[str] = frozenset()) -> float | None:
    """The score `score_pair` gives, or None when it is surely below `threshold`.

    Most compared pairs are namesakes or look-alikes that do not reach the threshold (at 100k
    persons, 4.5k pairs stored of 600k compared): building their evidence (rule lists, date texts)
    was a good part of the scan. This computes only what the score needs, cheapest first, and
    stops as soon as an upper bound of the score (every part not yet known at its best) is below
    the threshold. The scan calls `score_pair` for the evidence of the pairs that remain.
    """
    date_score = date_agreement(a, b)[0]
    sex_differs = a.sex != b.sex
    ids_differ = _id_numbers_differ(a, b)
    given = fuzz.ratio(a.given, b.given) / 100
    given_differs = OSA.distance(a.given, b.given) > 1
    best = NAME_WEIGHT * ((1.0 + given) / 2) + DATE_WEIGHT * date_score
    best -= GIVEN_DIFFERS_PENALTY * given_differs + SEX_DIFFERS_PENALTY * sex_differs + ID_DIFFERS_PENALTY * ids_differ
    if max(best, 0.0) + _BOUND_MARGIN < threshold:
        return None
    whole = max(fuzz.ratio(a.folded, b.folded), fuzz.token_sort_ratio(a.folded, b.folded)) / 100
    family_differs = fuzz.ratio(a.family, b.family) < FAMILY_MIN_SIMILARITY
    middle_differs = _middle_names_differ(a, b)
    common_differ = _common_names_differ(a, b, common, family_differs or given_differs or middle_differs)
    return _combined_score(
        whole, given, date_score, family_differs, given_differs, middle_differs, sex_differs, ids_differ, common_differ
    )


def _date_text(record: Record) -> str:
    return record.birth_date.isoformat() if record.birth_date else str(record.birth_year)


# -- candidates ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    member_a: int
    member_b: int
    kind: str
    score: float
    evidence: dict[str, Any]
    unit_path_a: str = ""
    unit_path_b: str = ""
    # (folded name, sex, birth year) when both records share all three: how many other people bear
    # them is then counted when the pair is saved (`namesakes`, decision 0025).
    namesake_key: tuple[str, str, int] | None = None


@dataclass
class ScanStats:
    """What one scan found (the command prints it as JSON; the job stores it as its result)."""

    pairs_found: int = 0
    new: int = 0
    updated: int = 0
    skipped_decided: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    comparisons: int = 0
    records: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs_found": self.pairs_found,
            "new": self.new,
            "updated": self.updated,
            "skipped_decided": self.skipped_decided,
            "blocks": self.blocks,
            "oversized_blocks": self.oversized_blocks,
            "comparisons": self.comparisons,
            "records": self.records,
            "seconds": round(self.seconds, 3),
        }


def _ordered(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


def _load_records(members: QuerySet[Member], *, extend: bool) -> dict[int, Record]:
    """Records of the living members of `members`, streamed; with `extend`, also every living
    member elsewhere whose folded name equals one of them (the same person registered in another
    commune or province is then found by a scan of either side)."""
    records: dict[int, Record] = {}
    shared: dict = {}
    for values in living_members(members).values_list(*_ROW_FIELDS).iterator(chunk_size=2000):
        records[values[0]] = Record.from_values(values, shared=shared)
    if extend:
        names = sorted({r.folded for r in records.values() if r.folded})
        for start in range(0, len(names), SAVE_CHUNK):
            chunk = names[start : start + SAVE_CHUNK]
            # Ids first: the namesakes are mostly the records just loaded, and reading their rows
            # again (joins, date conversion) cost as much as the first load.
            found = living_members().filter(name_folded__in=chunk).values_list("id", flat=True)
            others = [pk for pk in found.iterator(chunk_size=2000) if pk not in records]
            for others_start in range(0, len(others), SAVE_CHUNK):
                wanted = others[others_start : others_start + SAVE_CHUNK]
                rows = living_members().filter(id__in=wanted).values_list(*_ROW_FIELDS)
                loaded = {values[0]: values for values in rows.iterator(chunk_size=2000)}
                for pk in wanted:  # in the order the name lookup gave them, as before
                    if pk in loaded:
                        records[pk] = Record.from_values(loaded[pk], in_scope=False, shared=shared)
    return records


def build_blocks(records: Iterable[Record]) -> dict[str, list[int]]:
    """Block key → ids of the records in it, keeping only blocks where a comparison is possible.

    Most keys are held by one record alone: the first holder is kept as a bare id and a list is
    made only when a second one comes (the ids keep the order of `records`)."""
    first: dict[str, int] = {}
    blocks: dict[str, list[int]] = {}
    for record in records:
        pk = record.id
        for key in _block_keys(record):
            holder = first.setdefault(key, pk)
            if holder != pk:
                ids = blocks.get(key)
                if ids is None:
                    blocks[key] = [holder, pk]
                else:
                    ids.append(pk)
    return blocks


def fuzzy_candidate(a: Record, b: Record, threshold: float, common: frozenset[str] = frozenset()) -> Candidate | None:
    """The pair of two compared records when it scores at or above `threshold` (cheap score first,
    evidence only then); None below it, and for one CCCD on both (the exact pass reports those)."""
    if a.id_number and a.id_number == b.id_number:
        return None
    score = scored_above(a, b, threshold, common)
    if score is None or score < threshold:
        return None
    score, evidence = score_pair(a, b, common)
    low, high = (a, b) if a.id < b.id else (b, a)
    return Candidate(
        low.id, high.id, DuplicateKind.FUZZY, score, evidence, low.unit_path, high.unit_path, _namesake_key(a, b)
    )


def _namesake_key(a: Record, b: Record) -> tuple[str, str, int] | None:
    """What two records share when another person could bear it too: the same folded name, sex and
    birth year (None when they differ in one of them)."""
    if a.folded and a.folded == b.folded and a.sex == b.sex and a.birth_year == b.birth_year:
        return (a.folded, a.sex, a.birth_year)
    return None


def count_namesakes(keys: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str, int], int]:
    """Living members in the whole registry per (folded name, sex, birth year) of `keys`.

    The whole registry, not the scanned area: a scan compares a name with its bearers everywhere
    (`_load_records(extend=True)`, the streamed scan alike), so they are who the pair could be
    confused with. One grouped query per `SAVE_CHUNK` names (index ``registry_member_name_year``)."""
    wanted = set(keys)
    names = sorted({name for name, _sex, _year in wanted})
    counts: dict[tuple[str, str, int], int] = {}
    for start in range(0, len(names), SAVE_CHUNK):
        rows = (
            living_members()
            .filter(name_folded__in=names[start : start + SAVE_CHUNK])
            .order_by()
            .values_list("name_folded", "sex", "birth_year")
            .annotate(n=Count("id"))
        )
        for name, sex, year, n in rows:
            if (name, sex, year) in wanted:
                counts[(name, sex, year)] = n
    return counts


def fuzzy_candidates(
    records: dict[int, Record],
    *,
    threshold: float,
    stats: ScanStats,
    on_block: Callable[[], None] | None = None,
    blocks: dict[str, list[int]] | None = None,
    common: frozenset[str] | None = None,
) -> Iterator[Candidate]:
    """Pairs scoring at least `threshold`, each once, comparing only within blocks.

    Two records often share several blocks (same name and year: ``ny`` and ``fn``, ``nc`` too in
    one commune); a pair is compared in the first block, in the order of `blocks`, that yields it
    (`_block_pairs`), and skipped in the later ones. A set of the pairs compared said so, but it
    held every comparison (60M pairs, 10 GB at a million households); instead each record keeps the
    keys of the blocks it was in that were compared already (the very strings of `blocks`, at most
    six per record), and a pair comes up again exactly when its records share one of them that
    yielded it (`_yielded_before`).
    """
    blocks = build_blocks(records.values()) if blocks is None else blocks
    common = common_name_words(records.values()) if common is None else common
    # Above this threshold two dated records of a name block need not be compared there: see `_block_pairs`.
    dated_pairs_by_date_only = threshold > BEST_SCORE_OTHER_DATE
    done_blocks: dict[int, list[str]] = {}  # record id → keys of the blocks already compared it is in
    for key, ids in blocks.items():
        restricted = dated_pairs_by_date_only and _is_name_key(key)
        pairs = _block_pairs(ids, records, restricted)
        if pairs is None:
            stats.oversized_blocks += 1
        else:
            for first, second in pairs:
                a, b = records[first], records[second]
                if not (a.in_scope or b.in_scope):
                    continue
                done_a = done_blocks.get(first)
                if done_a is not None:
                    done_b = done_blocks.get(second)
                    if done_b is not None and _yielded_before(done_a, done_b, a, b, dated_pairs_by_date_only):
                        continue
                stats.comparisons += 1
                candidate = fuzzy_candidate(a, b, threshold, common)
                if candidate is not None:
                    yield candidate
            for pk in ids:
                done = done_blocks.get(pk)
                if done is None:
                    done_blocks[pk] = [key]
                else:
                    done.append(key)
        stats.blocks += 1
        if on_block is not None:
            on_block()


def _is_name_key(key: str) -> bool:
    return key.split("|", 1)[0] in NAME_KEYS


def _yielded_before(done_a: list[str], done_b: list[str], a: Record, b: Record, restricting: bool) -> bool:
    """Whether a block both records are in, among those compared already (`done_a`, `done_b`),
    yielded their pair: any such block that was not restricted, and a restricted name block when
    one of the two has no birth date (see `_block_pairs`; oversized blocks are not in the lists)."""
    for key in done_a:
        if key in done_b and (not restricting or a.birth_date is None or b.birth_date is None or not _is_name_key(key)):
            return True
    return False


def _block_pairs(ids: list[int], records: dict[int, Record], restricted: bool) -> list[tuple[int, int]] | None:
    """The pairs of a block to compare (None when there are too many: an oversized block).

    A name block (``ny``, ``fn``, ``nc``: same name or given name and year, any date) grows with
    the population: "Nguyễn Thị Thảo" born in 1993 is hundreds of people in a province. When
    `restricted` (the threshold is above `BEST_SCORE_OTHER_DATE`), two records that both have a
    full birth date are not compared there: with the same or swapped date they share a date
    block (``dg``: same year, day and month in either order, same given initial) and are compared
    there; with another date their score cannot reach the threshold. So only the pairs with a
    record that has a birth year alone are left, and the scan stays near-linear in the registry.
    """
    if not restricted:
        if len(ids) > MAX_BLOCK_SIZE:
            return None
        return [(first, second) for i, first in enumerate(ids) for second in ids[i + 1 :]]
    undated = [i for i in ids if records[i].birth_date is None]
    if len(undated) * len(ids) > MAX_BLOCK_SIZE * MAX_BLOCK_SIZE:
        return None
    undated_set = set(undated)
    pairs = [(first, second) for i, first in enumerate(undated) for second in undated[i + 1 :]]
    pairs += [(first, second) for first in undated for second in ids if second not in undated_set]
    return pairs


def _override_evidence(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """The officers' reasons for having accepted a repeated CCCD, per pair of members."""
    if not pairs:
        return {}
    ids = {i for pair in pairs for i in pair}
    found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    overrides = IdentityOverride.objects.filter(member_id__in=ids, existing_member_id__in=ids).values(
        "member_id", "existing_member_id", "reason", "confirmed_by__username", "created_at"
    )
    for row in overrides:
        key = _ordered(row["member_id"], row["existing_member_id"])
        if key in pairs:
            found[key].append(
                {
                    "reason": row["reason"],
                    "confirmed_by": row["confirmed_by__username"],
                    "confirmed_at": row["created_at"].isoformat(),
                }
            )
    return found


def id_number_candidates(members: QuerySet[Member]) -> Iterator[Candidate]:
    """Every pair of living members sharing a CCCD, where at least one is in `members`."""
    numbers = (
        living_members()
        .exclude(id_number="")
        .filter(id_number__in=living_members(members).exclude(id_number="").values("id_number"))
        .values("id_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("id_number", flat=True)
    )
    numbers = list(numbers)
    for start in range(0, len(numbers), SAVE_CHUNK):
        chunk = numbers[start : start + SAVE_CHUNK]
        groups: dict[str, list[Record]] = defaultdict(list)
        rows = living_members().filter(id_number__in=chunk).order_by("id").values(*_ROW_FIELDS)
        for row in rows.iterator(chunk_size=2000):
            groups[row["id_number"]].append(Record.from_row(row))
        pending: list[Candidate] = []
        for number, group in groups.items():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    _score, evidence = score_pair(a, b)
                    evidence["rules"] = ["same_id_number", *evidence["rules"]]
                    evidence["id_number"] = number
                    pending.append(
                        Candidate(a.id, b.id, DuplicateKind.ID_NUMBER, 1.0, evidence, a.unit_path, b.unit_path)
                    )
        reasons = _override_evidence({(c.member_a, c.member_b) for c in pending})
        for candidate in pending:
            overrides = reasons.get((candidate.member_a, candidate.member_b))
            if overrides:
                candidate.evidence["overrides"] = overrides
            yield candidate


# -- saving -------------------------------------------------------------------------------------


def save_candidates(candidates: Iterable[Candidate], *, stats: ScanStats) -> list[DuplicatePair]:
    """Create new pending pairs and refresh pending ones; never touch a decided pair.

    A pair found both by CCCD and fuzzily is stored once, as a CCCD pair (the stronger evidence).
    Returns the pairs created or updated (not refreshed from the database).
    """
    touched: list[DuplicatePair] = []
    buffer: dict[tuple[int, int], Candidate] = {}

    def flush() -> None:
        if not buffer:
            return
        firsts = {a for a, _b in buffer}
        seconds = {b for _a, b in buffer}
        bearers = count_namesakes(c.namesake_key for c in buffer.values() if c.namesake_key is not None)
        for candidate in buffer.values():
            if candidate.namesake_key is not None:
                # Other people than the two: the count includes them while they are living members.
                candidate.evidence["namesakes"] = max(bearers.get(candidate.namesake_key, 0) - 2, 0)
        with transaction.atomic():
            # A superset (any first × any second), narrowed to the buffered pairs in Python: one
            # query with two IN lists instead of hundreds of OR-ed conditions.
            rows = DuplicatePair.objects.select_for_update().filter(member_a_id__in=firsts, member_b_id__in=seconds)
            existing = {(p.member_a_id, p.member_b_id): p for p in rows if (p.member_a_id, p.member_b_id) in buffer}
            new, changed = [], []
            for key, candidate in buffer.items():
                pair = existing.get(key)
                if pair is None:
                    new.append(
                        DuplicatePair(
                            member_a_id=candidate.member_a,
                            member_b_id=candidate.member_b,
                            kind=candidate.kind,
                            score=candidate.score,
                            evidence=candidate.evidence,
                            namesakes=candidate.evidence.get("namesakes", 0),
                            unit_path_a=candidate.unit_path_a,
                            unit_path_b=candidate.unit_path_b,
                        )
                    )
                elif pair.status != DuplicateStatus.PENDING:
                    stats.skipped_decided += 1
                else:
                    pair.kind, pair.score, pair.evidence = candidate.kind, candidate.score, candidate.evidence
                    pair.namesakes = candidate.evidence.get("namesakes", 0)
                    pair.unit_path_a, pair.unit_path_b = candidate.unit_path_a, candidate.unit_path_b
                    changed.append(pair)
            # ignore_conflicts: a concurrent scan may have stored the same pair meanwhile.
            DuplicatePair.objects.bulk_create(new, ignore_conflicts=True)
            if changed:
                DuplicatePair.objects.bulk_update(
                    changed, ["kind", "score", "evidence", "namesakes", "unit_path_a", "unit_path_b", "updated_at"]
                )
        stats.new += len(new)
        stats.updated += len(changed)
        touched.extend(new)
        touched.extend(changed)
        buffer.clear()

    for candidate in candidates:
        key = (candidate.member_a, candidate.member_b)
        previous = buffer.get(key)
        if previous is not None and previous.kind == DuplicateKind.ID_NUMBER:
            continue
        if previous is None:
            stats.pairs_found += 1
        buffer[key] = candidate
        if len(buffer) >= SAVE_CHUNK:
            flush()
    flush()
    return touched


def duplicates_scan(
    *,
    members: QuerySet[Member],
    threshold: float | None = None,
    extend: bool = True,
    on_total: Callable[[int], None] | None = None,
    on_block: Callable[[], None] | None = None,
) -> ScanStats:
    """Find and store the duplicate candidates among `members` (a commune, a province, everything).

    CCCD pairs first (score 1), then fuzzy pairs at or above `threshold`. Decided pairs are left
    as they are and never proposed again; pending ones are refreshed. `on_block` is called after
    each block and, on the in-memory path, `on_total` first receives the number of blocks
    (progress of the job). On PostgreSQL the fuzzy pass is `duplicates_stream` (flat memory, the
    same candidates and counts; `REGISTRY_DUPLICATE_STREAMING = False` turns it off), where the
    number of blocks is known only at the end: `on_total` receives it then.
    """
    started = time.monotonic()
    threshold = default_threshold() if threshold is None else float(threshold)
    stats = ScanStats()
    save_candidates(id_number_candidates(members), stats=stats)
    from .duplicates_stream import fuzzy_candidates_streamed, streaming_supported  # it imports this module

    if streaming_supported() and getattr(settings, "REGISTRY_DUPLICATE_STREAMING", True):
        # PostgreSQL builds the blocks and streams them: memory stays flat (decision 0022). The number
        # of blocks is known only at the end: until then the progress counts them without a total.
        stats.records = living_members(members).count()
        candidates = fuzzy_candidates_streamed(
            members, threshold=threshold, stats=stats, extend=extend, on_block=on_block
        )
        save_candidates(candidates, stats=stats)
        if on_total is not None:
            on_total(stats.blocks)
        stats.seconds = time.monotonic() - started
        return stats
    records = _load_records(members, extend=extend)
    stats.records = sum(1 for r in records.values() if r.in_scope)
    blocks = build_blocks(records.values())
    if on_total is not None:
        on_total(len(blocks))
    save_candidates(
        fuzzy_candidates(records, threshold=threshold, stats=stats, on_block=on_block, blocks=blocks), stats=stats
    )
    stats.seconds = time.monotonic() - started
    return stats


def duplicate_pairs_for_member(*, member: Member, threshold: float | None = None) -> list[DuplicatePair]:
    """Find at once the pairs one member forms: same CCCD anywhere, and the same folded name.

    Meant for the entry services (after a member is created or their name, birth or CCCD
    changed), so a repeated CCCD accepted with a reason shows in the queue without a scan.
    Cheap: two indexed lookups (id_number, name_folded).
    """
    threshold = default_threshold() if threshold is None else float(threshold)
    stats = ScanStats()
    single = Member.objects.filter(pk=member.pk)
    pairs = save_candidates(id_number_candidates(single), stats=stats)
    records = _load_records(single, extend=True)
    if member.pk in records:
        pairs += save_candidates(fuzzy_candidates(records, threshold=threshold, stats=stats), stats=stats)
    return pairs
