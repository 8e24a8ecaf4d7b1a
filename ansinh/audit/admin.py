from django.contrib import admin

from ansinh.core.admin import ScopedModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedModelAdmin):
    """Read-only: events are written by services and never changed (the database refuses it too)."""

    list_display = ("id", "occurred_at", "actor_label", "event_type", "target_repr", "unit_path", "chain_key")
    list_filter = ("event_type", "chain_key")
    search_fields = ("actor_label", "target_repr", "target_id", "request_id")
    readonly_fields = tuple(f.name for f in AuditEvent._meta.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
