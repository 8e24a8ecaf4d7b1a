"""Pages of steps 5 and 6 of the review: public posting and complaints (added to reviews/urls.py)."""

from django.urls import path

from . import views_posting

urlpatterns = [
    path("campaigns/<int:pk>/postings/new/", views_posting.PostingCreateView.as_view(), name="posting_create"),
    path("postings/<int:pk>/", views_posting.PostingDetailView.as_view(), name="posting_detail"),
    path("campaigns/<int:pk>/complaints/", views_posting.ComplaintListView.as_view(), name="complaint_list"),
    path("cases/<int:pk>/complaints/new/", views_posting.ComplaintCreateView.as_view(), name="complaint_create"),
    path("complaints/<int:pk>/verify/", views_posting.ComplaintVerifyView.as_view(), name="complaint_verify"),
]
