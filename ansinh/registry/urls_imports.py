"""Pages of household imports and the registry export."""

from django.urls import path

from . import views_imports as views

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import_list"),
    path("imports/template/", views.ImportTemplateView.as_view(), name="import_template"),
    path("imports/new/", views.ImportCreateView.as_view(), name="import_create"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/approve/", views.ImportApproveView.as_view(), name="import_approve"),
    path("imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="import_commit"),
    path("imports/<int:pk>/cancel/", views.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<int:pk>/result.xlsx", views.ImportErrorFileView.as_view(), name="import_error_file"),
    path("export/", views.HouseholdExportView.as_view(), name="household_export"),
]
