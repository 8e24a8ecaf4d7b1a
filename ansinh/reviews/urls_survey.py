"""Pages of the review step 'survey' (added to reviews/urls.py)."""

urlpatterns = []
