"""Pages of the review step 'posting' (added to reviews/urls.py)."""

urlpatterns = []
