"""Sections that higher apps add to the household page, without the registry importing them.

The registry sits below poverty, programmes and the rest (decision 0005), yet its household page
should show the current class, the support received and so on. A higher app registers a panel in
its `AppConfig.ready`: a template and a function ``fn(*, request, household) -> dict | None``
giving the template's context (None: nothing to show to this reader, e.g. no permission).

The same goes for the page's history: a higher app's events about the household (form B recorded,
household classified) are shown by the presenter it registers for their event type, a function
``fn(event, *, user, household) -> [{"field", "old", "new"}]`` that knows the app's words and what
this reader may see (incomes are masked for readers without the permission to see them).
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


HistoryPresenter = Callable[..., list[dict[str, str]]]

_HISTORY_PRESENTERS: dict[int, HistoryPresenter] = {}


def register_history_presenter(event_type: int, presenter: HistoryPresenter) -> None:
    """Show the household history's events of `event_type` with `presenter` (see the module)."""
    _HISTORY_PRESENTERS[int(event_type)] = presenter


def history_presenter(event_type: int) -> HistoryPresenter | None:
    return _HISTORY_PRESENTERS.get(int(event_type))
