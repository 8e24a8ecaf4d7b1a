"""Form B (Phiếu B) proxy-score tables as data, and the score of one household (pure, no database).

A standard with a proxy score may carry ``proxy_score.tables``:

- ``regions``: the socio-economic regions, each with the unit paths it covers (``/2025/38/``,
  ``/legacy/45/``; a longer path, e.g. one commune of a merged province, wins over its province);
- ``item_sets``: named lists of scored items, so that tables sharing items are written once;
- ``tables``: one per region × area (``rural``, ``urban``): a ``base`` and its ``items`` (a list,
  or the name of an item set). An item is either ``choice`` (``options`` with ``points``) or
  ``number`` (``brackets`` ``{min, max, points}``: min included, max excluded, contiguous from 0,
  the last one open). ``monotone`` (``increasing``/``decreasing``) states how points move along the
  options or brackets; the parser refuses a table that breaks what it states.

The score is the table's base plus the points of each answer. The higher the score, the better
off the household (TT 07/2021: at or below the threshold of its area, the income criterion is met).
`household_score` returns the total with the breakdown, the region and the area that gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext as _

from ansinh.core.text import localized

AREAS = ("rural", "urban")
KINDS = ("choice", "number")
MONOTONE = ("increasing", "decreasing")


class ScoreInputError(ValueError):
    """Answers that cannot be scored; `errors` maps a field (``score_<item>``) to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass(frozen=True)
class Option:
    code: str
    name: str
    name_en: str
    points: int

    @property
    def title(self) -> str:
        return localized(self.name, self.name_en)


@dataclass(frozen=True)
class Bracket:
    min: float
    max: float | None
    points: int

    def contains(self, value: float) -> bool:
        return self.min <= value and (self.max is None or value < self.max)

    def label(self) -> str:
        low = _number(self.min)
        return f"≥ {low}" if self.max is None else f"{low} – < {_number(self.max)}"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    name_en: str
    kind: str
    options: tuple[Option, ...] = ()
    brackets: tuple[Bracket, ...] = ()
    monotone: str | None = None
    unit: str = ""
    unit_en: str = ""

    @property
    def title(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def unit_title(self) -> str:
        """The unit of a number item ("người") in the reader's language."""
        return localized(self.unit, self.unit_en)

    def points(self, answer: Any) -> int:
        """Points of one answer; `ScoreInputError` when the answer is not one the table knows."""
        field = f"score_{self.code}"
        if self.kind == "choice":
            for option in self.options:
                if option.code == answer:
                    return option.points
            raise ScoreInputError({field: [_("“%(item)s”: hãy chọn một câu trả lời trong bảng điểm.")
                                           % {"item": self.title}]})  # fmt: skip
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) or answer != answer:
            raise ScoreInputError({field: [_("“%(item)s”: hãy nhập một số.") % {"item": self.title}]})
        if answer < 0:
            raise ScoreInputError({field: [_("“%(item)s”: số không được âm.") % {"item": self.title}]})
        for bracket in self.brackets:
            if bracket.contains(answer):
                return bracket.points
        raise ScoreInputError({field: [_("“%(item)s”: số nằm ngoài bảng điểm.") % {"item": self.title}]})

    def ordered_points(self) -> list[int]:
        return [o.points for o in self.options] if self.kind == "choice" else [b.points for b in self.brackets]

    def answer_text(self, answer: Any) -> str:
        if self.kind == "choice":
            return next((o.title for o in self.options if o.code == answer), str(answer))
        return f"{_number(answer)} {self.unit_title}".strip()


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str
    units: tuple[str, ...]

    @property
    def title(self) -> str:
        return localized(self.name, self.name_en)


