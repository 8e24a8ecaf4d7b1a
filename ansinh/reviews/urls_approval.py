"""Pages of the review step 'approval' (added to reviews/urls.py)."""

from django.urls import path

from . import views_approval

urlpatterns = [
    path("campaigns/<int:pk>/approvals/", views_approval.ApprovalTreeView.as_view(), name="approval_tree"),
    path("approvals/<int:pk>/submit/", views_approval.ApprovalSubmitView.as_view(), name="approval_submit"),
    path("approvals/<int:pk>/approve/", views_approval.ApprovalApproveView.as_view(), name="approval_approve"),
    path("approvals/<int:pk>/return/", views_approval.ApprovalReturnView.as_view(), name="approval_return"),
]
