"""Filters of the campaign list (the same fields as the API's `campaign_list_visible_to` filters)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import CampaignStatus
from .models import Campaign
from .selectors import kinds_all


def _kind_choices():
    return [(k.code, k.name) for k in kinds_all()]


class CampaignFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Loại rà soát"), choices=_kind_choices, field_name="kind__code", empty_label=_("Tất cả")
    )
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=CampaignStatus.choices, empty_label=_("Tất cả"))
    year = django_filters.NumberFilter(label=_("Năm"))

    class Meta:
        model = Campaign
        fields = ["kind", "status", "year"]
