"""Django admin base: the admin reads through the same area scope as every page (404 out of area)."""

from django.contrib import admin
from django.http import Http404


class ScopedModelAdmin(admin.ModelAdmin):
    """Lists only rows inside the staff user's area; an out-of-area id answers 404, not a redirect."""

    view_perm: str | None = None  # defaults to the model's view permission

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user, perm=self.view_perm).select_related()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_delete_permission(self, request, obj=None):
        # Deleting bypasses services and their audit events; rows are ended or archived instead.
        return False
