"""Pages of steps 3 and 4 of the review: phiếu B and the village meeting (added to reviews/urls.py)."""

from django.urls import path

from . import views_survey

urlpatterns = [
    path("cases/<int:pk>/form-b/", views_survey.FormBView.as_view(), name="form_b"),
    path("cases/<int:pk>/resurvey/", views_survey.CaseResurveyView.as_view(), name="case_resurvey"),
    path("campaigns/<int:pk>/meetings/", views_survey.MeetingListView.as_view(), name="meeting_list"),
    path("campaigns/<int:pk>/meetings/new/", views_survey.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views_survey.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/minutes.docx", views_survey.MeetingMinutesView.as_view(), name="meeting_minutes"),
]
