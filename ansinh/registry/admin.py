"""Admin of the registry: read-only and area-scoped (changes go through the pages and their services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ansinh.core.admin import ScopedModelAdmin

from .identity import mask_id_number
from .models import Ethnicity, Household, Member


class _ReadOnlyMixin:
    """Writes here would skip the services' checks and audit events, so the admin only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(_ReadOnlyMixin, admin.TabularInline):
    model = Member
    fields = ("order", "full_name", "relation", "sex", "birth_year", "masked_id_number", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description=_("số CCCD/CMND"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(Household)
class HouseholdAdmin(_ReadOnlyMixin, ScopedModelAdmin):
    list_display = ("code", "head_name", "commune", "village", "status", "area_type", "version")
    list_filter = ("status", "area_type", "is_ethnic_minority")
    search_fields = ("code", "head_name")
    list_select_related = ("commune", "village")
    exclude = ("head",)
    inlines = [MemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commune", "village", "ethnicity")


@admin.register(Member)
class MemberAdmin(_ReadOnlyMixin, ScopedModelAdmin):
    list_display = ("full_name", "household", "relation", "sex", "birth_year", "masked_id_number", "status")
    list_filter = ("status", "sex", "relation")
    search_fields = ("name_folded", "household__code")
    list_select_related = ("household",)
    exclude = ("id_number", "merged_into")

    @admin.display(description=_("số CCCD/CMND"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(Ethnicity)
class EthnicityAdmin(_ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name", "name_folded")
    ordering = ("code",)
