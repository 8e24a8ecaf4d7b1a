"""Routes of life events (births, deaths, marriages, splits, merges) and moves between communes."""

from django.urls import path

from . import views_life as views

urlpatterns = [
    path("<int:pk>/birth/", views.MemberBirthView.as_view(), name="member_birth"),
    path("<int:pk>/join-by-marriage/", views.MemberJoinMarriageView.as_view(), name="member_join_marriage"),
    path("<int:pk>/split/", views.HouseholdSplitView.as_view(), name="household_split"),
    path("<int:pk>/merge/", views.HouseholdMergeView.as_view(), name="household_merge"),
    path("<int:pk>/change-village/", views.HouseholdVillageChangeView.as_view(), name="household_change_village"),
    path("<int:pk>/move/", views.MoveRequestView.as_view(), name="move_request"),
    path("members/<int:pk>/death/", views.MemberDeathView.as_view(), name="member_death"),
    path("members/<int:pk>/leave-by-marriage/", views.MemberLeaveMarriageView.as_view(), name="member_leave_marriage"),
    path("moves/", views.MoveListView.as_view(), name="move_list"),
    path("moves/<int:pk>/", views.MoveDetailView.as_view(), name="move_detail"),
    path("moves/<int:pk>/accept/", views.MoveAcceptView.as_view(), name="move_accept"),
    path("moves/<int:pk>/refuse/", views.MoveRefuseView.as_view(), name="move_refuse"),
    path("moves/<int:pk>/cancel/", views.MoveCancelView.as_view(), name="move_cancel"),
]
