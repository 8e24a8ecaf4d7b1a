"""Pages of the review step 'posting'."""


def case_panel(request, case) -> dict | None:
    """What the case page shows of this step (rendered by templates/reviews/panels/case_posting.html), or None."""
    return None


def campaign_panel(request, campaign) -> dict | None:
    """What the campaign page shows of this step (templates/reviews/panels/campaign_posting.html), or None."""
    return None
