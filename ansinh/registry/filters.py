"""Filters of the household list; the filtering itself is the selector's, shared with the API."""

from types import SimpleNamespace

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ansinh.core.widgets import Select
from ansinh.geo.choices import AreaType, Structure

from . import selectors
from .choices import HouseholdStatus, PovertyClass
from .forms_households import UnitChoiceField, VillageChoiceField
from .models import Household


class _LabelRowIterator(ModelChoiceIterator):
    """The field's choices from (pk, label columns) rows rather than whole units.

    A province officer's commune list has hundreds of options; building a full `AdminUnit` for each
    was a good part of the filter form's time. The field makes each label from the row's columns
    (`label_fields`, in that order) with `row_label_maker()`, whose translations are done once per
    list. `option_rows()` gives the widget (`core.widgets.Select`) just the (value, label) strings;
    iterating gives Django's choices, each value holding a stand-in with the columns read.
    """

    def _rows(self):
        label = self.field.row_label_maker()
        for pk, *values in self.queryset.values_list("pk", *self.field.label_fields):
            yield pk, values, label(*values)

    def option_rows(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, _values, label in self._rows():
            yield (str(pk), label)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        paths = [name.split("__") for name in self.field.label_fields]  # "parent__name" → unit.parent.name
        for pk, values, label in self._rows():
            unit = SimpleNamespace(pk=pk)
            for path, value in zip(paths, values, strict=True):
                target = unit
                for part in path[:-1]:
                    found = target.__dict__.get(part)
                    if found is None:
                        found = target.__dict__[part] = SimpleNamespace()
                    target = found
                setattr(target, path[-1], value)
            yield (ModelChoiceIteratorValue(pk, unit), label)


class _CommuneField(UnitChoiceField):
    """Legacy communes (before 1 July 2025) are marked and named with their district: many share a
    name with a commune of today or with another old one."""

    iterator = _LabelRowIterator
    label_fields = ("name", "structure", "parent__name")

    def label_from_instance(self, obj):
        district = getattr(getattr(obj, "parent", None), "name", None)
        return self.row_label_maker()(obj.name, obj.structure, district)

    def row_label_maker(self):
        # The two label forms translated once per list, not once per legacy commune (hundreds).
        with_district, alone = str(_("%(name)s (cũ, %(district)s)")), str(_("%(name)s (cũ)"))

        def label(name, structure, district):
            if structure != Structure.LEGACY:
                return name
            if district:
                return with_district % {"name": name, "district": district}
            return alone % {"name": name}

        return label


class _VillageField(VillageChoiceField):
    iterator = _LabelRowIterator
    label_fields = ("name", "parent_id", "parent__name")

    def row_label_maker(self):
        def label(name, parent_id, commune):  # `VillageChoiceField.label_from_instance` on the columns
            return f"{name} ({commune})" if parent_id else name

        return label


class CommuneFilter(django_filters.ModelChoiceFilter):
    field_class = _CommuneField


class VillageFilter(django_filters.ModelChoiceFilter):
    field_class = _VillageField


def _communes(request):
    return selectors.communes_for_filter(user=getattr(request, "user", None))


def _id(request, name: str) -> int | None:
    value = request.GET.get(name, "") if request is not None else ""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _villages(request):
    return selectors.villages_for_filter(
        user=getattr(request, "user", None), commune_id=_id(request, "commune"), village_id=_id(request, "village")
    )


FLAG_CHOICES = [(name, capfirst(Household._meta.get_field(name).verbose_name)) for name in selectors.FLAG_FIELDS]


class HouseholdFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Tìm theo tên, số CCCD hoặc mã hộ"),
        help_text=_("Mã hộ và số CCCD/CMND: gõ phần đầu cũng được (từ 3 ký tự của mã, 6 chữ số của số)."),
        method="filter_nothing",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van an")}),
    )
    commune = CommuneFilter(
        label=_("Xã/phường"), queryset=_communes, method="filter_nothing", empty_label=_("Tất cả"), widget=Select
    )
    village = VillageFilter(
        label=_("Thôn/tổ dân phố"),
        queryset=_villages,
        method="filter_nothing",
        empty_label=_("Tất cả"),
        widget=Select,
    )
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"),
        choices=HouseholdStatus.choices,
        method="filter_nothing",
        empty_label=_("Tất cả"),
        widget=Select,
    )
    area_type = django_filters.ChoiceFilter(
        label=_("Khu vực"), choices=AreaType.choices, method="filter_nothing", empty_label=_("Tất cả"), widget=Select
    )
    poverty_class = django_filters.ChoiceFilter(
        label=_("Phân loại"),
        choices=PovertyClass.choices,
        method="filter_nothing",
        empty_label=_("Tất cả"),
        widget=Select,
    )
    flag = django_filters.ChoiceFilter(
        label=_("Đặc điểm"), choices=FLAG_CHOICES, method="filter_nothing", empty_label=_("Tất cả"), widget=Select
    )

    class Meta:
        model = Household
        fields = ["q", "commune", "village", "status", "area_type", "poverty_class", "flag"]

    @property
    def form(self):
        form = super().form
        if not getattr(self, "_village_hint", False):
            self._village_hint = True
            field = form.fields["village"]
            if not field.queryset.exists():  # a large area: villages come once a commune is chosen
                field.help_text = _("Danh sách trống: hãy chọn xã/phường rồi bấm Lọc để thấy các thôn của xã đó.")
        return form

    def filter_nothing(self, queryset, name, value):
        return queryset  # every filter is applied at once by `filter_queryset` (the selector)

    def filter_queryset(self, queryset):
        data = dict(self.form.cleaned_data)
        flag = data.pop("flag", None)
        if flag:
            data[flag] = True
        return selectors.households_filter(queryset, data)
