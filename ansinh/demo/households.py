"""Demo households: realistic names and ethnic mixes for the demo communes, generated deterministically.

Names, ethnic mixes and family-name frequencies are illustrative (typical of each region), not
records of real people. Every household goes through `household_register`, so the demo obeys
the same rules and leaves the same audit trail as real entry.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ansinh.geo.choices import Structure
from ansinh.registry.services import HouseholdData, MemberData, household_register

# Family names of the Kinh majority, weighted by their approximate national frequency (%).
KINH_FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4.5),
               ("Vũ", 3.9), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
               ("Lý", 0.5)]  # fmt: skip
KINH_MALE = ["Văn An", "Văn Bình", "Văn Cường", "Đức Dũng", "Văn Hùng", "Minh Khoa", "Văn Long", "Quang Minh",
             "Văn Nam", "Văn Phúc", "Văn Quân", "Văn Sơn", "Văn Thắng", "Đình Toàn", "Văn Việt", "Hữu Lộc"]  # fmt: skip
KINH_FEMALE = ["Thị Anh", "Thị Bích", "Thị Chi", "Thị Dung", "Thị Hà", "Thị Hoa", "Thị Hương", "Thị Lan",
               "Thị Mai", "Thị Nga", "Thị Oanh", "Thị Phương", "Thị Thảo", "Thị Thu", "Thị Vân", "Thị Yến"]  # fmt: skip

NAMES_BY_ETHNICITY = {
    # Mường and Thái households of western Thanh Hóa.
    "06": (["Bùi", "Đinh", "Quách", "Hà", "Phạm"], ["Văn Khiêm", "Văn Mừng", "Văn Pháo", "Văn Thiện"],
           ["Thị Lọc", "Thị Nhung", "Thị Xuân", "Thị Duyên"]),
    "03": (["Lò", "Vi", "Hà", "Lương", "Cầm"], ["Văn Xôm", "Văn Pản", "Văn Ninh"], ["Thị Ín", "Thị Xiêng", "Thị Pọm"]),
    # Tày and Nùng families who settled in Đắk Lắk.
    "02": (["Hoàng", "Nông", "Lục", "Đàm"], ["Văn Lềnh", "Văn Sáng", "Văn Tuấn"], ["Thị Slim", "Thị Mến", "Thị Hạnh"]),
    "07": (["Hoàng", "Vi", "Lục"], ["Văn Chẳn", "Văn Pồng"], ["Thị Lìn", "Thị Sáu"]),
}  # fmt: skip
# Ê-đê names: "Y" + given name + clan for men, "H'" + given name + clan for women.
EDE_CLANS = ["Niê", "Êban", "Mlô", "Byă", "Ksơr", "Adrơng", "Hwing", "Buôn Yă"]
EDE_MALE = ["Y Bhim", "Y Khu", "Y Phôn", "Y Sang", "Y Nguyên", "Y Tlam", "Y Jut"]
EDE_FEMALE = ["H'Linh", "H'Ngun", "H'Nhi", "H'Bia", "H'Yam", "H'Zuyên", "H'Ble"]
# Cơ-tu names of the western Huế mountains.
COTU_FAMILY = ["Hồ", "A Lăng", "Bh'riu", "Zơ Râm", "Ating", "Pơ Loong"]
COTU_MALE = ["Văn Dưa", "Văn Lân", "Văn Bhơ", "Văn Blúi", "Văn A Rất"]
COTU_FEMALE = ["Thị Nhơi", "Thị Zeo", "Thị Bhríu", "Thị Cơlâu", "Thị Pi"]


@dataclass(frozen=True)
class DemoCommune:
    structure: str
    code: str
    id_province: str  # 3-digit CCCD code of the province where members' births were registered
    ethnic_mix: tuple[tuple[str, float], ...]
    households: int
    villages: tuple[tuple[str, str, str], ...]  # (code, name, type)
    as_of: date | None = None  # legacy communes: the day their records describe (None = today)


DEMO_COMMUNES = [
    # Xã Thọ Xuân, Thanh Hóa (successor of legacy Thọ Xuân district communes).
    DemoCommune(Structure.Y2025, "15499", "038", (("01", 0.82), ("06", 0.13), ("03", 0.05)), 30,
                (("XH1", "Thôn Xuân Hồng 1", "thon"), ("XH2", "Thôn Xuân Hồng 2", "thon"),
                 ("TDP1", "Tổ dân phố 1", "to_dan_pho"))),
    # Xã M'Drắk, Đắk Lắk (successor of legacy M'Đrắk district communes).
    DemoCommune(Structure.Y2025, "24412", "066", (("12", 0.45), ("01", 0.38), ("02", 0.09), ("07", 0.08)), 24,
                (("EL", "Buôn Ea Lai", "buon"), ("KJ", "Thôn Krông Jing", "thon"))),
    # The Huế communes that replaced Thượng Long, Thượng Quảng, Hương Hữu (→ Long Quảng),
    # Thượng Lộ (→ Khe Tre), Thượng Nhật and Hương Sơn (→ Nam Đông).
    DemoCommune(Structure.Y2025, "20182", "046", (("26", 0.6), ("01", 0.4)), 12,
                (("T1", "Thôn 1", "thon"), ("T2", "Thôn 2", "thon"))),
    DemoCommune(Structure.Y2025, "20161", "046", (("26", 0.5), ("01", 0.5)), 12,
                (("T1", "Thôn 1", "thon"), ("T2", "Thôn 2", "thon"))),
    DemoCommune(Structure.Y2025, "20179", "046", (("26", 0.45), ("01", 0.55)), 12,
                (("T1", "Thôn 1", "thon"), ("T2", "Thôn 2", "thon"))),
    # Ea Lai and Krông Jing of the legacy huyện M'Đrắk as they stood in 2019 (the replay of case 4).
    DemoCommune(Structure.LEGACY, "24421", "066", (("12", 0.55), ("01", 0.35), ("02", 0.10)), 10,
                (("EL", "Buôn Ea Lai", "buon"),), as_of=date(2019, 8, 1)),
    DemoCommune(Structure.LEGACY, "24427", "066", (("12", 0.5), ("01", 0.4), ("07", 0.10)), 10,
                (("KJ", "Thôn Krông Jing", "thon"),), as_of=date(2019, 8, 1)),
]  # fmt: skip


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def person_name(rng: random.Random, ethnicity: str, sex: str, family: str | None = None) -> tuple[str, str]:
    """(full name, family name) typical of the ethnic group."""
    male = sex == "male"
    if ethnicity == "12":
        clan = family or rng.choice(EDE_CLANS)
        return f"{rng.choice(EDE_MALE if male else EDE_FEMALE)} {clan}", clan
    if ethnicity == "26":
        fam = family or rng.choice(COTU_FAMILY)
        return f"{fam} {rng.choice(COTU_MALE if male else COTU_FEMALE)}", fam
    if ethnicity in NAMES_BY_ETHNICITY:
        families, men, women = NAMES_BY_ETHNICITY[ethnicity]
        fam = family or rng.choice(families)
        return f"{fam} {rng.choice(men if male else women)}", fam
    fam = family or _pick(rng, KINH_FAMILY)
    return f"{fam} {rng.choice(KINH_MALE if male else KINH_FEMALE)}", fam


def cccd(rng: random.Random, province: str, sex: str, birth: date) -> str:
    """A number that follows the CCCD rules (province, century/sex digit, year); serial is random."""
    digit = (0 if birth.year < 2000 else 2) + (1 if sex == "female" else 0)
    return f"{province}{digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def _birth(rng: random.Random, age: int, today: date) -> date:
    """A birth date `age` full years before `today` (never in the future)."""
    anniversary = date(today.year - age, today.month, min(today.day, 28))
    return anniversary - timedelta(days=rng.randint(0, 364))


def demo_household(rng: random.Random, commune: DemoCommune, *, today: date) -> tuple[dict, list[MemberData]]:
    """Facts and members of one household: head, usually a spouse, children, sometimes a parent."""
    ethnicity = _pick(rng, commune.ethnic_mix)
    poorer = rng.random() < 0.25  # about a quarter live in harder conditions (drives the facts below)
    head_sex = "male" if rng.random() < 0.8 else "female"
    head_age = rng.randint(24, 72)
    members: list[MemberData] = []

    taken: set[str] = set()

    def add(sex: str, relation: str, age: int, family: str | None = None) -> str:
        birth = _birth(rng, age, today)
        for _attempt in range(20):  # siblings do not share a full name
            name, fam = person_name(rng, ethnicity, sex, family)
            if name not in taken:
                break
        else:  # small name pools: many families also use common Kinh given names
            name = f"{fam} {rng.choice(KINH_MALE if sex == 'male' else KINH_FEMALE)}"
        taken.add(name)
        adult = age >= 14
        members.append(MemberData(
            full_name=name, sex=sex, relation=relation, birth_date=birth, ethnicity_code=ethnicity,
            id_number=cccd(rng, commune.id_province, sex, birth) if adult and rng.random() < 0.85 else "",
            health_insurance="yes" if (poorer or rng.random() < 0.85) else "no",
            schooling=("primary" if age < 11 else "lower_secondary" if age < 15 else "upper_secondary")
            if 6 <= age < 18 and rng.random() < 0.93 else ("none" if 6 <= age < 18 else ""),
            diploma="none" if age < 11 else rng.choice(["primary", "lower_secondary", "upper_secondary", "vocational"]),
            labour_status=("child" if age < 15 else "student" if age < 18 else "retired" if age >= 65
                           else rng.choice(["self_employed", "self_employed", "wage_no_contract", "working_contract",
                                            "unemployed"] if not poorer else ["self_employed", "wage_no_contract",
                                                                              "unemployed"])),
            allowance="pension" if age >= 65 and rng.random() < 0.2 else "none",
        ))  # fmt: skip
        return fam

    family = add(head_sex, "head", head_age)
    if rng.random() < 0.82:
        spouse_family = add(
            "female" if head_sex == "male" else "male", "spouse", max(20, head_age + rng.randint(-6, 4))
        )
        if ethnicity == "12" and head_sex == "male":
            family = spouse_family  # Ê-đê kinship is matrilineal: children take the mother's clan
    for _ in range(rng.choice([0, 1, 2, 2, 3, 4] if poorer else [0, 1, 2, 2, 3])):
        age = rng.randint(0, max(0, min(head_age - 20, 30)))
        add(rng.choice(["male", "female"]), "child", age, family)
    if head_age < 50 and rng.random() < 0.2:
        add(rng.choice(["male", "female"]), "parent", min(95, head_age + rng.randint(22, 30)))

    size = len(members)
    facts = {
        "housing_area_m2": str(round(rng.uniform(5, 9) * size, 1) if poorer else round(rng.uniform(9, 30) * size, 1)),
        "wall_durability": "not_durable" if poorer and rng.random() < 0.6 else "durable",
        "column_durability": "not_durable" if poorer and rng.random() < 0.5 else "durable",
        "roof_durability": "not_durable" if poorer and rng.random() < 0.5 else "durable",
        "water_source": rng.choice(["unprotected", "protected_well"] if poorer else ["piped", "protected_well"]),
        "latrine_type": rng.choice(["unhygienic", "none", "double_vault"] if poorer else ["flush", "double_vault"]),
        "info_devices": rng.sample(["tv", "radio", "smartphone", "loudspeaker", "internet"], k=1 if poorer else 3),
        "production_land_m2": str(rng.randint(0, 3000) if poorer else rng.randint(500, 12000)),
        "no_labour_capacity": poorer and head_age >= 65 and size == 1,
        "lone_household": size == 1,
        "has_meritorious_person": rng.random() < 0.04,
    }
    return {"ethnicity": ethnicity, "facts": facts}, members


def demo_households_load(*, actor, communes: dict[tuple[str, str], object], today: date) -> int:
    """Register the demo households that are missing; returns how many were created."""
    created = 0
    for spec in DEMO_COMMUNES:
        commune = communes[(spec.structure, spec.code)]
        villages = {v.code: v for v in commune.children.filter(level="village")}
        existing = set(commune_household_codes(commune))
        rng = random.Random(f"ansinh-demo-{spec.code}")  # noqa: S311 - reproducible demo data, not security
        for index in range(1, spec.households + 1):
            household, members = demo_household(rng, spec, today=spec.as_of or today)
            code = f"HS{index:04d}"
            village_code = spec.villages[(index - 1) % len(spec.villages)][0]
            if code in existing:
                continue
            household_register(
                actor=actor, commune=commune,
                data=HouseholdData(code=code, village=villages.get(village_code), ethnicity_code=household["ethnicity"],
                                   facts=household["facts"]),
                members=members,
            )  # fmt: skip
            created += 1
    return created


def commune_household_codes(commune) -> list[str]:
    from ansinh.registry.models import Household

    return list(Household.objects.filter(commune=commune).values_list("code", flat=True))
