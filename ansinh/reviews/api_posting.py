"""API of the review step 'posting' (mounted under /api/v1/reviews/ by reviews/api.py)."""

from ninja import Router

router = Router(tags=["reviews"])
