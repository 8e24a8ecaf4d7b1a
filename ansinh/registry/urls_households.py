"""Household pages (mounted at /households/)."""

from django.urls import path

from . import views_households as views

urlpatterns = [
    path("", views.HouseholdListView.as_view(), name="household_list"),
    path("new/", views.HouseholdCreateView.as_view(), name="household_create"),
    path("<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("<int:pk>/edit/", views.HouseholdEditView.as_view(), name="household_edit"),
    path("<int:pk>/head/", views.HouseholdChangeHeadView.as_view(), name="household_change_head"),
    path("<int:pk>/members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/reveal-id/", views.MemberRevealIdView.as_view(), name="member_reveal_id"),
]
