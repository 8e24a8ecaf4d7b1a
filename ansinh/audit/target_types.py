"""Readable names of an event's target type.

An event stores its target's model label (``registry.household``): machine-readable, kept as it is
in the hash chain and the API. People read the model's verbose name in their language instead
("Hộ gia đình" / "Household"); a label no installed model answers to (a model since removed)
shows as stored.
"""

import re

from django.apps import apps
from django.utils.text import capfirst

from ansinh.core.text import fold_vietnamese

# What audit_record stores: `Model._meta.label_lower`.
LABEL_SHAPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def model_for(target_type: str):
    """The installed model a stored label names, or None (no label, or a model since removed)."""
    if not target_type or not LABEL_SHAPE.match(target_type):
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def label_for(target_type: str) -> str:
    """The model's verbose name in the active language, or the stored label if no model has it."""
    if not target_type:
        return ""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return str(capfirst(model._meta.verbose_name))


def choices() -> list[tuple[str, str]]:
    """Every model of the project's apps (what an event can be about), by its name in the active
    language. Read from the code, not from the log: a distinct over the whole audit table would scan
    every partition (decision 0030) on each page."""
    rows = [
        (model._meta.label_lower, str(capfirst(model._meta.verbose_name)))
        for config in apps.get_app_configs()
        if config.name.startswith("ansinh.")
        for model in config.get_models()
    ]
    return sorted(rows, key=lambda row: (fold_vietnamese(row[1]), row[0]))
