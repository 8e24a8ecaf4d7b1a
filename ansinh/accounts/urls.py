from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.ProfileView.as_view(), name="profile"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/tokens/new/", views.TokenCreateView.as_view(), name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("assignments/", views.RoleAssignmentListView.as_view(), name="assignment_list"),
    path("assignments/new/", views.RoleAssignmentCreateView.as_view(), name="assignment_create"),
    path("assignments/<int:pk>/end/", views.RoleAssignmentEndView.as_view(), name="assignment_end"),
]
