"""Pages of the review step 'results' (added to reviews/urls.py)."""

urlpatterns = []
