"""A synthetic registry of one real 2025 province, for the benchmarks (`manage.py bench_generate`).

Households are spread over the province's communes and their villages, with realistic names,
ethnic mixes, ages and relations, valid CCCD numbers, housing and service facts that go with
the household's income, and one form B (`poverty.Assessment`) under the 2022–2025 standard whose
declared income makes about 5 % of households poor and 5 % near-poor. Poor and near-poor targets
are checked with the poverty app's own `evaluate` (and so `classify`) and the facts adjusted until
the real rules agree. A small share of persons is seeded again elsewhere, perturbed the way real
duplicates are (typo, lost diacritics, day and month swapped, the same person in two communes);
the pairs are the ground truth the duplicate detection is measured against.

Deterministic: one `random.Random` seeded by province and seed drives everything, so the same
seed, province, date and starting registry give the same rows (`digest` fingerprints them).
Rows are written with the bulk helpers (`core.db.reserve_ids`, `insert_rows`: COPY on
PostgreSQL), one transaction per chunk, holding only one chunk in memory; the run records one
audit event. Villages that the generator has to create are bulk-inserted with the paths
`AdminUnit.save` would give them, and are listed in that event.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import math
import random
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ansinh.audit.services import audit_record
from ansinh.core.db import analyze_tables, insert_rows, reserve_ids
from ansinh.core.text import fold_vietnamese
from ansinh.geo.choices import Level, Structure, UnitType
from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import Assessment, PovertyStandard
from ansinh.poverty.services import evaluate, standards_load
from ansinh.registry.identity import RULES_FILE
from ansinh.registry.models import Ethnicity, Household, Member

from . import names
from .events import DemoEventType

STANDARD_CODE = "2022-2025"
POOR_SHARE = 0.05
NEAR_POOR_SHARE = 0.05
DUPLICATE_SHARE = 0.01  # of persons
CHUNK_SIZE = 5_000  # households per transaction
RESERVOIR_SIZE = 4_000  # earlier persons a seeded duplicate may copy
SERIAL_STEP = 738_181  # coprime with 10**6: n → n·step mod 10**6 never repeats below 10**6
DUPLICATE_KINDS = (("two_communes", 0.3), ("typo", 0.3), ("no_diacritics", 0.2), ("swapped_day_month", 0.2))
# How often a second registration of one person records a field differently from the first: another
# enumerator, years apart, a status that changed in between (a card expired, a job found). Assumed
# rates, not published figures: a seeded duplicate that copied every field verbatim would make the
# fields look like stronger evidence than they are. The new value is the one some other person holds,
# so it follows the population's distribution (and is sometimes the same value again).
DUPLICATE_FIELD_CHANGES = (
    ("ethnicity_id", 0.01),
    ("health_insurance", 0.15),
    ("schooling", 0.10),
    ("diploma", 0.10),
    ("labour_status", 0.20),
    ("disability", 0.03),
    ("allowance", 0.05),
)


class GenerationError(RuntimeError):
    """The generation is refused before anything is written (message says why)."""


def default_ground_truth_path(province_code: str, seed: int) -> Path:
    return Path(settings.BASE_DIR) / "bench" / "results" / f"ground-truth-{province_code}-{seed}.json"


@dataclass
class _Commune:
    unit: AdminUnit
    area_type: str
    villages: list[AdminUnit]
    next_number: int


@dataclass
class _Pick:
    """Weighted choice with precomputed cumulative weights (rng.choices re-sums them every call)."""

    values: list[Any]
    cum: list[float]

    @classmethod
    def of(cls, weighted) -> _Pick:
        values, weights = zip(*weighted, strict=True)
        return cls(list(values), list(itertools.accumulate(weights)))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class _NamePools:
    family: _Pick
    male_middle_old: _Pick
    male_middle_young: _Pick
    female_middle_old: _Pick
    female_middle_young: _Pick

    @classmethod
    def build(cls, *, south: bool) -> _NamePools:
        def middles(table, young):
            return _Pick.of([(n, w * (0.3 if young and n in names.TRADITIONAL_MIDDLE else 1)) for n, w in table])

        return cls(
            family=_Pick.of(names.family_table(south=south)),
            male_middle_old=middles(names.MALE_MIDDLE, False), male_middle_young=middles(names.MALE_MIDDLE, True),
            female_middle_old=middles(names.FEMALE_MIDDLE, False),
            female_middle_young=middles(names.FEMALE_MIDDLE, True),
        )  # fmt: skip


@dataclass
class GenerationSummary:
    households: int = 0
    members: int = 0
    assessments: int = 0
    duplicates: int = 0
    villages_created: int = 0
    seconds: float = 0.0
    ground_truth: str = ""
    digest: str = ""
    classes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "households": self.households, "members": self.members, "assessments": self.assessments,
            "duplicates": self.duplicates, "seconds": round(self.seconds, 1), "ground_truth": self.ground_truth,
            "villages_created": self.villages_created, "classes": self.classes, "digest": self.digest,
        }  # fmt: skip


def _province(code: str) -> AdminUnit:
    code = (code or "").strip()
    if code.isdigit():
        code = code.zfill(2)
    province = (
        AdminUnit.objects.filter(structure=Structure.Y2025, level=Level.PROVINCE, code=code).first() if code else None
    )
    if province is None:
        raise GenerationError(f"Unknown 2025 province code {code!r} (load the units with `manage.py geo_load`).")
    return province


@functools.cache
def identity_rules() -> dict[str, Any]:
    """The registry's identity-number rules (the data file its CCCD validator reads)."""
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def _id_provinces(province: AdminUnit) -> list[str]:
    """3-digit CCCD province codes of the province: its own and those of the legacy provinces merged into it."""
    known = set(identity_rules()["province_codes"])
    legacy = AdminUnit.objects.filter(
        structure=Structure.LEGACY, level=Level.PROVINCE, successor_path=province.path
    ).values_list("code", flat=True)
    codes = sorted({f"0{c}" for c in [province.code, *legacy]} & known)
    return codes or sorted(known)[:1]


