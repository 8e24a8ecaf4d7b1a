"""Filters of the campaign list and of a campaign's case list (the same fields as the API's selectors)."""

import django_filters
from django import forms
from django.db.models.query import EmptyQuerySet
from django.utils.translation import gettext_lazy as _

from ansinh.core.filters import RequestFieldsFilterSet
from ansinh.core.widgets import Select
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import villages_to_offer

from .choices import CampaignStatus, CaseOrigin, CaseState
from .models import Campaign, ReviewCase
from .selectors import case_list_visible_to, kinds_all


def id_in_query(data, name: str) -> int | None:
    """An id named by the page's link (``?unit=…``), or None: it only narrows what is offered."""
    value = str(data.get(name) or "") if data is not None else ""
    return int(value) if value.isdigit() and len(value) < 19 else None


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
    # A province campaign's communes are hundreds: `Select` writes them in Python. Its villages are
    # thousands: offered once a commune is chosen, as on the household list (`__init__`).
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
        # The household list's rule (`geo.selectors.villages_to_offer`): all the villages while they are
        # few enough, else those of the chosen commune (or of the chosen village's commune, so a link
        # naming only a village still shows it selected); none until then, with a hint.
        commune_id, village_id = id_in_query(self.data, "unit"), id_in_query(self.data, "village")
        villages = villages_to_offer(units.filter(level="village"), commune_id=commune_id, village_id=village_id)
        self.filters["village"].queryset = villages
        if isinstance(villages, EmptyQuerySet):
            self.filters["village"].extra["help_text"] = _(
                "Danh sách trống: hãy chọn xã/phường rồi bấm Lọc để thấy các thôn của xã đó."
            )

    def filter_nothing(self, queryset, name, value):
        return queryset  # every filter is applied at once by `filter_queryset` (the selector)

    def filter_queryset(self, queryset):
        return case_list_visible_to(user=self.request.user, campaign=self.campaign, filters=self.form.cleaned_data)
