"""Filters of the audit log, shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from . import event_types, target_types
from .models import AuditEvent


def _event_type_choices():
    # Callable choices get no blank entry from django-filter: add "all" first, or the first
    # event type would be preselected and silently filter the list when the form is submitted.
    return [("", _("Tất cả")), *event_types.all_choices()]


def _target_type_choices():
    # Values are the stored model labels (links and the API keep them); labels are the model names
    # in the reader's language.
    return [("", _("Tất cả")), *target_types.choices()]


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="exact", label=_("Người thực hiện"))
    event_type = django_filters.TypedChoiceFilter(
        label=_("Loại sự kiện"), choices=_event_type_choices, coerce=int, empty_value=None
    )
    target_type = django_filters.TypedChoiceFilter(
        label=_("Loại đối tượng"), choices=_target_type_choices, empty_value=None
    )
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

    @property
    def form(self):
        if not hasattr(self, "_form"):
            field = super().form.fields["target_type"]
            # A stored label no model answers to any more (a model since removed) still filters, as
            # the free text field did, and shows as stored.
            value = self.data.get("target_type") if self.is_bound else None
            if isinstance(value, str) and target_types.LABEL_SHAPE.match(value):
                known = list(field.choices)
                if value not in {choice for choice, _label in known}:
                    field.choices = [*known, (value, value)]
        return self._form
