"""A stored result's indicator records, built on read from what the result keeps (decision 0028).

`services.evaluate` gives one record per indicator of the standard, in the standard's order:
``{code, derived, facts, answer, override, reason, final, source}``. Only `derived` and `facts`
depend on the registry when the household was classified; the answer, the override and its reason
are the form B's (`Assessment`: a row is never updated, a new form B is a new row) and the final
value and its source follow from those four (`indicator_record`, which `evaluate` itself uses). So a
result stores only ``[[derived, facts], …]``, one pair per indicator in the order of its standard
version (`compact`; the version is pinned and never changed), and `result_indicators` builds the
records again from that, the result's form B and that version: the same list `evaluate` gave when
the result was written.

Rows written before this kept the whole records (a JSON list of objects): those are returned as stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .choices import AnswerSource

if TYPE_CHECKING:
    from .models import Classification


def indicator_record(code: str, derived: bool | None, facts: dict[str, Any], answers: dict[str, Any],
                     overrides: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """One indicator's record: the derived value and its facts with form B's answer and override, and
    the final value and its source (an override, else a true/false answer, else the derived value)."""
    record = {"code": code, "derived": derived, "facts": facts, "answer": answers.get(code), "override": None,
              "reason": ""}  # fmt: skip
    if code in overrides:
        record["override"] = overrides[code]["value"]
        record["reason"] = overrides[code]["reason"]
        final, source = record["override"], AnswerSource.OVERRIDE
    elif record["answer"] is not None:
        final, source = record["answer"], AnswerSource.FORM_B
    elif derived is not None:
        final, source = derived, AnswerSource.DERIVED
    else:
        final, source = None, AnswerSource.MISSING
    record["final"], record["source"] = final, str(source)
    return record


def compact(records: list[dict[str, Any]]) -> list[list]:
    """What a result stores of `evaluate`'s records (which follow the standard's order): ``[[derived,
    facts], …]``. (Pairs without the codes: about 600 bytes of `jsonb` a result at twelve indicators,
    against 780 keyed by code and 690 for the whole records compressed.)"""
    return [[r["derived"], r["facts"]] for r in records]


def _form_b(row: Classification) -> tuple[dict[str, Any], dict[str, Any]]:
    assessment = row.assessment if row.assessment_id else None
    if assessment is None:
        return {}, {}
    answers, overrides = assessment.answers, assessment.overrides
    return (answers if isinstance(answers, dict) else {}), (overrides if isinstance(overrides, dict) else {})


def result_indicators(row: Classification) -> list[dict[str, Any]]:
    """The indicator records of `row`: as stored when it stored them (objects), else built from its
    ``[[derived, facts], …]``, its form B and its standard version (see module)."""
    stored = row.indicators or []
    if not stored or isinstance(stored[0], dict):
        return [dict(r) for r in stored]
    answers, overrides = _form_b(row)
    indicators = row.standard_version.spec().indicators
    return [indicator_record(indicator.code, derived, dict(facts), answers, overrides)
            for indicator, (derived, facts) in zip(indicators, stored, strict=True)]  # fmt: skip
