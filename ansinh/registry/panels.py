"""Sections that higher apps add to the household page, without the registry importing them.

The registry sits below poverty, programmes and the rest (decision 0005), yet its household page
should show the current class, the support received and so on. A higher app registers a panel in
its `AppConfig.ready`: a template and a function ``fn(*, request, household) -> dict | None``
giving the template's context (None: nothing to show to this reader, e.g. no permission).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class HouseholdPanel:
    template_name: str
    context_function: PanelContext
    order: int = 100


_PANELS: dict[str, HouseholdPanel] = {}


def register_household_panel(template_name: str, context_function: PanelContext, *, order: int = 100) -> None:
    """Add a section to the household page (registering the same template again replaces it)."""
    _PANELS[template_name] = HouseholdPanel(template_name, context_function, order)


def household_panels(*, request, household) -> list[dict[str, Any]]:
    """``[{"template": name, "context": {...}}]`` of the panels this reader may see, in order."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.template_name)):
        context = panel.context_function(request=request, household=household)
        if context is not None:
            shown.append({"template": panel.template_name, "context": context})
    return shown
