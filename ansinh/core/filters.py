"""FilterSet base shared by the lists whose filter form is built once per request.

django-filter builds a filterset's form in two steps that each copy what the previous one made for
this request alone: `BaseFilterSet.__init__` deep-copies the class's filters, and each filter then
makes a fresh field (`Filter.field`); `get_form_class` makes a new form class of those fields per
request, and Django's `BaseForm.__init__` deep-copies them once more (widgets, choices, querysets).
The second copy protects a class's fields from a form that changes its own; here the fields already
belong to one filterset, so the form takes them as they are.
"""

from __future__ import annotations

import django_filters
from django import forms


class _GivenFieldsForm:
    """A form whose fields are given per instance (``fields=``) and used as they are, not deep-copied.

    The form class's own declared fields (a `Meta.form` may have some) are copied as Django does and
    come first, as in the class django-filter would have made."""

    def __init__(self, *args, fields: dict[str, forms.Field], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields)
        self.order_fields(self.field_order)  # what `BaseForm.__init__` did with its copies


class RequestFieldsFilterSet(django_filters.FilterSet):
    """A `FilterSet` whose form holds its filters' fields themselves.

    The form is what django-filter's `form` makes (its `Meta.form` with the filters' fields, in
    order, bound to the data when the filterset is), with the same fields, widgets and choices,
    and the same errors and ``cleaned_data``; only the per-request form class and Django's copy of
    the fields are gone. A field changed on ``filterset.form.fields`` is the filter's own field
    (`filterset.filters[name].field`), which nothing else shares.
    """

    _form_classes: dict[type, type] = {}  # per `Meta.form`, made once per process

    @classmethod
    def _given_fields_form_class(cls) -> type:
        base = cls._meta.form
        found = RequestFieldsFilterSet._form_classes.get(base)
        if found is None:
            found = type(f"GivenFields{base.__name__}", (_GivenFieldsForm, base), {})
            RequestFieldsFilterSet._form_classes[base] = found
        return found

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form_class = self._given_fields_form_class()
            fields = {name: filter_.field for name, filter_ in self.filters.items()}
            if self.is_bound:
                self._form = form_class(self.data, prefix=self.form_prefix, fields=fields)
            else:
                self._form = form_class(prefix=self.form_prefix, fields=fields)
        return self._form
