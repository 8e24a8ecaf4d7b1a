"""Form B scoring tables (pure): parsing, the score with its breakdown, the region of a unit."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansinh.poverty.scoring import ScoreInputError, household_score, parse_tables, score
from ansinh.poverty.standard import StandardDefinitionError, StandardSpec

DATA = Path(__file__).resolve().parents[1] / "data" / "standards"
SHIPPED = json.loads((DATA / "2022-2025.json").read_text(encoding="utf-8"))
TABLES = StandardSpec.from_dict(SHIPPED).proxy_score.tables

SMALL = {
    "provisional": True,
    "regions": [
        {"code": "north", "name": "Bắc", "units": ["/2025/01/", "/legacy/02/"]},
        {"code": "south", "name": "Nam", "units": ["/2025/79/", "/2025/01/99/"]},
    ],
    "item_sets": {
        "common": [
            {"code": "members", "name": "Số người", "kind": "number", "monotone": "decreasing",
             "brackets": [{"min": 0, "max": 2, "points": 30}, {"min": 2, "max": 5, "points": 10},
                          {"min": 5, "max": None, "points": 0}]},
            {"code": "house", "name": "Nhà", "kind": "choice", "monotone": "increasing",
             "options": [{"code": "weak", "name": "Nhà tạm", "points": 0},
                         {"code": "solid", "name": "Kiên cố", "points": 20}]},
        ]
    },
    "tables": [
        {"region": "north", "area": "rural", "base": 50, "items": "common"},
        {"region": "north", "area": "urban", "base": 70, "items": "common"},
        {"region": "south", "area": "rural", "base": 40, "items": "common"},
        {"region": "south", "area": "urban", "base": 60,
         "items": [{"code": "car", "name": "Ô tô", "kind": "choice",
                    "options": [{"code": "no", "name": "Không", "points": 0},
                                {"code": "yes", "name": "Có", "points": 45}]}]},
    ],
}  # fmt: skip


def small():
    problems = []
    tables = parse_tables(copy.deepcopy(SMALL), problems)
    assert problems == []
    return tables


@pytest.mark.parametrize(
    ("region", "area", "answers", "total", "points"),
    [
        ("north", "rural", {"members": 0, "house": "weak"}, 80, [30, 0]),
        ("north", "rural", {"members": 1.5, "house": "solid"}, 100, [30, 20]),
        ("north", "rural", {"members": 2, "house": "weak"}, 60, [10, 0]),  # min included
        ("north", "urban", {"members": 4.99, "house": "solid"}, 100, [10, 20]),
        ("north", "urban", {"members": 5, "house": "solid"}, 90, [0, 20]),  # max excluded
        ("south", "rural", {"members": 40, "house": "weak"}, 40, [0, 0]),  # open last bracket
        ("south", "urban", {"car": "yes"}, 105, [45]),  # a region × area table with its own items
    ],
)
def test_score_is_the_base_plus_the_points_of_each_answer(region, area, answers, total, points):
    result = score(small().table(region, area), answers)
    assert result.total == total
    assert [row["points"] for row in result.breakdown] == points
    assert [row["code"] for row in result.breakdown] == list(answers)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"house": "weak"}, "score_members", "chưa trả lời"),
        ({"members": 3, "house": "palace"}, "score_house", "hãy chọn"),
        ({"members": -1, "house": "weak"}, "score_members", "không được âm"),
        ({"members": "ba", "house": "weak"}, "score_members", "hãy nhập một số"),
        ({"members": True, "house": "weak"}, "score_members", "hãy nhập một số"),
        ({"members": 3, "house": "weak", "pigs": 2}, "score_answers", "pigs"),
    ],
)
def test_answers_the_table_cannot_score_are_refused_per_item(answers, field, message):
    with pytest.raises(ScoreInputError) as excinfo:
        score(small().table("north", "rural"), answers)
    assert message in " ".join(excinfo.value.errors[field])


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d["tables"].pop(), "no table for region south / urban"),
        (lambda d: d["tables"].append(dict(d["tables"][0])), "a second table for north / rural"),
        (lambda d: d["tables"][0].update(items="nope"), "unknown item set"),
        (lambda d: d["tables"][0].update(region="east"), "is not one of the regions"),
        (lambda d: d["regions"][1]["units"].append("/legacy/02/"), "already in region north"),
        (lambda d: d["regions"][1]["units"].append("79"), "unit paths"),
        (lambda d: d["item_sets"]["common"][0]["brackets"][1].update(min=3), "follow each other"),
        (lambda d: d["item_sets"]["common"][0]["brackets"][0].update(min=1), "start at 0"),
        (lambda d: d["item_sets"]["common"][0]["brackets"][2].update(max=9), "must be open"),
        (lambda d: d["item_sets"]["common"][0]["brackets"][2].update(points=40), "monotone decreasing"),
        (lambda d: d["item_sets"]["common"][1]["options"][1].update(points=-5), "monotone increasing"),
        (lambda d: d["item_sets"]["common"][1]["options"][1].update(points="20"), "whole number"),
        (lambda d: d["item_sets"]["common"][1].update(kind="slider"), "choice or number"),
        (lambda d: d["item_sets"]["common"].append(dict(d["item_sets"]["common"][0])), "used twice"),
        (lambda d: d["tables"][0].update(base=1.5), "base must be a whole number"),
    ],
)
def test_malformed_tables_are_refused_with_the_problem(mutate, problem):
    data = copy.deepcopy(SMALL)
    mutate(data)
    problems = []
    assert parse_tables(data, problems) is None
    assert any(problem in p for p in problems), problems


def test_a_malformed_table_makes_the_whole_standard_invalid():
    data = copy.deepcopy(SHIPPED)
    data["proxy_score"]["tables"]["tables"].pop()
    with pytest.raises(StandardDefinitionError, match="no table for region mekong_delta / urban"):
        StandardSpec.from_dict(data)


def test_a_standard_without_tables_still_parses_with_only_thresholds():
    data = copy.deepcopy(SHIPPED)
    del data["proxy_score"]["tables"]
    proxy = StandardSpec.from_dict(data).proxy_score
    assert proxy.tables is None and proxy.income_thresholds == {"rural": 140, "urban": 175}


# -- the shipped (provisional) tables ---------------------------------------------------------------


def test_shipped_tables_are_marked_provisional_and_cover_six_regions_by_two_areas():
    assert TABLES.provisional and "Phụ lục III" in TABLES.note
    assert [r.name for r in TABLES.regions] == [
        "Trung du và miền núi phía Bắc", "Đồng bằng sông Hồng", "Bắc Trung Bộ và duyên hải miền Trung", "Tây Nguyên",
        "Đông Nam Bộ", "Đồng bằng sông Cửu Long",
    ]  # fmt: skip
    assert len(TABLES.tables) == 12
    for table in TABLES.tables.values():
        for item in table.items:
            assert item.name and item.name_en
            assert all(o.name and o.name_en for o in item.options)


@pytest.mark.parametrize(
    ("path", "region"),
    [
        ("/legacy/45/", "north_central_coast"),  # Quảng Trị before 1/7/2025
        ("/legacy/67/600/19999/", "central_highlands"),  # a commune of Đắk Nông (merged into Lâm Đồng)
        ("/legacy/74/", "southeast"),  # Bình Dương (merged into Hồ Chí Minh City)
        ("/legacy/02/", "northern_midlands_mountains"),  # Hà Giang
        ("/2025/38/16000/", "north_central_coast"),  # Thanh Hóa, 2025
        ("/2025/79/", "southeast"),
        ("/2025/96/", "mekong_delta"),
        ("/2025/01/", "red_river_delta"),
    ],
)
def test_region_of_legacy_and_new_province_codes(path, region):
    assert TABLES.region_of(path).code == region


def test_a_commune_of_a_merged_province_follows_the_region_of_its_legacy_province():
    # Gia Lai 2025 (code 52, from Bình Định and Gia Lai): its province path is in the Bình Định region,
    # the communes formed from legacy Gia Lai communes are listed under Tây Nguyên.
    highlands = TABLES.region("central_highlands")
    gia_lai_communes = [p for p in highlands.units if p.startswith("/2025/52/") and p != "/2025/52/"]
    assert gia_lai_communes
    assert TABLES.region_of("/2025/52/").code == "north_central_coast"
    assert TABLES.region_of(gia_lai_communes[0]).code == "central_highlands"
    assert TABLES.region_of(gia_lai_communes[0] + "T1/").code == "central_highlands"  # its villages too


def test_every_province_of_both_structures_has_a_region():
    from vietnamadminunits.database import get_data

    new = {r["provinceCode"] for r in get_data(table="admin_units")}
    old = {r["provinceCode"] for r in get_data(table="admin_units_legacy")}
    assert (len(new), len(old)) == (34, 63)
    assert all(TABLES.region_of(f"/2025/{code}/") for code in new)
    assert all(TABLES.region_of(f"/legacy/{code}/") for code in old)
    assert TABLES.region_of("/2025/00/") is None


def test_household_score_names_the_region_area_and_version():
    table = TABLES.table("central_highlands", "urban")
    answers = {item.code: (item.options[-1].code if item.kind == "choice" else 0) for item in table.items}
    detail = household_score(TABLES, unit_path="/2025/66/24000/", area="urban", answers=answers,
                             standard="2022-2025", version=3)  # fmt: skip
    assert (detail["region"], detail["area"], detail["version"], detail["provisional"]) == (
        "central_highlands", "urban", 3, True,
    )  # fmt: skip
    assert detail["total"] == detail["base"] + sum(row["points"] for row in detail["items"])
    with pytest.raises(ScoreInputError, match="vùng kinh tế - xã hội"):
        household_score(TABLES, unit_path="/2025/00/", area="rural", answers=answers, standard="x", version=1)


# -- properties -------------------------------------------------------------------------------------

numbers = st.one_of(st.integers(0, 100_000), st.floats(0, 100_000, allow_nan=False))


@st.composite
def numeric_items(draw):
    """A numeric item with random brackets and points that respect its stated monotonicity."""
    cuts = sorted(draw(st.sets(st.integers(1, 5_000), min_size=0, max_size=6)))
    monotone = draw(st.sampled_from([None, "increasing", "decreasing"]))
    points = draw(st.lists(st.integers(-50, 50), min_size=len(cuts) + 1, max_size=len(cuts) + 1))
    if monotone:
        points = sorted(points, reverse=monotone == "decreasing")
    bounds = [0, *cuts, None]
    brackets = [{"min": bounds[i], "max": bounds[i + 1], "points": p} for i, p in enumerate(points)]
    return {"code": "n", "name": "Số", "kind": "number", "brackets": brackets,
            **({"monotone": monotone} if monotone else {})}  # fmt: skip


def one_table(items, base=0):
    problems = []
    tables = parse_tables({"regions": [{"code": "r", "name": "Vùng", "units": ["/"]}],
                           "tables": [{"region": "r", "area": a, "base": base, "items": items}
                                      for a in ("rural", "urban")]}, problems)  # fmt: skip
    assert problems == []
    return tables.table("r", "rural")


@settings(max_examples=150, deadline=None)
@given(item=numeric_items(), a=numbers, b=numbers)
def test_points_move_the_way_the_table_says(item, a, b):
    parsed = one_table([item]).items[0]
    low, high = sorted((a, b))
    if item.get("monotone") == "increasing":
        assert parsed.points(low) <= parsed.points(high)
    elif item.get("monotone") == "decreasing":
        assert parsed.points(low) >= parsed.points(high)
    else:  # no statement: every value still falls in exactly one bracket
        assert sum(1 for bracket in parsed.brackets if bracket.contains(low)) == 1


@st.composite
def shipped_answers(draw, table):
    return {
        item.code: draw(st.sampled_from([o.code for o in item.options]) if item.kind == "choice" else numbers)
        for item in table.items
    }


@settings(max_examples=150, deadline=None)
@given(data=st.data(), key=st.sampled_from(sorted(TABLES.tables)))
def test_shipped_tables_breakdown_sums_to_the_total_and_is_monotone(data, key):
    table = TABLES.table(*key)
    answers = data.draw(shipped_answers(table))
    result = score(table, answers)
    assert result.total == table.base + sum(row["points"] for row in result.breakdown)
    assert [row["code"] for row in result.breakdown] == [item.code for item in table.items]
    # One more unit of a monotone numeric item never moves the score against its statement.
    for item in table.items:
        if item.kind == "number" and item.monotone:
            more = score(table, {**answers, item.code: answers[item.code] + data.draw(numbers)}).total
            assert (more >= result.total) if item.monotone == "increasing" else (more <= result.total)
