"""Pages of re-inspection (phúc tra, step 7; added to reviews/urls.py)."""

from django.urls import path

from . import views_inspection as v

urlpatterns = [
    path("campaigns/<int:pk>/reinspection/", v.ReinspectionUnitsView.as_view(), name="reinspection_units"),
    path("campaigns/<int:pk>/reinspection/order/", v.ReinspectionOrderView.as_view(), name="reinspection_order"),
    path("reinspections/<int:pk>/", v.ReinspectionDetailView.as_view(), name="reinspection_detail"),
    path("reinspections/<int:pk>/samples/<int:sample_pk>/finding/", v.FindingRecordView.as_view(),
         name="reinspection_finding"),
    path("reinspections/<int:pk>/samples/<int:sample_pk>/resolve/", v.DiscrepancyResolveView.as_view(),
         name="reinspection_resolve"),
    path("reinspections/<int:pk>/close/", v.ReinspectionCloseView.as_view(), name="reinspection_close"),
]  # fmt: skip
