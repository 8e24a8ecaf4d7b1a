"""Django admin for accounts. Every save goes through an audited service; nothing is deleted here.

Roles come from data/roles.json (command accounts_load_roles); the admin edits their name and
permissions. Role assignments are listed read-only inside the staff user's area (404 outside it)
and created or ended on the assignment pages, which call the services.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from ansinh.core.admin import ScopedModelAdmin

from .models import Role, RoleAssignment, User
from .services import USER_PROFILE_FIELDS, role_update_permissions, user_create, user_update


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "read_only", "legacy_only", "display_order")
    search_fields = ("code", "name")
    fields = ("code", "name", "name_en", "description", "permissions", "read_only", "legacy_only")
    readonly_fields = ("code", "name_en", "read_only", "legacy_only")
    filter_horizontal = ("permissions",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = Permission.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False  # roles are defined in data/roles.json, loaded by accounts_load_roles

    def has_delete_permission(self, request, obj=None):
        return False  # assignments reference roles; a role is emptied of permissions, not deleted

    def save_model(self, request, obj, form, change):
        # Nothing here: save_related hands name, description and permissions to the service at once,
        # so one audited transaction records the whole change.
        pass

    def save_related(self, request, form, formsets, change):
        role_update_permissions(
            actor=request.user,
            role=form.instance,
            permissions=form.cleaned_data["permissions"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with our profile fields; permissions come from roles, never from here."""

    list_display = ("username", "full_name", "organisation", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    filter_horizontal = ()
    readonly_fields = ("is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("full_name", "position", "organisation", "email")}),
        (_("Trạng thái"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated (is_active) so the audit trail keeps its actors

    def save_model(self, request, obj, form, change):
        if change:
            editable = {*USER_PROFILE_FIELDS, "is_active", "is_staff"}
            user_update(
                actor=request.user,
                user=obj,
                **{name: form.cleaned_data[name] for name in form.changed_data if name in editable},
            )
            return
        created = user_create(
            actor=request.user,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data.get("full_name", ""),
        )
        # The admin goes on to log and redirect with `obj`; make it the row the service wrote.
        obj.pk = created.pk
        obj.password = created.password
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Groups and per-user permissions are not used (roles only); there is nothing else to save.
        pass


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedModelAdmin):
    """Read-only list of assignments in the staff user's area; create and end them on the pages."""

    list_display = ("user", "role", "unit", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name")
    list_select_related = ("user", "role", "unit")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "role", "unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
