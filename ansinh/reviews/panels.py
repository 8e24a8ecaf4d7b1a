"""The case page and the campaign page show one panel per step of the procedure. Each step's views
module (views_survey, views_posting, …) provides `case_panel(request, case)` and
`campaign_panel(request, campaign)`, returning the panel's context or None (nothing to show), and
its templates ``reviews/panels/case_<step>.html`` / ``campaign_<step>.html`` render it as ``p``."""

from . import views_approval, views_decision, views_inspection, views_posting, views_results, views_survey

STEPS = (
    ("survey", views_survey), ("posting", views_posting), ("inspection", views_inspection),
    ("decision", views_decision), ("approval", views_approval), ("results", views_results),
)  # fmt: skip


def case_panels(request, case) -> list[tuple[str, dict]]:
    panels = []
    for name, module in STEPS:
        context = module.case_panel(request, case)
        if context is not None:
            panels.append((f"reviews/panels/case_{name}.html", context))
    return panels


def campaign_panels(request, campaign) -> list[tuple[str, dict]]:
    panels = []
    for name, module in STEPS:
        context = module.campaign_panel(request, campaign)
        if context is not None:
            panels.append((f"reviews/panels/campaign_{name}.html", context))
    return panels
