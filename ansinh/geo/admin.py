"""Admin: units are read here, never edited (writes go through services, which audit them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ansinh.core.admin import ScopedModelAdmin
from ansinh.core.text import fold_vietnamese

from .models import AdminUnit, GeoDatasetLoad


@admin.register(AdminUnit)
class AdminUnitAdmin(ScopedModelAdmin):
    list_display = ("name", "code", "structure", "level", "unit_type", "area_type", "valid_from", "valid_to")
    list_filter = ("structure", "level", "unit_type", "area_type")
    search_fields = ("name_folded", "=code")
    ordering = ("sort_key",)
    list_select_related = ("parent",)
    show_full_result_count = False  # a count over 14,000+ rows on every page is wasted work
    readonly_fields = (
        "structure", "level", "unit_type", "code", "name", "short_name", "parent", "path", "successor_path",
        "area_type", "latitude", "longitude", "area_km2", "valid_from", "valid_to", "created_at", "updated_at",
    )  # fmt: skip
    fields = readonly_fields

    def get_search_results(self, request, queryset, search_term):
        # Names are searched folded, so "tho xuan" and "Thọ Xuân" find the same units.
        return super().get_search_results(request, queryset, fold_vietnamese(search_term) or search_term)

    def has_add_permission(self, request):
        return False  # units come from `geo_load`; villages from `village_create` (audited)

    def has_change_permission(self, request, obj=None):
        return False  # area type and villages change through their pages, with an audit event


@admin.register(GeoDatasetLoad)
class GeoDatasetLoadAdmin(admin.ModelAdmin):
    list_display = ("loaded_at", "source", "checksum")
    readonly_fields = ("source", "checksum", "loaded_at", "counts")
    verbose_name = _("lần nạp dữ liệu đơn vị")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
