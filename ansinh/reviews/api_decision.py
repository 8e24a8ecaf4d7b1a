"""API of the review step 'decision' (mounted under /api/v1/reviews/ by reviews/api.py)."""

from ninja import Router

router = Router(tags=["reviews"])
