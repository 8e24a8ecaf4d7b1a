"""The poverty section of the registry's household page (registered in `PovertyConfig.ready`)."""

from __future__ import annotations

from .explain import class_label
from .selectors import CLASSIFY_PERM, VIEW_PERM, classifications_of


def household_panel(*, request, household) -> dict | None:
    """The current class and a link to the classification page; nothing without the view permission."""
    user = request.user
    if not user.has_perm(VIEW_PERM, household):
        return None
    current = classifications_of(user=user, household=household).first()
    return {
        "household": household,
        "current": current,
        "label": class_label(current.klass) if current else "",
        "can_classify": user.has_perm(CLASSIFY_PERM, household),
    }
