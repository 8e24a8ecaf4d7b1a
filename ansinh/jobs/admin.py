from django.contrib import admin

from ansinh.core.admin import ScopedModelAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(ScopedModelAdmin):
    """Read-only: jobs change state only through their runs."""

    list_display = ("id", "label", "kind", "status", "done", "total", "created_by", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("label",)
    readonly_fields = tuple(f.name for f in Job._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
