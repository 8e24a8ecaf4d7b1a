"""Who sees a household's income: the amount per person and the form B score are personal data.

Roles whose work needs them (enumerators, commune and province officers, inspectors, auditors) hold
`poverty.view_income` over their area; others (village heads, the Fatherland Front supervisor, the
steering-committee members, helping agencies) see the class and the verdict of each reason ("không
cao hơn chuẩn nghèo") with the household's figures masked. Standard lines and thresholds are public
and stay shown. The review's posted list (`reviews.selectors_posting.posted_rows`) is the exception:
posting it publicly at the village, figures included, is the step in which residents check and
complain (QĐ 24/2021), so whoever may see the posting sees it as posted.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

VIEW_INCOME_PERM = "poverty.view_income"
# The keys under which form B's income figures are recorded (its audit event, `assessment_record`).
INCOME_KEYS = ("income_per_capita", "income_score", "score_answers", "score_detail")

# The figures of the household inside a stored reason (by reason code); lines and thresholds are not.
_REASON_FIGURES = {
    "income_within": ("income",),
    "income_above": ("income",),
    "score_within": ("score",),
    "score_above": ("score",),
    "score_table": ("total",),
}


def income_mask() -> str:
    return _("••• (ẩn)")


def can_view_income(user, obj=None) -> bool:
    """True when `user` may see incomes (over `obj`'s area when given: a household, a classification)."""
    return bool(user.has_perm(VIEW_INCOME_PERM, obj) if obj is not None else user.has_perm(VIEW_INCOME_PERM))


def reason_masked(reason: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored reason with the household's figures set to None (the verdict is kept)."""
    figures = _REASON_FIGURES.get(reason.get("code", ""), ())
    return {k: (None if k in figures else v) for k, v in reason.items()}


def score_detail_masked(detail: dict[str, Any]) -> dict[str, Any]:
    """Form B's score breakdown without the points and the total (the table used is kept)."""
    if not detail:
        return {}
    return {k: v for k, v in detail.items() if k not in ("items", "total")}
