"""Pages of the review step 'approval' (added to reviews/urls.py)."""

urlpatterns = []
