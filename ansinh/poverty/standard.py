"""A poverty standard as a value: what a data file (or its database copy) says, checked once.

`StandardSpec.from_dict` turns the JSON of `data/standards/<code>.json` into a frozen object and
refuses a malformed definition with every problem listed, so a bad edit by an administrator or
a bad file never reaches the classification. Nothing here touches the database.

Rule shapes (the combination of income and deprivations, which changes by period):
- ``single_line`` (NĐ 07/2021, NĐ 351/2025): at or below the line, poor with at least
  `deprivation_threshold` deprivations, near-poor with fewer.
- ``two_tier`` (QĐ 59/2015): at or below the lower line, poor whatever the deprivations; between
  the lower and the upper line, the deprivation rule splits poor from near-poor.
- ``two_band`` (local standards such as Hồ Chí Minh City 2021–2025): at or below the poor line
  with enough deprivations, poor; otherwise at or below the near-poor line, near-poor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ansinh.core.text import localized

from . import derivation, scoring

AREAS = ("rural", "urban")
RULES = ("single_line", "two_tier", "two_band")
PERIODS = ("month", "year")
CONFIDENCE = ("V", "V-2", "M")


class StandardDefinitionError(ValueError):
    """The definition is not usable; `problems` lists each fault in words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LegalBasis:
    number: str
    date: date
    title: str
    title_en: str = ""

    @property
    def heading(self) -> str:
        """The title in the reader's language (the number stays as written: it is the legal name)."""
        return localized(self.title, self.title_en)

    def citation(self) -> str:
        """E.g. "07/2021/NĐ-CP ngày 27/01/2021", the connecting word in the reader's language ("of" in English)."""
        return _("%(number)s ngày %(date)s") % {"number": self.number, "date": f"{self.date:%d/%m/%Y}"}


@dataclass(frozen=True)
class Lines:
    """Income lines of one area, in VND per person per `income_period`."""

    poor: int
    near_poor: int | None = None
    average: int | None = None
    low_income: int | None = None


