"""Poverty pages (mounted at /poverty/)."""

from django.urls import path

from . import views

app_name = "poverty"
urlpatterns = [
    path("", views.StandardListView.as_view(), name="standard_list"),
    path("standards/<str:code>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("standards/<str:code>/edit/", views.StandardEditView.as_view(), name="standard_edit"),
    path("households/<int:pk>/", views.HouseholdClassificationView.as_view(), name="household"),
    path("households/<int:pk>/assessment/", views.HouseholdAssessView.as_view(), name="household_assess"),
    path("households/<int:pk>/classify/", views.HouseholdClassifyView.as_view(), name="household_classify"),
    path("classifications/<int:pk>/print/", views.ClassificationPrintView.as_view(), name="classification_print"),
    path("runs/", views.RunListView.as_view(), name="run_list"),
    path("runs/new/", views.RunCreateView.as_view(), name="run_create"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/commit/", views.RunCommitView.as_view(), name="run_commit"),
    path("runs/<int:pk>/cancel/", views.RunCancelView.as_view(), name="run_cancel"),
]