def _standard() -> PovertyStandard:
    standard = PovertyStandard.objects.filter(code=STANDARD_CODE).first()
    if standard is None:
        standards_load()
        standard = PovertyStandard.objects.get(code=STANDARD_CODE)
    return standard


def _ensure_villages(seed: int, province: AdminUnit, communes: list[AdminUnit]) -> tuple[dict, int]:
    """Villages of each commune; a commune without any gets a few, named as the region names them.

    Their number comes from a generator of its own, so households come out the same whether the
    villages were created by this run or an earlier one.
    """
    by_commune: dict[int, list[AdminUnit]] = {c.pk: [] for c in communes}
    for village in AdminUnit.objects.filter(parent__in=communes, level=Level.VILLAGE).order_by("parent_id", "code"):
        by_commune[village.parent_id].append(village)
    rural_type, urban_type = names.VILLAGE_TYPES.get(province.code, names.DEFAULT_VILLAGE_TYPES)
    new = []
    for commune in communes:
        if by_commune[commune.pk]:
            continue
        urban = _area_type(commune) == "urban"
        unit_type = urban_type if urban else rural_type
        label = str(UnitType(unit_type).label)
        rng = random.Random(f"ansinh-synthetic/villages/{commune.code}/{seed}")  # noqa: S311 - synthetic data
        for number in range(1, rng.randint(4, 10 if urban else 8) + 1):
            village = AdminUnit(
                structure=commune.structure, level=Level.VILLAGE, unit_type=unit_type, code=f"G{number}",
                name=f"{label} {number}", short_name=f"{label} {number}", parent=commune,
                valid_from=commune.valid_from, valid_to=commune.valid_to, successor_path=commune.successor_path,
            )  # fmt: skip
            # What `AdminUnit.save` derives (bulk_create skips it), as the geo loader does.
            village.name_folded, village.sort_key = AdminUnit.derived_text(village.name, village.short_name)
            village.path = AdminUnit.build_path(commune, commune.structure, village.code)
            new.append(village)
            by_commune[commune.pk].append(village)
    if new:
        with transaction.atomic():
            AdminUnit.objects.bulk_create(new, batch_size=500)
        # SQLite's bulk_create does not return ids: read them back.
        ids = dict(AdminUnit.objects.filter(path__in=[v.path for v in new]).values_list("path", "pk"))
        for village in new:
            village.pk = ids[village.path]
    return by_commune, len(new)


def _area_type(commune: AdminUnit) -> str:
    if commune.area_type:
        return commune.area_type
    return "urban" if commune.unit_type == UnitType.WARD else "rural"


# -- names and identity numbers -----------------------------------------------------------------


def _swap_tone(word: str, rng: random.Random) -> str:
    """Change or drop one tone mark ("Hương" → "Hướng"): the commonest typing slip in Vietnamese."""
    tones = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    decomposed = list(unicodedata.normalize("NFD", word))
    marks = [i for i, ch in enumerate(decomposed) if ch in tones]
    if marks:
        i = rng.choice(marks)
        choices = [t for t in [*tones, ""] if t != decomposed[i]]
        decomposed[i] = rng.choice(choices)
    else:
        vowels = [i for i, ch in enumerate(decomposed) if ch.lower() in "aeiouy"]
        if not vowels:
            return word
        i = rng.choice(vowels)
        decomposed.insert(i + 1, rng.choice(tones))
    return unicodedata.normalize("NFC", "".join(decomposed))


