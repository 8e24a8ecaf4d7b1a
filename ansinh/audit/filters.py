"""Filters of the audit log, shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import event_types
from .models import AuditEvent


def _event_type_choices():
    # Callable choices get no blank entry from django-filter: add "all" first, or the first
    # event type would be preselected and silently filter the list when the form is submitted.
    return [("", _("Tất cả")), *event_types.all_choices()]


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="exact", label=_("Người thực hiện"))
    event_type = django_filters.TypedChoiceFilter(
        label=_("Loại sự kiện"), choices=_event_type_choices, coerce=int, empty_value=None
    )
    target_type = django_filters.CharFilter(label=_("Loại đối tượng"))
    target_id = django_filters.CharFilter(label=_("Mã đối tượng"))
    date_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("Từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label=_("Đến ngày"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ("actor", "event_type", "target_type", "target_id", "date_from", "date_to")
