"""Pages of the review step 'inspection' (added to reviews/urls.py)."""

urlpatterns = []