@dataclass(frozen=True)
class Table:
    region: str
    area: str
    base: int
    items: tuple[Item, ...]

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclass(frozen=True)
class ScoreTables:
    provisional: bool
    note: str
    source: str
    regions: tuple[Region, ...]
    tables: dict[tuple[str, str], Table]
    note_en: str = ""
    source_en: str = ""

    @property
    def note_title(self) -> str:
        """The note in the reader's language (the Vietnamese one as fallback)."""
        return localized(self.note, self.note_en)

    @property
    def source_title(self) -> str:
        return localized(self.source, self.source_en)

    def region_title(self, code: str, fallback: str = "") -> str:
        """A region's name in the reader's language; `fallback` (the stored name) for a code not in these tables."""
        for region in self.regions:
            if region.code == code:
                return region.title
        return fallback or code

    def region(self, code: str) -> Region:
        for region in self.regions:
            if region.code == code:
                return region
        raise KeyError(code)

    def region_of(self, unit_path: str) -> Region | None:
        """The region covering a unit path (the longest matching path wins); None when none does."""
        best: tuple[int, Region] | None = None
        for region in self.regions:
            for prefix in region.units:
                if unit_path.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), region)
        return best[1] if best else None

    def table(self, region: str, area: str) -> Table:
        return self.tables[(region, area)]


@dataclass(frozen=True)
class Score:
    total: int
    base: int
    breakdown: tuple[dict[str, Any], ...]  # [{"code", "answer", "points"}] in the table's order


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def score(table: Table, answers: dict[str, Any]) -> Score:
    """Base plus the points of every item (all items must be answered; unknown items are refused)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(answers) - {i.code for i in table.items})
    if unknown:
        errors["score_answers"] = [_("Bảng điểm không có mục: %(codes)s.") % {"codes": ", ".join(unknown)}]
    breakdown = []
    for item in table.items:
        if answers.get(item.code) in (None, ""):
            errors[f"score_{item.code}"] = [_("“%(item)s”: chưa trả lời.") % {"item": item.title}]
            continue
        try:
            points = item.points(answers[item.code])
        except ScoreInputError as exc:
            errors.update(exc.errors)
            continue
        breakdown.append({"code": item.code, "answer": answers[item.code], "points": points})
    if errors:
        raise ScoreInputError(errors)
    total = table.base + sum(row["points"] for row in breakdown)
    if total < 0:
        raise ScoreInputError({"score_answers": [_("Điểm tính ra âm (%(total)s): bảng điểm không dùng được.")
                                                 % {"total": total}]})  # fmt: skip
    return Score(total, table.base, tuple(breakdown))


def household_score(tables: ScoreTables, *, unit_path: str, area: str, answers: dict[str, Any],
                    standard: str, version: int) -> dict[str, Any]:  # fmt: skip
    """The score of a household from its unit and area, as stored on the assessment (``score_detail``)."""
    region = tables.region_of(unit_path)
    if region is None:
        raise ScoreInputError({"score_answers": [_("Không xác định được vùng kinh tế - xã hội của địa bàn này; "
                                                   "hãy nhập điểm tổng.")]})  # fmt: skip
    area = area if area in AREAS else "rural"
    result = score(tables.table(region.code, area), answers)
    return {
        "standard": standard, "version": version, "region": region.code, "region_name": region.name,
        "area": area, "provisional": tables.provisional, "base": result.base, "items": list(result.breakdown),
        "total": result.total,
    }  # fmt: skip


def region_name(tables: ScoreTables | None, detail: dict[str, Any]) -> str:
    """The region of a stored score (``score_detail`` or a score-table reason) in the reader's language:
    the stored ``region_name`` is the Vietnamese one, kept as the fallback."""
    stored = str(detail.get("region_name") or detail.get("region") or "")
    return tables.region_title(str(detail.get("region") or ""), stored) if tables is not None else stored


def breakdown_rows(tables: ScoreTables | None, detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored breakdown joined with the item names (for the household page and the printout)."""
    rows = []
    table = None
    if tables is not None:
        table = tables.tables.get((detail.get("region"), detail.get("area")))
    for row in detail.get("items", []):
        item = None
        if table is not None:
            try:
                item = table.item(row["code"])
            except KeyError:
                item = None
        rows.append({
            "code": row["code"], "name": item.title if item else row["code"],
            "answer": item.answer_text(row["answer"]) if item else str(row["answer"]), "points": row["points"],
        })  # fmt: skip
    return rows


