"""Registry of audit event types: integer codes grouped by app, each with a readable label.

Each app declares its codes in its own ``events.py`` as an ``IntegerChoices`` and registers
it here from ``AppConfig.ready``; codes are grouped by thousands so a number tells its app:
1xxx audit/core, 2xxx geo, 3xxx accounts, 4xxx jobs, 5xxx registry, 6xxx poverty, 7xxx reviews,
8xxx programs, 9xxx assistance, 10xxx directives, 11xxx reports.
"""

from django.db import models

_LABELS: dict[int, object] = {}


def register(choices: type[models.IntegerChoices]) -> None:
    for member in choices:
        existing = _LABELS.get(member.value)
        if existing is not None and existing != member.label:
            raise ValueError(f"Audit event code {member.value} is registered twice.")
        _LABELS[member.value] = member.label


def label_for(code: int) -> str:
    return str(_LABELS.get(code, code))


def all_choices() -> list[tuple[int, str]]:
    return sorted((code, str(label)) for code, label in _LABELS.items())