def _typo(full_name: str, rng: random.Random) -> str:
    words = full_name.split()
    index = rng.randrange(1, len(words)) if len(words) > 1 else 0
    word = words[index]
    op = rng.random()
    if op < 0.5:
        changed = _swap_tone(word, rng)
    elif op < 0.75 and len(word) > 2:
        i = rng.randrange(1, len(word))
        changed = word[:i] + word[i + 1 :]  # a dropped letter
    elif len(word) > 3:
        i = rng.randrange(1, len(word) - 1)
        changed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    else:
        changed = word + word[-1]
    if changed == word or not changed:
        changed = word + word[-1]
    words[index] = changed
    return " ".join(words)


def _without_diacritics(full_name: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in fold_vietnamese(full_name).split())


class _IdIssuer:
    """Valid, unique CCCD numbers: province (3), century/sex (1), year (2), then 6 serial digits.

    Serials are a counter per 6-digit prefix mapped through a bijection of 0..999999 offset by the
    seed, so numbers look random, never repeat within a run, and differ between seeds.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.counters: dict[str, int] = {}
        self.cmnd_counter = 0

    def cccd(self, province: str, sex: str, birth_year: int) -> str:
        digit = (0 if birth_year < 2000 else 2) + (1 if sex == "female" else 0)
        prefix = f"{province}{digit}{birth_year % 100:02d}"
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        offset = zlib.crc32(f"{prefix}/{self.seed}".encode())
        return f"{prefix}{(n * SERIAL_STEP + offset) % 1_000_000:06d}"

    def cmnd(self) -> str:
        self.cmnd_counter += 1
        return f"{(self.cmnd_counter * 7_654_321 + zlib.crc32(str(self.seed).encode())) % 900_000_000 + 100_000_000}"


# -- one household ------------------------------------------------------------------------------


@dataclass
class _Person:
    sex: str
    relation: str
    age: int


class _Generator:
    def __init__(self, *, province: AdminUnit, seed: int, today: date, spec, standard_id: int,
                 ethnicities: dict[str, int], id_provinces: list[str]):  # fmt: skip
        self.standard_id = standard_id
        self.rng = random.Random(f"ansinh-synthetic/{province.code}/{seed}")  # noqa: S311 - synthetic data
        self.province = province
        self.today = today
        self.spec = spec
        self.ethnicities = ethnicities
        self.id_provinces = id_provinces
        self.other_id_provinces = [c for c in identity_rules()["province_codes"] if c not in id_provinces]
        mix = [(code, w) for code, w in names.ETHNIC_MIX.get(province.code, names.DEFAULT_MIX) if code in ethnicities]
        self.mix_rural = _Pick.of(mix)
        self.mix_urban = _Pick.of([(c, w * (1 if c == "01" else 0.3)) for c, w in mix])
        self.pools = _NamePools.build(south=province.code in names.SOUTHERN)
        self.minority_given = {
            code: (_Pick.of([(n, 3) for n in spec_[4]] + [(n, 1) for n in names.MALE_GIVEN]),
                   _Pick.of([(n, 3) for n in spec_[5]] + [(n, 1) for n in names.FEMALE_GIVEN]))
            for code, spec_ in names.MINORITY.items()
        }  # fmt: skip
        self.ids = _IdIssuer(seed)
        self.derived: dict[str, tuple[str, str]] = {}
        self.reservoir: list[tuple[Member, int]] = []  # (earlier person, commune id)
        self.dup_kind = _Pick.of(DUPLICATE_KINDS)
        self.children_pick = _Pick.of([(0, 14), (1, 27), (2, 36), (3, 15), (4, 8)])
        self.children_pick_poor = _Pick.of([(0, 8), (1, 17), (2, 30), (3, 25), (4, 14), (5, 6)])

    # names ----------------------------------------------------------------------------------
    def family_name(self, ethnicity: str) -> str:
        spec = names.MINORITY.get(ethnicity)
        return self.rng.choice(spec[1]) if spec else self.pools.family(self.rng)

    def full_name(self, ethnicity: str, sex: str, family: str, birth_year: int) -> str:
        rng, male = self.rng, sex == "male"
        spec = names.MINORITY.get(ethnicity)
        if spec is None:
            pools = self.pools
            young = birth_year >= 1995
            middle = ((pools.male_middle_young if young else pools.male_middle_old) if male
                      else (pools.female_middle_young if young else pools.female_middle_old))(rng)  # fmt: skip
            given = rng.choice(names.MALE_GIVEN if male else names.FEMALE_GIVEN)
            return f"{family} {middle} {given}"
        style, _families, male_mid, female_mid, _m, _f = spec
        given = self.minority_given[ethnicity][0 if male else 1](rng)
        if style == names.Style.CLAN_LAST:
            return f"{given} {family}"
        if style == names.Style.CLAN_FIRST:
            return f"{family} {given}"
        middle = rng.choice(male_mid if male else female_mid)
        return " ".join(p for p in (family, middle, given) if p)

    def birth_date(self, age: int) -> date:
        today = self.today
        anniversary = date(today.year - age, today.month, min(today.day, 28))
        return anniversary - timedelta(days=self.rng.randint(0, 364))

    # one household -------------------------------------------------------------------------
    def composition(self, poorer: bool) -> list[_Person]:
        rng = self.rng
        head_sex = "male" if rng.random() < 0.78 else "female"
        head_age = min(95, max(20, int(rng.triangular(20, 90, 42))))
        people = [_Person(head_sex, "head", head_age)]
        spouse = None
        if rng.random() < (0.82 if head_age < 70 else 0.55) and not (head_sex == "female" and rng.random() < 0.6):
            delta = rng.randint(-2, 7)  # husbands are usually a few years older
            age = head_age - delta if head_sex == "male" else head_age + delta
            spouse = _Person("female" if head_sex == "male" else "male", "spouse", max(18, min(95, age)))
            people.append(spouse)
        parents = [head_age] + ([spouse.age] if spouse else [])
        younger, older = min(parents), max(parents)
        low, high = max(0, older - 40), younger - 18  # every child is 18–40 years younger than each parent
        if high >= low:
            count = (self.children_pick_poor if poorer else self.children_pick)(rng)
            if older > 60:
                count = min(count, 2)
            for _ in range(count):
                people.append(_Person(rng.choice(("male", "female")), "child", rng.randint(low, high)))
        if head_age <= 55 and rng.random() < 0.14:
            people.append(_Person(rng.choice(("male", "female")), "parent", head_age + rng.randint(20, 38)))
        return people

    def member(self, person: _Person, *, ethnicity: str, family: str, q: float, urban: bool,
               taken: set[str]) -> Member:  # fmt: skip
        rng = self.rng
        birth = self.birth_date(person.age)
        age, sex = person.age, person.sex
        for _attempt in range(8):  # two members of a household do not share a full name
            full_name = self.full_name(ethnicity, sex, family, birth.year)
            if full_name not in taken:
                break
        taken.add(full_name)
        id_number, id_kind = "", ""
        if (age >= 14 and rng.random() < 0.93) or (age < 14 and rng.random() < 0.25):
            if birth.year < 1985 and rng.random() < 0.04:
                id_number, id_kind = self.ids.cmnd(), "cmnd"  # a legacy 9-digit CMND never renewed
            else:
                province = (rng.choice(self.id_provinces) if rng.random() < 0.93
                            else rng.choice(self.other_id_provinces))  # fmt: skip
                id_number, id_kind = self.ids.cccd(province, sex, birth.year), "cccd"
        # Schooling and diploma by age, worse where the household is poorer.
        if age < 3:
            schooling, diploma = "none", "none"
        elif age < 6:
            schooling, diploma = ("none" if rng.random() < 0.15 + q * 0.3 else "preschool"), "none"
        elif age <= 15:
            stage = "primary" if age <= 10 else "lower_secondary"
            schooling = "none" if rng.random() < q * 0.12 else stage
            diploma = "none" if age <= 11 else "primary"
        elif age <= 17:
            schooling = "none" if rng.random() < 0.08 + q * 0.4 else "upper_secondary"
            diploma = "lower_secondary" if rng.random() > q * 0.4 else "primary"
        else:
            studying = age <= 22 and rng.random() < 0.45 * (1 - q)
            schooling = rng.choice(("higher", "higher", "vocational")) if studying else "none"
            diploma = self.adult_diploma(age, q)
        if age < 15:
            labour = "child"
        elif schooling not in ("none",) and age <= 24:
            labour = "student"
        elif age >= 61 and rng.random() < 0.7:
            labour = "retired"
        else:
            draw = rng.random()
            bad = 0.08 + q * 0.55  # unemployment or work without a contract
            if draw < bad * 0.35:
                labour = "unemployed"
            elif draw < bad:
                labour = "wage_no_contract"
            elif draw < bad + (0.45 if urban else 0.2) * (1 - q):
                labour = "working_contract"
            else:
                labour = "self_employed"
        disability = "none"
        draw = rng.random()
        if draw < 0.015 + (0.04 if age >= 70 else 0):
            disability = "severe" if draw < 0.006 else "mild"
        allowance = "none"
        if labour == "retired" and rng.random() < 0.35 * (1 - q):
            allowance = "pension"
        elif (age >= 80 or disability == "severe") and rng.random() < 0.6:
            allowance = "social_allowance"
        elif age >= 65 and rng.random() < 0.02:
            allowance = "meritorious"
        member = Member(
            full_name=full_name, sex=sex, birth_date=birth, birth_year=birth.year, relation=person.relation,
            ethnicity_id=self.ethnicities.get(ethnicity), id_number=id_number, id_kind=id_kind,
            health_insurance="no" if rng.random() < q * 0.5 + 0.03 else "yes", schooling=schooling,
            diploma=diploma, disability=disability, labour_status=labour, allowance=allowance,
        )  # fmt: skip
        self.set_derived(member)
        return member

    def set_derived(self, member: Member) -> None:
        """The registry's folded name and sort key (`Member.set_derived_fields`), remembered per name:
        names repeat a lot, and the sort key is the costliest part of a member."""
        known = self.derived.get(member.full_name)
        if known is None:
            member.set_derived_fields()
            if len(self.derived) > 200_000:
                self.derived.clear()  # keeps memory flat on national runs
            self.derived[member.full_name] = (member.name_folded, member.sort_key)
        else:
            member.name_folded, member.sort_key = known

    def adult_diploma(self, age: int, q: float) -> str:
        rng = self.rng
        draw = rng.random() * (1 + q * 1.5)
        ladder = [(0.12, "university"), (0.18, "college"), (0.28, "vocational"), (0.6, "upper_secondary"),
                  (0.85, "lower_secondary"), (1.05, "primary")]  # fmt: skip
        if age >= 60:
            draw += 0.3
        return next((d for limit, d in ladder if draw < limit), "none")

    def facts(self, q: float, size: int, urban: bool) -> dict[str, Any]:
        rng = self.rng
        per_person = max(3.0, rng.lognormvariate(math.log(24 - 16 * q), 0.35))
        devices = [d for d, p in (("tv", 0.95 - q * 0.5), ("smartphone", 0.92 - q * 0.5), ("radio", 0.15),
                                  ("computer", 0.45 * (1 - q) * (1.4 if urban else 0.7)),
                                  ("loudspeaker", 0.5 if not urban else 0.2),
                                  ("internet", 0.93 - q * 0.75)) if rng.random() < p]  # fmt: skip
        return {
            "housing_area_m2": Decimal(str(round(per_person * size, 1))),
            "wall_durability": "not_durable" if rng.random() < q * 0.7 else "durable",
            "column_durability": "not_durable" if rng.random() < q * 0.6 else "durable",
            "roof_durability": "not_durable" if rng.random() < q * 0.7 else "durable",
            "water_source": ("unprotected" if rng.random() < q * 0.55 else
                             ("piped" if rng.random() < (0.9 if urban else 0.45) else
                              rng.choice(("protected_well", "protected_well", "rainwater", "bought")))),
            "latrine_type": (rng.choice(("unhygienic", "unhygienic", "none")) if rng.random() < q * 0.6 + 0.02
                             else ("flush" if rng.random() < (0.95 if urban else 0.7) else "double_vault")),
            "info_devices": devices,
            "production_land_m2": (None if urban else Decimal(rng.randint(0, 3000) if q > 0.5
                                                              else rng.randint(300, 15000))),
        }  # fmt: skip

    def income(self, target: str, line: int) -> int:
        rng = self.rng
        if target in ("poor", "near_poor"):
            value = line * rng.uniform(0.35, 1.0)
        elif rng.random() < 0.18:
            value = line + 10_000 + (line * 0.5 - 10_000) * rng.random()  # the "average" band
        else:
            value = line * (1.5 + rng.lognormvariate(0.6, 0.6))
        value = int(value) // 10_000 * 10_000
        return min(value, line) if target in ("poor", "near_poor") else max(value, line + 10_000)

    def household(self, commune: _Commune) -> tuple[Household, list[Member], Assessment, list[tuple], str]:
        rng = self.rng
        urban = commune.area_type == "urban"
        draw = rng.random()
        target = "poor" if draw < POOR_SHARE else "near_poor" if draw < POOR_SHARE + NEAR_POOR_SHARE else "other"
        line = self.spec.lines[commune.area_type].poor
        income = self.income(target, line)
        ratio = income / line
        q = {"poor": 0.75, "near_poor": 0.12}.get(target, 0.22 if ratio <= 1.5 else 0.13 * math.exp(-(ratio - 1.5)))
        ethnicity = (self.mix_urban if urban else self.mix_rural)(rng)
        if ethnicity != "01" and target == "other":
            q = min(0.5, q * 1.8)  # minority households live in harder conditions at the same income
        people = self.composition(poorer=q > 0.5)
        head_family = self.family_name(ethnicity)
        other_family = self.family_name(ethnicity)
        matrilineal = ethnicity in ("10", "12")
        members, taken = [], set()
        for person in people:
            if person.relation == "head":
                family = head_family
            elif person.relation == "spouse":
                family = other_family
            elif person.relation == "child":
                father_is_head = people[0].sex == "male"
                family = head_family if father_is_head != matrilineal else other_family
            else:  # the head's parent shares the head's family name (father) or not (mother)
                family = head_family if person.sex == "male" or matrilineal else self.family_name(ethnicity)
            members.append(self.member(person, ethnicity=ethnicity, family=family, q=q, urban=urban, taken=taken))
        duplicates = []
        if self.reservoir and rng.random() < DUPLICATE_SHARE * 3.5:
            seeded = self.duplicate(commune)
            if seeded is not None:
                members.append(seeded[1])
                duplicates.append(seeded)
        for order, member in enumerate(members, start=1):
            member.order = order
        head = members[0]
        village = rng.choice(commune.villages)
        facts = self.facts(q, len(members), urban)
        commune.next_number += 1
        household = Household(
            commune_id=commune.unit.pk, village_id=village.pk, code=f"HG{commune.next_number:06d}",
            head_name=head.full_name, head_sort_key=head.sort_key, area_type=commune.area_type,
            address=f"{village.name}, {commune.unit.name}",
            phone=f"0{rng.choice('9837')}{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
            ethnicity_id=self.ethnicities.get(ethnicity), is_ethnic_minority=ethnicity != "01",
            is_local_indigenous=ethnicity in names.HIGHLAND_INDIGENOUS,
            has_meritorious_person=any(m.allowance == "meritorious" for m in members) or rng.random() < 0.02,
            has_social_assistance=any(m.allowance == "social_allowance" for m in members),
            no_labour_capacity=not any(m.labour_status in ("working_contract", "wage_no_contract", "self_employed",
                                                               "unemployed") for m in members),
            female_head=head.sex == "female", lone_household=len(members) == 1 and people[0].age >= 60,
            unit_path=village.path, successor_path=village.successor_path, **facts,
        )  # fmt: skip
        has_child = any(m.birth_year > self.today.year - 16 for m in members)
        assessment = Assessment(
            standard_id=self.standard_id, assessed_on=self.today, income_source="declared",
            income_per_capita=income, farming=not urban and rng.random() < (0.7 if q > 0.3 else 0.45),
            answers={"nutrition": has_child and rng.random() < q * 0.4}, unit_path=household.unit_path,
            successor_path=household.successor_path,
        )  # fmt: skip
        if target != "other":
            self.steer(target, household, members, assessment, has_child)
        return household, members, assessment, duplicates, target

    def steer(self, target: str, household: Household, members: list[Member], assessment: Assessment,
              has_child: bool) -> None:  # fmt: skip
        """Adjust facts until the poverty app's own rules give the target class (poor ⇔ ≥ 3 deprivations)."""
        rng = self.rng

        def klass() -> str | None:
            result = evaluate(self.spec, household, assessment, on_date=self.today, members=members).result
            return result.klass if result else None

        def worse_housing():
            household.wall_durability = household.column_durability = "not_durable"

        def worse_water():
            household.water_source = "unprotected"

        def worse_latrine():
            household.latrine_type = "unhygienic"

        def worse_internet():
            household.info_devices = [d for d in household.info_devices if d != "internet"]

        def worse_area():
            household.housing_area_m2 = Decimal(str(round(rng.uniform(4.5, 7.5) * len(members), 1)))

        def worse_insurance():
            adults = [m for m in members if m.birth_year <= self.today.year - 6]
            if adults:
                rng.choice(adults).health_insurance = "no"

        def worse_nutrition():
            if has_child:
                assessment.answers = {"nutrition": True}

        def better():
            household.wall_durability = household.column_durability = household.roof_durability = "durable"
            household.water_source = household.water_source if household.water_source != "unprotected" else "piped"
            household.latrine_type = (
                "double_vault" if household.latrine_type in ("unhygienic", "none") else (household.latrine_type)
            )
            household.info_devices = sorted({*household.info_devices, "internet", "smartphone"})
            household.housing_area_m2 = max(household.housing_area_m2, Decimal(str(10 * len(members))))
            assessment.answers = {"nutrition": False}

        def better_members():
            for m in members:
                m.health_insurance = "yes"
                if m.labour_status in ("unemployed", "wage_no_contract"):
                    m.labour_status = "self_employed"
                age = self.today.year - m.birth_year
                if 3 <= age <= 15 and m.schooling == "none":
                    m.schooling = "preschool" if age < 6 else "primary" if age <= 10 else "lower_secondary"
                if 16 <= age <= 30 and m.schooling == "none":
                    m.diploma = "upper_secondary"

        if target == "poor":
            steps = [worse_housing, worse_water, worse_latrine, worse_internet, worse_area, worse_insurance,
                     worse_nutrition]  # fmt: skip
            rng.shuffle(steps)
            for step in [None, *steps]:
                if step:
                    step()
                if klass() == "poor":
                    return
        else:
            for step in (None, better, better_members):
                if step:
                    step()
                if klass() != "poor":
                    return

    def duplicate(self, commune: _Commune) -> tuple[Member, Member, str] | None:
        """A copy of an earlier person, perturbed as real duplicates are; (source, copy, kind)."""
        rng = self.rng
        source, source_commune = rng.choice(self.reservoir)
        kind = self.dup_kind(rng)
        birth = source.birth_date
        if kind == "two_communes" and source_commune == commune.unit.pk:
            kind = "typo"
        if kind == "swapped_day_month" and not (birth.day <= 12 and birth.day != birth.month):
            kind = "typo"
        full_name, id_number, id_kind = source.full_name, "", ""
        if kind == "two_communes":
            id_number, id_kind = source.id_number, source.id_kind
        elif kind == "typo":
            full_name = _typo(source.full_name, rng)
        elif kind == "no_diacritics":
            full_name = _without_diacritics(source.full_name)
            if rng.random() < 0.5:
                id_number, id_kind = source.id_number, source.id_kind
        else:
            birth = date(birth.year, birth.day, birth.month)
        fields = {name: getattr(source, name) for name, _rate in DUPLICATE_FIELD_CHANGES}
        for name, rate in DUPLICATE_FIELD_CHANGES:
            if rng.random() < rate:
                fields[name] = getattr(rng.choice(self.reservoir)[0], name)
        copy = Member(
            full_name=full_name, sex=source.sex, birth_date=birth, birth_year=birth.year, relation="other_relative",
            id_number=id_number, id_kind=id_kind, **fields,
        )  # fmt: skip
        self.set_derived(copy)
        return source, copy, kind

    def remember(self, members: list[Member], commune_id: int) -> None:
        for member in members:
            if member.relation == "other_relative":
                continue  # copy persons once: a duplicate of a duplicate muddles the ground truth
            if len(self.reservoir) < RESERVOIR_SIZE:
                self.reservoir.append((member, commune_id))
            else:
                self.reservoir[self.rng.randrange(RESERVOIR_SIZE)] = (member, commune_id)


