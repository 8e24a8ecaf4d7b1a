"""Pages of the review step 'decision' (added to reviews/urls.py)."""

urlpatterns = []
