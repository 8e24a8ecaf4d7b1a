"""Pages of the review step 'results' (added to reviews/urls.py)."""

from django.urls import path

from . import views_results

urlpatterns = [
    path("campaigns/<int:pk>/progress/", views_results.ProgressView.as_view(), name="campaign_progress"),
    path("campaigns/<int:pk>/results/", views_results.ResultsView.as_view(), name="campaign_results"),
    path("campaigns/<int:pk>/results/freeze/", views_results.ResultsFreezeView.as_view(),
         name="campaign_results_freeze"),
    path("campaigns/<int:pk>/results.csv", views_results.ResultsCsvView.as_view(), name="campaign_results_csv"),
]  # fmt: skip