# -- parsing (called by `standard.StandardSpec.from_dict`) ---------------------------------------


def parse_tables(raw: Any, problems: list[str]) -> ScoreTables | None:
    """`ScoreTables` from ``proxy_score.tables``, appending every fault found to `problems`."""
    if raw is None:
        return None
    where = "proxy_score.tables"
    if not isinstance(raw, dict):
        problems.append(f"{where} must be an object")
        return None
    before = len(problems)
    regions = _regions(raw.get("regions"), problems)
    item_sets: dict[str, tuple[Item, ...]] = {}
    sets_raw = raw.get("item_sets") or {}
    if not isinstance(sets_raw, dict):
        problems.append(f"{where}.item_sets must be an object of named item lists")
        sets_raw = {}
    for name, items in sets_raw.items():
        item_sets[name] = _items(items, f"{where}.item_sets.{name}", problems)
    tables: dict[tuple[str, str], Table] = {}
    codes = {r.code for r in regions}
    raw_tables = raw.get("tables")
    if not isinstance(raw_tables, list) or not raw_tables:
        problems.append(f"{where}.tables must be a non-empty list (one table per region and area)")
        raw_tables = []
    for index, item in enumerate(raw_tables):
        at = f"{where}.tables[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{at} must be an object")
            continue
        region, area, base = item.get("region"), item.get("area"), item.get("base", 0)
        if region not in codes:
            problems.append(f"{at}.region {region!r} is not one of the regions")
        if area not in AREAS:
            problems.append(f"{at}.area must be rural or urban")
        if isinstance(base, bool) or not isinstance(base, int):
            problems.append(f"{at}.base must be a whole number")
            base = 0
        items = item.get("items")
        if isinstance(items, str):
            if items not in item_sets:
                problems.append(f"{at}.items names an unknown item set {items!r}")
            parsed = item_sets.get(items, ())
        else:
            parsed = _items(items, f"{at}.items", problems)
        if (region, area) in tables:
            problems.append(f"{at}: a second table for {region} / {area}")
        tables[(region, area)] = Table(str(region), str(area), base, parsed)
    for region in regions:
        for area in AREAS:
            if (region.code, area) not in tables:
                problems.append(f"{where}: no table for region {region.code} / {area}")
    if len(problems) > before:
        return None
    return ScoreTables(
        provisional=bool(raw.get("provisional")), note=str(raw.get("note") or ""), source=str(raw.get("source") or ""),
        regions=regions, tables=tables, note_en=str(raw.get("note_en") or ""),
        source_en=str(raw.get("source_en") or ""),
    )  # fmt: skip


def _regions(raw: Any, problems: list[str]) -> tuple[Region, ...]:
    where = "proxy_score.tables.regions"
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where} must be a non-empty list")
        return ()
    regions, seen_codes, seen_units = [], set(), {}
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            problems.append(f"{at} needs 'code', 'name' and 'units'")
            continue
        code = str(item["code"])
        if code in seen_codes:
            problems.append(f"{at}: region code {code!r} is used twice")
        seen_codes.add(code)
        units = item.get("units") or []
        if not isinstance(units, list):
            problems.append(f"{at}.units must be a list of unit paths")
            units = []
        for path in units:
            if not isinstance(path, str) or not path.startswith("/") or not path.endswith("/"):
                problems.append(f"{at}.units entries are unit paths like '/2025/38/': {path!r}")
                continue
            if path in seen_units:
                problems.append(f"{at}: unit {path} is already in region {seen_units[path]}")
            seen_units[path] = code
        regions.append(Region(code, str(item["name"]), str(item.get("name_en") or ""), tuple(units)))
    return tuple(regions)


