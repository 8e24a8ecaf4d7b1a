"""Campaign kinds as data: the period rule, the approval chain per structure, the default milestones.

A kind's definition is the JSON of one entry of ``data/campaign_templates.json`` (or an
administrator's edit of it). `KindSpec.from_dict` checks it and lists every problem at once;
the campaign services read periods, chains and deadlines only through it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ansinh.geo.choices import Level, Structure

LEVELS = [level.value for level in Level if level != Level.VILLAGE]
# Levels that exist in each structure: districts were abolished on 1/7/2025 (NĐ 131/2025).
STRUCTURE_LEVELS = {Structure.Y2025.value: ["commune", "province"], Structure.LEGACY.value: LEVELS}


class KindDefinitionError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MilestoneTemplate:
    code: str
    name: str
    level: str
    deadline: dict[str, int]
    source: str = ""
    name_en: str = ""  # the English name (optional; Vietnamese is the fallback)
    source_en: str = ""  # the grounds in English ("Điều" read as "Article"; optional, Vietnamese is the fallback)

    def deadline_for(self, period_start: date) -> date:
        """The deadline of this milestone for a campaign whose period starts on `period_start`."""
        rule = self.deadline
        if "offset_days" in rule:
            return period_start + timedelta(days=rule["offset_days"])
        if "next_month_day" in rule:
            year, month = (period_start.year + 1, 1) if period_start.month == 12 else (
                period_start.year, period_start.month + 1)  # fmt: skip
            return date(year, month, min(rule["next_month_day"], calendar.monthrange(year, month)[1]))
        return date(period_start.year + rule.get("year_offset", 0), rule["month"], rule["day"])


@dataclass(frozen=True)
class KindSpec:
    code: str
    name: str
    name_en: str
    order: int
    legal_basis: str
    period: dict[str, Any]
    due_soon_days: int
    chains: dict[str, list[str]]
    milestones: dict[str, list[MilestoneTemplate]]
    # Public posting (niêm yết, step 5) lasts this many working days unless the commune sets another.
    posting_working_days: int = 3
    # The last day a certificate (Mẫu 03) of this kind's decision is valid: {month, day} of the decision's
    # year plus `year_offset`. The yearly periodic review sets the lists used the following year (QĐ 24/2021
    # Điều 3), the certificate being endorsed each year for the next (domain brief §3.3, [V-2]): data, not
    # a rule. Default (`default_certificate_rule`): yearly kinds to the end of the next year, others to the
    # end of the decision's year.
    certificate_valid_until: dict[str, Any] = field(default_factory=dict)
    # Which day's standard a campaign of this kind classifies under unless its plan names one
    # (`standard_date`): "following_year" (1 January after the review: the yearly periodic review sets
    # the lists used the following year, QĐ 24/2021 Điều 3, so the end-2021 review classified under the
    # 2022–2025 standard and the end-2026 one under 2027–2030's) or "period_start" (a monthly review
    # decides entries and exits now). Default (`default_standard_on`): yearly kinds the following year.
    standard_on: str = ""

    @property
    def is_monthly(self) -> bool:
        return self.period["type"] == "monthly"

    def period_for(self, year: int, month: int | None = None) -> tuple[date, date]:
        """(first day, last day) of the campaign period: yearly 1/9–14/12, monthly from the 15th."""
        if self.is_monthly:
            if month is None:
                raise ValueError("a monthly kind needs a month")
            start = date(year, month, self.period["start_day"])
            return start, start + timedelta(days=self.period["length_days"] - 1)
        s, e = self.period["start"], self.period["end"]
        return date(year, s["month"], s["day"]), date(year, e["month"], e["day"])

    def standard_date(self, start: date, end: date) -> date:
        """The day whose standard in force a campaign over `start`–`end` classifies under by default."""
        if (self.standard_on or default_standard_on(self.period)) == STANDARD_FOLLOWING_YEAR:
            return date(end.year + 1, 1, 1)
        return start

    def standard_dates(self, start: date, end: date) -> tuple[date, ...]:
        """The days a standard may be in force on to be chosen for such a campaign: the default day and,
        for a yearly review, also its first day (a plan may keep the standard of the review's year)."""
        default = self.standard_date(start, end)
        return (default,) if default == start else (default, start)

    def certificate_valid_to(self, decided_on: date) -> date:
        """The last day a certificate recognised by a decision signed on `decided_on` is valid."""
        rule = self.certificate_valid_until or default_certificate_rule(self.period)
        year = decided_on.year + int(rule.get("year_offset", 0))
        return date(year, rule["month"], min(rule["day"], calendar.monthrange(year, rule["month"])[1]))

    def chain_for(self, structure: str) -> list[str]:
        return list(self.chains[structure])

    def milestones_for(self, structure: str) -> list[MilestoneTemplate]:
        return list(self.milestones.get(structure, []))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KindSpec:
        problems: list[str] = []
        if not isinstance(data, dict):
            raise KindDefinitionError(["definition must be an object"])
        code = data.get("code")
        if not code or not isinstance(code, str):
            problems.append("code: required")
        if not data.get("name"):
            problems.append("name: required")
        period = data.get("period") or {}
        if period.get("type") == "yearly":
            try:
                date(2000, period["start"]["month"], period["start"]["day"])
                date(2000, period["end"]["month"], period["end"]["day"])
            except (KeyError, TypeError, ValueError):
                problems.append("period: yearly needs start and end {month, day}")
        elif period.get("type") == "monthly":
            if not isinstance(period.get("start_day"), int) or not 1 <= period["start_day"] <= 28:
                problems.append("period: start_day must be 1–28")
            if not isinstance(period.get("length_days"), int) or period["length_days"] < 1:
                problems.append("period: length_days must be at least 1")
        else:
            problems.append("period: type must be yearly or monthly")
        due_soon = data.get("due_soon_days")
        if not isinstance(due_soon, int) or isinstance(due_soon, bool) or due_soon < 0:
            problems.append("due_soon_days: a whole number ≥ 0")
        posting_days = data.get("posting_working_days", 3)
        if not isinstance(posting_days, int) or isinstance(posting_days, bool) or posting_days < 1:
            problems.append("posting_working_days: a whole number ≥ 1")
        standard_on = data.get("standard_on", "")
        if standard_on not in ("", *STANDARD_ON):
            problems.append(f"standard_on: one of {list(STANDARD_ON)}")
        certificate = data.get("certificate_valid_until")
        if certificate is not None and _certificate_rule_problem(certificate):
            problems.append(f"certificate_valid_until: {_certificate_rule_problem(certificate)}")
        chains = data.get("chains") or {}
        for structure, levels in STRUCTURE_LEVELS.items():
            chain = chains.get(structure)
            if not isinstance(chain, list) or not chain or any(level not in levels for level in chain):
                problems.append(f"chains.{structure}: a list of levels among {levels}")
        milestones: dict[str, list[MilestoneTemplate]] = {}
        for structure, items in (data.get("milestones") or {}).items():
            if structure not in STRUCTURE_LEVELS:
                problems.append(f"milestones.{structure}: unknown structure")
                continue
            seen: set[str] = set()
            milestones[structure] = []
            for index, item in enumerate(items or []):
                where = f"milestones.{structure}[{index}]"
                try:
                    template = MilestoneTemplate(
                        code=str(item["code"]), name=str(item["name"]), level=str(item["level"]),
                        deadline=dict(item["deadline"]), source=str(item.get("source", "")),
                        name_en=item.get("name_en") or "", source_en=item.get("source_en") or "",
                    )  # fmt: skip
                except (KeyError, TypeError, ValueError):
                    problems.append(f"{where}: needs code, name, level and deadline")
                    continue
                for key in ("name_en", "source_en"):
                    if not isinstance(getattr(template, key), str):
                        problems.append(f"{where}: {key} must be text")
                if template.code in seen:
                    problems.append(f"{where}: code {template.code} repeated")
                seen.add(template.code)
                if template.level not in STRUCTURE_LEVELS[structure]:
                    problems.append(f"{where}: level {template.level} does not exist in structure {structure}")
                keys = set(template.deadline)
                if not (
                    keys in ({"offset_days"}, {"next_month_day"})
                    or keys in ({"month", "day"}, {"month", "day", "year_offset"})
                ):
                    problems.append(f"{where}: deadline is {{month, day}}, {{offset_days}} or {{next_month_day}}")
                elif "month" in keys:
                    try:
                        date(2000, template.deadline["month"], template.deadline["day"])
                    except (TypeError, ValueError):
                        problems.append(f"{where}: deadline is not a date")
                milestones[structure].append(template)
        if problems:
            raise KindDefinitionError(problems)
        return cls(
            code=code, name=str(data["name"]), name_en=str(data.get("name_en", "")), order=int(data.get("order", 100)),
            legal_basis=str(data.get("legal_basis", "")), period=dict(period), due_soon_days=due_soon,
            chains={s: list(chains[s]) for s in STRUCTURE_LEVELS}, milestones=milestones,
            posting_working_days=posting_days, certificate_valid_until=dict(certificate or {}),
            standard_on=standard_on,
        )  # fmt: skip


STANDARD_FOLLOWING_YEAR, STANDARD_PERIOD_START = "following_year", "period_start"
STANDARD_ON = (STANDARD_FOLLOWING_YEAR, STANDARD_PERIOD_START)


def default_standard_on(period: dict[str, Any]) -> str:
    """Without `standard_on`: a yearly review classifies under the next year's standard, others under the
    one in force when they start."""
    return STANDARD_FOLLOWING_YEAR if period.get("type") == "yearly" else STANDARD_PERIOD_START


def default_certificate_rule(period: dict[str, Any]) -> dict[str, int]:
    """Without `certificate_valid_until`: a yearly review's certificate to 31/12 of the following year
    (its lists are used that year), a monthly one's to 31/12 of the decision's year (the next periodic
    review takes over)."""
    return {"month": 12, "day": 31, "year_offset": 1 if period.get("type") == "yearly" else 0}


def _certificate_rule_problem(rule: Any) -> str:
    """What is wrong with a `certificate_valid_until` rule ("" when nothing)."""
    if not isinstance(rule, dict) or set(rule) - {"source"} not in ({"month", "day"}, {"month", "day", "year_offset"}):
        return "{month, day} or {month, day, year_offset} (and an optional source)"
    offset = rule.get("year_offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 5:
        return "year_offset must be a whole number 0–5"
    try:
        date(2000, rule["month"], rule["day"])
    except (TypeError, ValueError):
        return "month and day must make a date"
    return ""
