"""Classification as a pure function: household facts + standard → class, flags and reasons.

`classify` reads nothing but its arguments, so the same facts under the same standard always give
the same answer, and every answer carries the reasons that produced it (income against the line,
the deprivations against the threshold, the band rules, the standard and its legal basis).
Reasons are data (`{"code": ..., parameters}`); `explain.reason_text` turns them into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .standard import AREAS, StandardSpec

POOR, NEAR_POOR, AVERAGE, NOT_POOR = "poor", "near_poor", "average", "not_poor"
CLASSES = (POOR, NEAR_POOR, AVERAGE, NOT_POOR)
LOW_INCOME = "low_income"

PROXY_SCORE, DECLARED, COMPUTED = "proxy_score", "declared", "computed"
INCOME_SOURCES = (PROXY_SCORE, DECLARED, COMPUTED)


class ClassificationInputError(ValueError):
    """The facts cannot be classified under this standard (message says why)."""


@dataclass(frozen=True)
class Facts:
    """What the classification needs to know about one household.

    `income_per_capita` is in VND per person per month (declared or computed); `income_score` is
    the form B proxy score. `income_source` says which of the two stands for income.
    """

    area: str
    deprivations: frozenset[str]
    farming: bool = False
    income_source: str = DECLARED
    income_per_capita: int | None = None
    income_score: int | None = None
    on_date: date | None = None


@dataclass(frozen=True)
class Result:
    klass: str
    flags: tuple[str, ...]
    reasons: tuple[dict[str, Any], ...]
    deprivation_count: int

    def as_dict(self) -> dict[str, Any]:
        return {"class": self.klass, "flags": list(self.flags), "reasons": [dict(r) for r in self.reasons]}


def check_facts(facts: Facts, standard: StandardSpec) -> None:
    if facts.area not in AREAS:
        raise ClassificationInputError(_("khu vực phải là rural hoặc urban, không phải %(v)r") % {"v": facts.area})
    unknown = set(facts.deprivations) - standard.indicator_codes
    if unknown:
        raise ClassificationInputError(
            _("mã chỉ số không có trong chuẩn %(code)s: %(codes)s")
            % {"code": standard.code, "codes": ", ".join(sorted(unknown))}
        )
    if facts.income_source not in INCOME_SOURCES:
        raise ClassificationInputError(_("nguồn thu nhập phải là một trong: %(v)s") % {"v": ", ".join(INCOME_SOURCES)})
    if facts.income_source == PROXY_SCORE:
        if standard.proxy_score is None:
            raise ClassificationInputError(_("chuẩn %(code)s không có ngưỡng điểm thu nhập") % {"code": standard.code})
        value = facts.income_score
    else:
        value = facts.income_per_capita
    if value is None:
        raise ClassificationInputError(_("thiếu thu nhập"))
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClassificationInputError(_("thu nhập phải là số nguyên (đồng), không phải %(v)r") % {"v": value})
    if value < 0:
        raise ClassificationInputError(_("thu nhập không được âm"))


def classify(facts: Facts, standard: StandardSpec) -> Result:
    """Classify one household. Raises `ClassificationInputError` on facts it cannot use."""
    check_facts(facts, standard)
    lines = standard.lines[facts.area]
    deprived = sorted(facts.deprivations, key=[i.code for i in standard.indicators].index)
    count = len(deprived)
    enough = count >= standard.deprivation_threshold
    reasons: list[dict[str, Any]] = [
        {"code": "standard", "standard": standard.code, "name": standard.name,
         "legal_basis": standard.legal_basis_text()},
        {"code": "deprivations", "count": count, "threshold": standard.deprivation_threshold, "indicators": deprived},
    ]  # fmt: skip
    flags: list[str] = []

    if facts.income_source == PROXY_SCORE:
        threshold = standard.proxy_score.income_thresholds[facts.area]
        within = facts.income_score <= threshold
        reasons.append(
            {"code": "score_within" if within else "score_above", "score": facts.income_score,
             "threshold": threshold, "area": facts.area}
        )  # fmt: skip
        if within:
            klass = POOR if enough else NEAR_POOR
            reasons.append({"code": "rule_poor" if enough else "rule_near_poor", "rule": standard.rule})
        elif facts.farming and lines.average is not None:
            klass = NOT_POOR
            reasons.append({"code": "average_needs_income"})
        else:
            klass = NOT_POOR
        return Result(klass, (), tuple(reasons), count)

    income = facts.income_per_capita
    klass = _by_income(standard, income, lines, enough, facts.area, reasons)
    if klass is None:
        klass = NOT_POOR
        if lines.average is not None and _within(standard, income, lines.average):
            if facts.farming:
                klass = AVERAGE
                reasons.append({"code": "average_band", "income": income, "line": lines.average, "area": facts.area,
                                "period": standard.income_period})  # fmt: skip
            else:
                reasons.append({"code": "average_band_not_farming", "line": lines.average})
    if (
        klass in (AVERAGE, NOT_POOR)
        and lines.low_income is not None
        and (standard.low_income_from is None or facts.on_date is None or facts.on_date >= standard.low_income_from)
        and _within(standard, income, lines.low_income)
    ):
        flags.append(LOW_INCOME)
        reasons.append({"code": "low_income", "income": income, "line": lines.low_income, "area": facts.area,
                        "period": standard.income_period})  # fmt: skip
    return Result(klass, tuple(flags), tuple(reasons), count)


def _within(standard: StandardSpec, monthly_income: int, line: int) -> bool:
    """Income (per person per month) at or below a line expressed in the standard's period."""
    return monthly_income * (12 if standard.income_period == "year" else 1) <= line


def _by_income(standard, income, lines, enough, area, reasons) -> str | None:
    """Poor / near-poor by the standard's rule shape, or None when income is above its lines."""

    def note(code: str, line: int, which: str) -> None:
        reasons.append({"code": code, "income": income, "line": line, "line_kind": which, "area": area,
                        "period": standard.income_period})  # fmt: skip

    if standard.rule == "single_line":
        if _within(standard, income, lines.poor):
            note("income_within", lines.poor, "poor")
            reasons.append({"code": "rule_poor" if enough else "rule_near_poor", "rule": standard.rule})
            return POOR if enough else NEAR_POOR
        note("income_above", lines.poor, "poor")
        return None
    if standard.rule == "two_tier":
        if _within(standard, income, lines.poor):
            note("income_within", lines.poor, "poor_lower")
            reasons.append({"code": "rule_poor_lower_tier", "rule": standard.rule})
            return POOR
        if _within(standard, income, lines.near_poor):
            note("income_within", lines.near_poor, "near_poor")
            reasons.append({"code": "rule_poor" if enough else "rule_near_poor", "rule": standard.rule})
            return POOR if enough else NEAR_POOR
        note("income_above", lines.near_poor, "near_poor")
        return None
    # two_band
    if _within(standard, income, lines.poor) and enough:
        note("income_within", lines.poor, "poor")
        reasons.append({"code": "rule_poor", "rule": standard.rule})
        return POOR
    if _within(standard, income, lines.near_poor):
        note("income_within", lines.near_poor, "near_poor")
        reasons.append({"code": "rule_near_poor", "rule": standard.rule})
        return NEAR_POOR
    note("income_above", lines.near_poor, "near_poor")
    return None