def _fingerprint(digest, household: Household, members: list[Member], assessment: Assessment,
                 communes: dict[int, _Commune]) -> None:  # fmt: skip
    """Feed the generated content (not database ids) into the run's digest."""
    parts = [
        communes[household.commune_id].unit.code, household.unit_path, household.code, household.phone,
        str(household.housing_area_m2), household.wall_durability, household.column_durability,
        household.roof_durability, household.water_source, household.latrine_type, ",".join(household.info_devices),
        str(household.production_land_m2), str(assessment.income_per_capita), str(assessment.farming),
        json.dumps(assessment.answers, sort_keys=True),
    ]  # fmt: skip
    for m in members:
        parts += [m.full_name, m.sex, m.birth_date.isoformat(), m.relation, m.id_number, str(m.ethnicity_id),
                  m.health_insurance, m.schooling, m.diploma, m.disability, m.labour_status, m.allowance]  # fmt: skip
    digest.update("\x1f".join(parts).encode("utf-8"))
    digest.update(b"\x1e")


def _replace_taken_numbers(generator: _Generator, members: list[Member], duplicate_ids: set[int]) -> None:
    """Appending: a number some earlier run already issued is replaced (the numbers must stay unique)."""
    numbers = [m.id_number for m in members if m.id_kind == "cccd" and id(m) not in duplicate_ids]
    taken: set[str] = set()
    for start in range(0, len(numbers), 900):
        taken |= set(
            Member.objects.filter(id_number__in=numbers[start : start + 900]).values_list("id_number", flat=True)
        )
    for member in members:
        while member.id_kind == "cccd" and id(member) not in duplicate_ids and member.id_number in taken:
            member.id_number = generator.ids.cccd(member.id_number[:3], member.sex, member.birth_year)


