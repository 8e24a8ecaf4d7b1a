"""A stored result's reasons, built on read from the facts the result keeps (decision 0027).

A `Classification` row keeps the facts its class was decided from (area, farming, income source,
income or score, deprivations, date), its pinned `StandardVersion` (never changed: an edit adds a
version) and its form B (`Assessment` rows are never updated). `classify` is a pure function of
those, so the reasons need not be stored: `result_reasons` builds them again, the same list that
`services.evaluate` gave when the row was written, score-table reason included.

Rows written before this kept their reasons in `Classification.reasons`: those are returned as
stored. When the rules themselves changed since a row was written (the code of `classify`, not the
standard: the version is pinned), today's rules may give another class or other flags from the same
facts. Then the reasons built today would explain a class the row does not hold; instead the
facts that do not depend on the rules (the standard, the deprivations, how the score was computed)
are returned with a `rules_changed` reason that says so and names the class today's rules give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import scoring
from .classify import PROXY_SCORE, ClassificationInputError, Facts, classify

if TYPE_CHECKING:
    from .models import Classification

RULES_CHANGED = "rules_changed"
# Reasons that state facts, not a rule's verdict: kept when the rules changed since the row was written.
_FACT_CODES = ("standard", "deprivations", "score_table")


def result_reasons(row: Classification) -> list[dict[str, Any]]:
    """The reasons of `row`: as stored when it stored them, else built from its facts (see module)."""
    if row.reasons:
        return [dict(r) for r in row.reasons]
    spec = row.standard_version.spec()
    facts = Facts(
        area=row.area, deprivations=frozenset(row.deprivations), farming=row.farming,
        income_source=row.income_source, income_per_capita=row.income_per_capita,
        income_score=row.income_score, on_date=row.on_date,
    )  # fmt: skip
    try:
        result = classify(facts, spec)
    except ClassificationInputError:
        result = None
    if result is not None and facts.income_source == PROXY_SCORE and row.assessment_id:
        detail = row.assessment.score_detail
        if detail:
            result = scoring.with_table_reason(result, detail)
    if result is not None and result.klass == row.klass and list(result.flags) == list(row.flags):
        return [dict(r) for r in result.reasons]
    kept = [dict(r) for r in (result.reasons if result is not None else ()) if r.get("code") in _FACT_CODES]
    changed = {"code": RULES_CHANGED, "stored_class": row.klass, "stored_flags": list(row.flags),
               "class": result.klass if result is not None else None,
               "flags": list(result.flags) if result is not None else []}  # fmt: skip
    return [*kept, changed]
