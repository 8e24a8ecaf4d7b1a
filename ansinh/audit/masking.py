"""Values in an event's recorded changes that not every reader of the log may see in full.

An event keeps what its service recorded, identity numbers included: the hash chain covers them, and
an inspector with the right permission must be able to read them. The log's readers are wider than
the people allowed to see a citizen's whole CCCD (a province officer or an auditor reads the log of
every commune in their area, but sees identity numbers masked everywhere else in the system). A
higher app registers each key whose values are personal (`register`: the registry's `id_number`,
the poverty app's incomes and scores),
with the permission that shows them in full and how to mask them; every reader of changes (the
event page, the API) goes through `ChangesReader`, which masks them, at any depth, outside the area
where the reader holds that permission.
"""

from collections.abc import Callable
from typing import Any

from ansinh.core.scoping import AreaScope, scope_of

from .models import AuditEvent

_RULES: dict[str, tuple[str, Callable[[Any], str]]] = {}


def register(key: str, *, perm: str, mask: Callable[[Any], str]) -> None:
    """Values recorded under `key` are shown in full only where the reader holds `perm`."""
    _RULES[key] = (perm, mask)


class ChangesReader:
    """An event's changes as one reader may see them; the reader's areas are worked out once."""

    def __init__(self, user) -> None:
        self.user = user
        self._scopes: dict[str, AreaScope] = {}

    def _scope(self, perm: str) -> AreaScope:
        if perm not in self._scopes:
            self._scopes[perm] = scope_of(self.user, perm)
        return self._scopes[perm]

    def __call__(self, event: AuditEvent) -> dict[str, Any]:
        changes = event.changes if isinstance(event.changes, dict) else {}
        masks = {
            key: mask for key, (perm, mask) in _RULES.items() if not self._scope(perm).covers(event.unit_path or None)
        }
        return _masked(changes, masks) if masks else changes


def _masked(value: Any, masks: dict[str, Callable[[str], str]]) -> Any:
    if isinstance(value, dict):
        return {
            key: (_mask_value(item, masks[key]) if key in masks else _masked(item, masks))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked(item, masks) for item in value]
    return value


def _mask_value(value: Any, mask: Callable[[Any], str]) -> Any:
    if value is None or value == "" or value == {} or value == []:
        return value  # nothing recorded: nothing to hide, and the gap stays visible
    if isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value):
        return [_mask_value(item, mask) for item in value]  # several numbers, each masked alike
    return mask(value)  # a number, a text, or a whole structure (a score's detail)