@dataclass(frozen=True)
class ProxyScore:
    """Form B scoring: the income score thresholds stand for the income lines (TT 07/2021)."""

    points_per_deprivation: int
    deprivation_points_threshold: int
    income_thresholds: dict[str, int]
    # The scored items of form B per socio-economic region and area (`scoring`); None: total only.
    tables: scoring.ScoreTables | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    dimension: str
    dimension_name: str
    dimension_name_en: str
    threshold: str
    source: str
    confidence: str
    rule: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    threshold_en: str = ""
    source_en: str = ""

    @property
    def derived(self) -> bool:
        return self.rule is not None

    @property
    def title(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def dimension_title(self) -> str:
        return localized(self.dimension_name, self.dimension_name_en)

    @property
    def threshold_title(self) -> str:
        """The deprivation threshold in the reader's language (Vietnamese, the legal text, as fallback)."""
        return localized(self.threshold, self.threshold_en)

    @property
    def source_title(self) -> str:
        """The legal source in the reader's language (e.g. "Phụ lục" read as "Appendix")."""
        return localized(self.source, self.source_en)


@dataclass(frozen=True)
class StandardSpec:
    code: str
    version: int
    name: str
    name_en: str
    legal_basis: tuple[LegalBasis, ...]
    valid_from: date
    valid_to: date | None
    jurisdiction: tuple[str, ...]
    provisional: bool
    notes: str
    rule: str
    income_period: str
    deprivation_threshold: int
    lines: dict[str, Lines]
    low_income_from: date | None
    proxy_score: ProxyScore | None
    indicators: tuple[Indicator, ...]
    notes_en: str = ""

    @property
    def title(self) -> str:
        """The standard's name in the reader's language (the data file's `name_en` for an English reader)."""
        return localized(self.name, self.name_en)

    @property
    def notes_title(self) -> str:
        """The notes in the reader's language (the Vietnamese ones as fallback)."""
        return localized(self.notes, self.notes_en)

    @property
    def indicator_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.indicators)

    def indicator(self, code: str) -> Indicator:
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def is_local(self) -> bool:
        return bool(self.jurisdiction)

    def legal_basis_text(self) -> str:
        return "; ".join(b.citation() for b in self.legal_basis)

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def monthly(self, amount: int) -> float:
        """A line in VND per person per month (lines of yearly standards divided by 12)."""
        return amount / 12 if self.income_period == "year" else float(amount)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StandardSpec:
        problems: list[str] = []
        if not isinstance(data, dict):
            raise StandardDefinitionError(["the definition must be a JSON object"])

        def need(key: str, kind, *, optional: bool = False):
            value = data.get(key)
            if value is None:
                if not optional:
                    problems.append(f"'{key}' is missing")
                return None
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                problems.append(f"'{key}' has the wrong type")
                return None
            return value

        def day(value, key: str) -> date | None:
            if value is None:
                return None
            try:
                return date.fromisoformat(value)
            except (TypeError, ValueError):
                problems.append(f"'{key}' is not a date (YYYY-MM-DD): {value!r}")
                return None

        code = need("code", str) or ""
        version = need("version", int) or 0
        rule = need("rule", str) or ""
        if rule and rule not in RULES:
            problems.append(f"'rule' must be one of {', '.join(RULES)}")
        period = data.get("income_period", "month")
        if period not in PERIODS:
            problems.append("'income_period' must be 'month' or 'year'")
        threshold = need("deprivation_threshold", int) or 0
        if threshold < 1:
            problems.append("'deprivation_threshold' must be at least 1")
        valid_from = day(need("valid_from", str), "valid_from")
        valid_to = day(need("valid_to", str, optional=True), "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            problems.append("'valid_to' is before 'valid_from'")
        jurisdiction = need("jurisdiction", list, optional=True) or []
        for path in jurisdiction:
            if not isinstance(path, str) or not path.startswith("/") or not path.endswith("/"):
                problems.append(f"jurisdiction entries are unit paths like '/2025/79/': {path!r}")
        basis = []
        for index, item in enumerate(need("legal_basis", list) or []):
            try:
                basis.append(LegalBasis(str(item["number"]), date.fromisoformat(item["date"]), str(item["title"]),
                                        str(item.get("title_en") or "")))  # fmt: skip
            except (KeyError, TypeError, ValueError, AttributeError):
                problems.append(f"legal_basis[{index}] needs 'number', 'date' (YYYY-MM-DD) and 'title'")
        if not basis:
            problems.append("'legal_basis' must name at least one legal text")
        lines = _lines(need("lines", dict) or {}, rule, problems)
        proxy = _proxy(data.get("proxy_score"), problems)
        indicators = _indicators(need("dimensions", list) or [], problems)
        if threshold and indicators and threshold > len(indicators):
            problems.append("'deprivation_threshold' is larger than the number of indicators")
        if problems:
            raise StandardDefinitionError(problems)
        return cls(
            code=code, version=version, name=str(data.get("name") or code), name_en=str(data.get("name_en") or ""),
            legal_basis=tuple(basis), valid_from=valid_from, valid_to=valid_to, jurisdiction=tuple(jurisdiction),
            provisional=bool(data.get("provisional")), notes=str(data.get("notes") or ""),
            notes_en=str(data.get("notes_en") or ""), rule=rule,
            income_period=period, deprivation_threshold=threshold, lines=lines,
            low_income_from=day(data.get("low_income_from"), "low_income_from"), proxy_score=proxy,
            indicators=tuple(indicators),
        )  # fmt: skip


def _amount(value, where: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        problems.append(f"{where} must be a positive whole number of VND")
        return None
    return value


def _lines(raw: dict, rule: str, problems: list[str]) -> dict[str, Lines]:
    lines: dict[str, Lines] = {}
    for area in AREAS:
        item = raw.get(area)
        if not isinstance(item, dict):
            problems.append(f"lines.{area} is missing")
            continue
        unknown = set(item) - {"poor", "near_poor", "average", "low_income"}
        if unknown:
            problems.append(f"lines.{area} has unknown keys: {', '.join(sorted(unknown))}")
        values = {
            k: _amount(item.get(k), f"lines.{area}.{k}", problems)
            for k in ("poor", "near_poor", "average", "low_income")
        }
        if values["poor"] is None:
            problems.append(f"lines.{area}.poor is required")
            continue
        if rule in ("two_tier", "two_band") and values["near_poor"] is None:
            problems.append(f"lines.{area}.near_poor is required by the '{rule}' rule")
        if rule == "single_line" and values["near_poor"] is not None:
            problems.append(f"lines.{area}.near_poor has no meaning under the 'single_line' rule")
        ordered = [v for v in (values["poor"], values["near_poor"], values["average"]) if v is not None]
        if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
            problems.append(f"lines.{area}: poor < near_poor < average must hold")
        lines[area] = Lines(**values)
    return lines


def _proxy(raw, problems: list[str]) -> ProxyScore | None:
    if raw is None:
        return None
    try:
        thresholds = {area: int(raw["income_thresholds"][area]) for area in AREAS}
        proxy = ProxyScore(int(raw["points_per_deprivation"]), int(raw["deprivation_points_threshold"]), thresholds)
    except (KeyError, TypeError, ValueError):
        problems.append("proxy_score needs points_per_deprivation, deprivation_points_threshold and "
                        "income_thresholds for rural and urban")  # fmt: skip
        return None
    if proxy.points_per_deprivation <= 0 or min(thresholds.values()) <= 0:
        problems.append("proxy_score values must be positive")
    tables = scoring.parse_tables(raw.get("tables"), problems)
    return ProxyScore(proxy.points_per_deprivation, proxy.deprivation_points_threshold, thresholds, tables)


def _indicators(dimensions: list, problems: list[str]) -> list[Indicator]:
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for d_index, dim in enumerate(dimensions):
        if not isinstance(dim, dict) or not dim.get("code") or not isinstance(dim.get("indicators"), list):
            problems.append(f"dimensions[{d_index}] needs 'code', 'name' and a list of 'indicators'")
            continue
        for i_index, item in enumerate(dim["indicators"]):
            where = f"dimensions[{d_index}].indicators[{i_index}]"
            if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
                problems.append(f"{where} needs 'code' and 'name'")
                continue
            code = str(item["code"])
            if code in seen:
                problems.append(f"indicator code '{code}' is used twice")
            seen.add(code)
            if item.get("threshold_en") is not None and not isinstance(item["threshold_en"], str):
                problems.append(f"{where}.threshold_en must be text")
            confidence = item.get("confidence", "M")
            if confidence not in CONFIDENCE:
                problems.append(f"{where}.confidence must be one of {', '.join(CONFIDENCE)}")
            rule, params = None, {}
            spec = item.get("derivation")
            if spec is not None:
                rule = spec.get("rule") if isinstance(spec, dict) else None
                params = spec.get("params") or {} if isinstance(spec, dict) else {}
                try:
                    derivation.check(rule, params)
                except ValueError as exc:
                    problems.append(f"{where}.derivation: {exc}")
            indicators.append(
                Indicator(
                    code=code,
                    name=str(item["name"]),
                    name_en=str(item.get("name_en") or ""),
                    dimension=str(dim["code"]),
                    dimension_name=str(dim.get("name") or dim["code"]),
                    dimension_name_en=str(dim.get("name_en") or ""),
                    threshold=str(item.get("threshold") or ""),
                    threshold_en=str(item.get("threshold_en") or ""),
                    source=str(item.get("source") or ""),
                    source_en=str(item.get("source_en") or ""),
                    confidence=confidence,
                    rule=rule,
                    params=params,
                )
            )
    if not indicators:
        problems.append("a standard needs at least one indicator")
    return indicators
