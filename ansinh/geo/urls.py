from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("<int:pk>/villages/new/", views.VillageCreateView.as_view(), name="village_create"),
    path("<int:pk>/villages/import/", views.VillageImportView.as_view(), name="village_import"),
    path("<int:pk>/area-type/", views.AreaTypeView.as_view(), name="area_type"),
    path("villages/<int:pk>/edit/", views.VillageUpdateView.as_view(), name="village_update"),
]
