"""Filters of the campaign list and of a campaign's case list (the same fields as the API's selectors)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.core.filters import RequestFieldsFilterSet
from ansinh.core.widgets import Select
from ansinh.geo.models import AdminUnit

from .choices import CampaignStatus, CaseOrigin, CaseState
from .models import Campaign, ReviewCase
from .selectors import case_list_visible_to, kinds_all


def _kind_choices():
    return [(k.code, k.title) for k in kinds_all()]


class CampaignFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Loại rà soát"), choices=_kind_choices, field_name="kind__code", empty_label=_("Tất cả")
    )
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=CampaignStatus.choices, empty_label=_("Tất cả"))
    year = django_filters.NumberFilter(label=_("Năm"))

    class Meta:
        model = Campaign
        fields = ["kind", "status", "year"]


class CaseFilterSet(RequestFieldsFilterSet):
    """Filters of a campaign's case list; all applied at once by `selectors.case_list_visible_to`."""

    q = django_filters.CharFilter(
        label=_("Tìm theo tên chủ hộ, số CCCD hoặc mã hộ"), method="filter_nothing",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van an")}),
    )  # fmt: skip
    # A province campaign offers its communes and villages (thousands): `Select` writes them in Python.
    unit = django_filters.ModelChoiceFilter(label=_("Xã/phường"), queryset=AdminUnit.objects.none(),
                                            method="filter_nothing", empty_label=_("Tất cả"),
                                            widget=Select)  # fmt: skip
    village = django_filters.ModelChoiceFilter(label=_("Thôn/tổ dân phố"), queryset=AdminUnit.objects.none(),
                                               method="filter_nothing", empty_label=_("Tất cả"),
                                               widget=Select)  # fmt: skip
    origin = django_filters.ChoiceFilter(label=_("Lý do rà soát"), choices=CaseOrigin.choices,
                                         method="filter_nothing", empty_label=_("Tất cả"))  # fmt: skip
    state = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=CaseState.choices, method="filter_nothing",
                                        empty_label=_("Tất cả"))  # fmt: skip

    class Meta:
        model = ReviewCase
        fields = ["q", "unit", "village", "origin", "state"]

    def __init__(self, *args, campaign=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        units = units if units is not None else AdminUnit.objects.none()
        self.filters["unit"].queryset = units.filter(level="commune")
        self.filters["village"].queryset = units.filter(level="village")

    def filter_nothing(self, queryset, name, value):
        return queryset  # every filter is applied at once by `filter_queryset` (the selector)

    def filter_queryset(self, queryset):
        return case_list_visible_to(user=self.request.user, campaign=self.campaign, filters=self.form.cleaned_data)
