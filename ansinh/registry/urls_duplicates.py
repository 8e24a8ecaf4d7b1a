"""Routes of the duplicate queue (included by ansinh/registry/urls.py under the registry namespace)."""

from django.urls import path

from . import views_duplicates as views

urlpatterns = [
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicate_list"),
    path("duplicates/scan/", views.DuplicateScanView.as_view(), name="duplicate_scan"),
    path("duplicates/<int:pk>/", views.DuplicateDetailView.as_view(), name="duplicate_detail"),
    path("duplicates/<int:pk>/same/", views.DuplicateMarkSameView.as_view(), name="duplicate_mark_same"),
    path("duplicates/<int:pk>/different/", views.DuplicateMarkDifferentView.as_view(), name="duplicate_mark_different"),
]
