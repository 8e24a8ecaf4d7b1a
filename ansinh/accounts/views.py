"""Sign-in, sign-out, the user's own page (password, API tokens) and role-assignment pages.

Views parse input, fetch through selectors (404 for missing or out of area alike), check the
action permission and call one service; they never write through the ORM themselves.
"""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.views import AreaPermissionRequiredMixin, ScopedQuerysetMixin
from ansinh.geo.models import AdminUnit

from . import selectors, services
from .forms import LoginForm, RoleAssignmentCreateForm, RoleAssignmentFilter, TokenCreateForm
from .models import RoleAssignment, User


def _error_messages(exc: Exception) -> list[str]:
    """Flatten a service refusal into messages a commune officer can read."""
    if isinstance(exc, ApplicationError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("Vai trò của bạn không có quyền này.")]


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET with 405): a link or image cannot sign someone out."""


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["assignments"] = selectors.own_assignments(user=user)
        context["has_active_role"] = any(a.is_active_today for a in context["assignments"])
        context["tokens"] = selectors.api_token_list_for(user=user)
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (checks the old password, applies the password rules, keeps the session)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


class TokenCreateView(LoginRequiredMixin, FormView):
    """Create a personal API token; the answer page shows the full secret this one time only."""

    template_name = "accounts/token_create.html"
    form_class = TokenCreateForm

    def form_valid(self, form):
        expires_on = form.cleaned_data.get("expires_on")
        # A token set to expire "on" a day works until the end of that day, local time.
        expires_at = timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on is not None else None
        try:
            new = services.api_token_create(
                actor=self.request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        # Rendered, not redirected: the secret must not travel through the session or a URL.
        response = render(self.request, "accounts/token_created.html", {"token": new.token, "secret": new.secret})
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = selectors.api_token_get_own(user=request.user, pk=pk)
        try:
            services.api_token_revoke(actor=request.user, token=token)
        except (ApplicationError, PermissionDenied) as exc:
            for message in _error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
        return HttpResponseRedirect(reverse("accounts:profile"))


class RoleAssignmentListView(ScopedQuerysetMixin, FilterView):
    """Assignments whose unit lies in the viewer's area, filtered by role, validity and user."""

    model = RoleAssignment
    permission_required = selectors.VIEW_ASSIGNMENTS
    filterset_class = RoleAssignmentFilter
    template_name = "accounts/assignment_list.html"
    paginate_by = 50
    page_title = gettext_lazy("Phân quyền")

    def get_queryset(self):
        return selectors.role_assignment_list_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = today = timezone.localdate()
        for assignment in context["object_list"]:
            assignment.is_active_today = assignment.is_active_on(today)
        context["can_manage"] = self.request.user.has_perm(selectors.MANAGE_ASSIGNMENTS)
        return context


class RoleAssignmentCreateView(AreaPermissionRequiredMixin, FormView):
    """Give a user a role over a unit of the actor's own area."""

    permission_required = selectors.MANAGE_ASSIGNMENTS
    form_class = RoleAssignmentCreateForm
    template_name = "accounts/assignment_form.html"

    def get_initial(self):
        return {"valid_from": timezone.localdate(), "username": self.request.GET.get("username", "")}

    def form_valid(self, form):
        data = form.cleaned_data
        user = User.objects.filter(username=data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("Không có tài khoản với tên đăng nhập này."))
            return self.form_invalid(form)
        try:
            unit = selectors.assignment_unit_find(
                user=self.request.user, structure=data["unit_structure"], code=data["unit_code"]
            )
        except AdminUnit.DoesNotExist:
            form.add_error("unit_code", _("Không tìm thấy đơn vị này trong địa bàn của bạn."))
            return self.form_invalid(form)
        try:
            services.role_assignment_create(
                actor=self.request.user, user=user, role=data["role"], unit=unit,
                valid_from=data["valid_from"], valid_to=data["valid_to"], note=data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field_name, errors in exc.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return self.form_invalid(form)
        except (ApplicationError, PermissionDenied) as exc:
            form.add_error(None, _error_messages(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã giao vai trò “%(role)s” cho %(user)s.") % {"role": data["role"].name, "user": user},
        )
        return HttpResponseRedirect(reverse("accounts:assignment_list"))


class RoleAssignmentEndView(AreaPermissionRequiredMixin, View):
    """End an assignment today (POST). Out of area answers 404, as if it did not exist."""

    permission_required = selectors.MANAGE_ASSIGNMENTS
    http_method_names = ["post"]

    def post(self, request, pk: int):
        assignment = selectors.role_assignment_get_for_action(user=request.user, pk=pk)
        try:
            services.role_assignment_end(actor=request.user, assignment=assignment)
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            for message in _error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Đã kết thúc phân công: %(assignment)s.") % {"assignment": assignment})
        return HttpResponseRedirect(reverse("accounts:assignment_list"))
