"""Filters of the unit list; the filtering itself is shared with the API through the selectors."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Level, Structure
from .models import AdminUnit
from .selectors import units_search


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tìm theo tên hoặc mã"), method="filter_q")
    structure = django_filters.ChoiceFilter(label=_("Cơ cấu"), choices=Structure.choices, empty_label=_("Tất cả"))
    level = django_filters.ChoiceFilter(label=_("Cấp"), choices=Level.choices, empty_label=_("Tất cả"))
    as_of = django_filters.DateFilter(
        label=_("Có hiệu lực ngày"), method="filter_as_of", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AdminUnit
        fields = ["q", "structure", "level", "as_of"]

    def filter_q(self, queryset, name, value):
        return units_search(queryset, value)

    def filter_as_of(self, queryset, name, value):
        return queryset.valid_on(value) if value else queryset
