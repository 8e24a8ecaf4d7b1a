"""Review-campaign pages (mounted at /reviews/)."""

from django.urls import path

from . import urls_approval, urls_decision, urls_inspection, urls_posting, urls_results, urls_survey, views, views_cases

app_name = "reviews"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/open/", views.CampaignOpenView.as_view(), name="campaign_open"),
    path("campaigns/<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("campaigns/<int:pk>/cancel/", views.CampaignCancelView.as_view(), name="campaign_cancel"),
    path("campaigns/<int:pk>/board/", views.MilestoneBoardView.as_view(), name="milestone_board"),
    path(
        "campaigns/<int:pk>/milestones/<int:milestone_pk>/complete/",
        views.MilestoneCompleteView.as_view(),
        name="milestone_complete",
    ),
    path("campaigns/<int:pk>/steering-members/", views.SteeringMemberAddView.as_view(), name="steering_member_add"),
    path(
        "campaigns/<int:pk>/steering-members/<int:member_pk>/remove/",
        views.SteeringMemberRemoveView.as_view(),
        name="steering_member_remove",
    ),
    path("campaigns/<int:pk>/assignments/", views.AssignmentAddView.as_view(), name="assignment_add"),
    path(
        "campaigns/<int:pk>/assignments/<int:assignment_pk>/end/",
        views.AssignmentEndView.as_view(),
        name="assignment_end",
    ),
    path("campaigns/<int:pk>/trainings/", views.TrainingAddView.as_view(), name="training_add"),
    # Households in the campaign (review cases)
    path("campaigns/<int:pk>/cases/", views_cases.CaseListView.as_view(), name="case_list"),
    path("campaigns/<int:pk>/cases/list-current/", views_cases.CasesListCurrentView.as_view(),
         name="cases_list_current"),
    path("campaigns/<int:pk>/applications/new/", views_cases.ApplicationCreateView.as_view(),
         name="application_create"),
    path("cases/<int:pk>/", views_cases.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/form-a/", views_cases.FormAView.as_view(), name="form_a"),
    path("cases/<int:pk>/start-survey/", views_cases.CaseStartSurveyView.as_view(), name="case_start_survey"),
]  # fmt: skip

# Steps 3–10 and the results, one module each (QĐ 24/2021/QĐ-TTg Điều 4).
for _step in (urls_survey, urls_posting, urls_inspection, urls_decision, urls_approval, urls_results):
    urlpatterns += _step.urlpatterns
