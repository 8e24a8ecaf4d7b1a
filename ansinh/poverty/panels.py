"""The poverty section of the registry's household page (registered in `PovertyConfig.ready`)."""

from __future__ import annotations

from ansinh.registry.choices import PovertyClassSource

from .explain import class_label
from .selectors import CLASSIFY_PERM, VIEW_PERM, classifications_of


def recognised_class(household, latest) -> dict | None:
    """The household's class as recognised by a review's decision, when that is its current class.

    Only a recognition decision makes a class official (QĐ 24/2021); a classification computed later
    from form B is a result shown beside it, never in its place (`households_poverty_summary_set`).
    `differs`: the latest classification is not older than the decision and gives another class."""
    if household.poverty_class_source != PovertyClassSource.DECISION or not household.poverty_class:
        return None
    decided_on = household.poverty_classified_on
    differs = (
        latest is not None
        and latest.klass != household.poverty_class
        and (decided_on is None or latest.on_date >= decided_on)
    )
    return {"label": class_label(household.poverty_class), "standard": household.poverty_standard,
            "on": decided_on, "differs": differs}  # fmt: skip


def household_panel(*, request, household) -> dict | None:
    """The recognised class, the latest classification and a link to the classification page; nothing
    without the view permission."""
    user = request.user
    if not user.has_perm(VIEW_PERM, household):
        return None
    current = classifications_of(user=user, household=household).first()
    return {
        "household": household,
        "current": current,
        "label": class_label(current.klass) if current else "",
        "recognised": recognised_class(household, current),
        "can_classify": user.has_perm(CLASSIFY_PERM, household),
    }
