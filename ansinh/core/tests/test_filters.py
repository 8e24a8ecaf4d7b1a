"""`RequestFieldsFilterSet`: the form django-filter makes, holding the filters' own fields (no second copy)."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ansinh.core.filters import RequestFieldsFilterSet
from ansinh.core.widgets import Select


class _Base(forms.Form):
    note = forms.CharField(required=False, label="Ghi chú <b>")  # a field the form class declares itself


def _filters():
    return {
        "q": django_filters.CharFilter(
            label=_("Tìm"), method="nothing", widget=forms.TextInput(attrs={"placeholder": "ví dụ & <x>"})
        ),
        "model": django_filters.ModelChoiceFilter(
            label=_("Loại"), queryset=ContentType.objects.order_by("pk"), empty_label=_("Tất cả"), widget=Select
        ),
        "kind": django_filters.ChoiceFilter(
            label=_("Kiểu"), choices=[("a", _("Có")), ("b", _("Không"))], empty_label=_("Tất cả")
        ),
    }


def _filterset(base):
    meta = type("Meta", (), {"model": ContentType, "fields": ["q", "model", "kind"], "form": _Base})
    attrs = {**_filters(), "Meta": meta, "nothing": lambda self, queryset, name, value: queryset}
    return type(f"{base.__name__}Sample", (base,), attrs)


def test_the_form_is_django_filters_with_the_filters_own_fields(db):
    given, stock = _filterset(RequestFieldsFilterSet), _filterset(django_filters.FilterSet)
    model = ContentType.objects.order_by("pk").first()
    cases = [None, {}, {"q": "<script>", "model": str(model.pk), "kind": "b"}, {"model": "999999", "kind": "z"}]
    for language in ("vi", "en"):
        with translation.override(language):
            for data in cases:
                ours, theirs = given(data).form, stock(data).form
                assert list(ours.fields) == list(theirs.fields) == ["note", "q", "model", "kind"]
                assert ours.is_bound == theirs.is_bound
                assert str(ours) == str(theirs), (language, data)
                if data is not None:
                    assert ours.is_valid() == theirs.is_valid()
                    assert ours.errors == theirs.errors
                    assert getattr(ours, "cleaned_data", None) == getattr(theirs, "cleaned_data", None)
    filterset = given({"q": "x"})
    for name in ("q", "model", "kind"):  # the filter's field itself, made for this filterset alone
        assert filterset.form.fields[name] is filterset.filters[name].field
    assert filterset.form.fields["note"] is not _Base.base_fields["note"]  # the class's own, copied as Django does
    other = given({"q": "y"})
    assert other.form.fields["q"] is not filterset.form.fields["q"]
    assert type(other.form) is type(filterset.form)  # one form class per `Meta.form`, not one per request