def _points(value: Any, at: str, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{at}.points must be a whole number")
        return 0
    return value


def _items(raw: Any, where: str, problems: list[str]) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where} must be a non-empty list of items")
        return ()
    items, seen = [], set()
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            problems.append(f"{at} needs 'code', 'name' and 'kind'")
            continue
        code = str(item["code"])
        if code in seen:
            problems.append(f"{at}: item code {code!r} is used twice")
        seen.add(code)
        kind, monotone = item.get("kind"), item.get("monotone")
        if kind not in KINDS:
            problems.append(f"{at}.kind must be choice or number")
            continue
        if monotone is not None and monotone not in MONOTONE:
            problems.append(f"{at}.monotone must be increasing or decreasing")
            monotone = None
        options, brackets = (), ()
        if kind == "choice":
            options = _options(item.get("options"), at, problems)
        else:
            brackets = _brackets(item.get("brackets"), at, problems)
        parsed = Item(code, str(item["name"]), str(item.get("name_en") or ""), kind, options, brackets, monotone,
                      str(item.get("unit") or ""), str(item.get("unit_en") or ""))  # fmt: skip
        points = parsed.ordered_points()
        if monotone == "increasing" and points != sorted(points):
            problems.append(f"{at}: points must not decrease along the {kind} list (monotone increasing)")
        if monotone == "decreasing" and points != sorted(points, reverse=True):
            problems.append(f"{at}: points must not increase along the {kind} list (monotone decreasing)")
        items.append(parsed)
    return tuple(items)


def _options(raw: Any, at: str, problems: list[str]) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{at}.options must be a non-empty list")
        return ()
    options, seen = [], set()
    for index, item in enumerate(raw):
        where = f"{at}.options[{index}]"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            problems.append(f"{where} needs 'code', 'name' and 'points'")
            continue
        if item["code"] in seen:
            problems.append(f"{where}: option code {item['code']!r} is used twice")
        seen.add(item["code"])
        options.append(Option(str(item["code"]), str(item["name"]), str(item.get("name_en") or ""),
                              _points(item.get("points"), where, problems)))  # fmt: skip
    return tuple(options)


def _brackets(raw: Any, at: str, problems: list[str]) -> tuple[Bracket, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{at}.brackets must be a non-empty list")
        return ()
    brackets: list[Bracket] = []
    expected: float | None = 0
    for index, item in enumerate(raw):
        where = f"{at}.brackets[{index}]"
        low, high = (item.get("min"), item.get("max")) if isinstance(item, dict) else (None, None)
        if not _is_number(low) or (high is not None and not _is_number(high)):
            problems.append(f"{where} needs a numeric 'min', a numeric or null 'max' and 'points'")
            return ()
        if expected is None or low != expected:
            problems.append(f"{where}: brackets must start at 0 and follow each other (min = previous max)")
            return ()
        if high is not None and high <= low:
            problems.append(f"{where}: max must be greater than min")
            return ()
        brackets.append(Bracket(low, high, _points(item.get("points"), where, problems)))
        expected = high
    if expected is not None:
        problems.append(f"{at}.brackets: the last bracket must be open (max null)")
    return tuple(brackets)


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value >= 0


def table_reason(detail: dict[str, Any]) -> dict[str, Any]:
    """The classification reason naming the table that gave a computed score (stored as data)."""
    return {
        "code": "score_table", "standard": detail.get("standard", ""), "version": detail.get("version"),
        "region": detail.get("region", ""), "region_name": detail.get("region_name", ""),
        "area": detail.get("area", ""), "provisional": bool(detail.get("provisional")),
        "base": detail.get("base"), "total": detail.get("total"),
    }  # fmt: skip


def with_table_reason(result, detail: dict[str, Any]):
    """`result` (a `classify.Result`) with the score-table reason right after the score reason."""
    reasons = list(result.reasons)
    at = next((i + 1 for i, r in enumerate(reasons) if r.get("code") in ("score_within", "score_above")),
              len(reasons))  # fmt: skip
    reasons.insert(at, table_reason(detail))
    return replace(result, reasons=tuple(reasons))


def table_for(tables: ScoreTables | None, *, unit_path: str, area: str) -> tuple[Region, Table] | None:
    """The region and the table that score a household of this unit and area (None: no table)."""
    if tables is None:
        return None
    region = tables.region_of(unit_path)
    if region is None:
        return None
    return region, tables.table(region.code, area if area in AREAS else "rural")