def synthetic_registry_generate(
    *, province_code: str, households: int, seed: int = 1, append: bool = False, ground_truth: Path | None = None,
    today: date | None = None, chunk_size: int = CHUNK_SIZE, progress: Callable[[int, int], None] | None = None,
) -> GenerationSummary:  # fmt: skip
    """Generate `households` synthetic households (with members and form B) in a 2025 province.

    Refused, with nothing written, when `households` < 1, the province code is not a loaded 2025
    province (or has no communes), or the province already holds households and `append` is
    False. Writes one chunk per transaction, then the ground-truth file and one audit event.
    """
    started = time.monotonic()
    if households < 1:
        raise GenerationError("The number of households must be at least 1.")
    province = _province(province_code)
    communes = list(
        AdminUnit.objects.filter(parent=province, level=Level.COMMUNE, valid_to__isnull=True).order_by("code")
    )
    if not communes:
        raise GenerationError(f"Province {province.code} has no communes.")
    populated = Household.objects.filter(
        Q(unit_path__startswith=province.path) | Q(successor_path__startswith=province.path)
    ).exists()
    if populated and not append:
        raise GenerationError(f"Province {province.code} already holds households: pass --append to add more.")
    today = today or timezone.localdate()
    ground_truth = ground_truth or default_ground_truth_path(province.code, seed)
    standard = _standard()
    spec = standard.spec()
    ethnicities = dict(Ethnicity.objects.values_list("code", "pk"))
    generator = _Generator(province=province, seed=seed, today=today, spec=spec, standard_id=standard.pk,
                           ethnicities=ethnicities, id_provinces=_id_provinces(province))  # fmt: skip
    rng = generator.rng
    villages, villages_created = _ensure_villages(seed, province, communes)
    existing = dict(
        Household.objects.filter(commune__in=communes)
        .values("commune")
        .annotate(n=Count("id"))
        .values_list("commune", "n")
    )
    state = {
        c.pk: _Commune(unit=c, area_type=_area_type(c), villages=villages[c.pk], next_number=existing.get(c.pk, 0))
        for c in communes
    }
    # Communes differ in size: log-normal weights, fixed by the seed.
    weights = _Pick.of([(c.pk, rng.lognormvariate(0, 0.6)) for c in communes])
    summary = GenerationSummary(ground_truth=str(ground_truth))
    digest = hashlib.sha256()
    pairs: list[dict[str, Any]] = []
    classes = {"poor": 0, "near_poor": 0, "other": 0}
    done = 0
    while done < households:
        size = min(chunk_size, households - done)
        batch = []
        for _ in range(size):
            household, members, assessment, duplicates, target = generator.household(state[weights(rng)])
            batch.append((household, members, assessment, duplicates))
            classes[target] += 1
            _fingerprint(digest, household, members, assessment, state)
            generator.remember(members, household.commune_id)
        all_members = [m for _h, ms, _a, _d in batch for m in ms]
        if append:
            copies = {id(d[1]) for _h, _m, _a, ds in batch for d in ds if d[2] != "typo"}
            _replace_taken_numbers(generator, all_members, copies)
            for _h, _m, _a, duplicates in batch:
                for source, copy, _kind in duplicates:
                    if copy.id_number:
                        copy.id_number = source.id_number  # the source's number may just have been replaced
        with transaction.atomic():
            household_ids = reserve_ids(Household, len(batch))
            member_ids = iter(reserve_ids(Member, len(all_members)))
            assessment_ids = reserve_ids(Assessment, len(batch))
            for (household, members, assessment, _d), hid, aid in zip(batch, household_ids, assessment_ids,
                                                                      strict=True):  # fmt: skip
                household.pk = hid
                for member in members:
                    member.pk = next(member_ids)
                    member.household_id = hid
                household.head_id = members[0].pk
                assessment.pk, assessment.household_id = aid, hid
            insert_rows(Household, [b[0] for b in batch])
            insert_rows(Member, all_members)
            insert_rows(Assessment, [b[2].keyed() for b in batch])  # the province key (decision 0037)
        for _h, _m, _a, duplicates in batch:
            for source, copy, kind in duplicates:
                pairs.append({"a": source.pk, "b": copy.pk, "kind": kind, "a_name": source.full_name,
                              "b_name": copy.full_name})  # fmt: skip
        done += size
        summary.households += size
        summary.members += len(all_members)
        summary.assessments += size
        if progress:
            progress(done, households)
    summary.duplicates = len(pairs)
    summary.villages_created = villages_created
    summary.digest = digest.hexdigest()
    summary.classes = classes
    ground_truth.parent.mkdir(parents=True, exist_ok=True)
    ground_truth.write_text(
        json.dumps({"province": province.code, "seed": seed, "on_date": today.isoformat(), "households": households,
                    "pairs": pairs}, ensure_ascii=False, indent=0),
        encoding="utf-8",
    )  # fmt: skip
    analyze_tables(AdminUnit, Household, Member, Assessment)
    summary.seconds = time.monotonic() - started
    with transaction.atomic():
        audit_record(
            actor=None, event_type=DemoEventType.SYNTHETIC_REGISTRY_GENERATED, target=province,
            unit_path=province.path,
            changes={"new": {"seed": seed, "append": append, "on_date": today, **summary.as_dict()}},
        )  # fmt: skip
    return summary
