"""Filters of the household list; the filtering itself is the selector's, shared with the API."""

from types import SimpleNamespace

import django_filters
from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ansinh.core.filters import RequestFieldsFilterSet
from ansinh.core.widgets import Select
from ansinh.geo.choices import AreaType, Structure
from ansinh.geo.selectors import provinces_in_area

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

    def _rows(self) -> list:
        # Read once per field, queryset and language: the form's hint (`HouseholdFilterSet.form`) asks
        # whether there are any before the select writes them.
        field, language = self.field, get_language()
        found = field.__dict__.get("_label_rows")
        if found is None or found[0] is not field.queryset or found[1] != language:
            label = field.row_label_maker()
            rows = [
                (pk, values, label(*values)) for pk, *values in field.queryset.values_list("pk", *field.label_fields)
            ]
            found = field._label_rows = (field.queryset, language, rows)
        return found[2]

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


class _ProvinceField(UnitChoiceField):
    """Today's provinces, then the legacy ones (before 1 July 2025) marked as the legacy communes are."""

    iterator = _LabelRowIterator
    label_fields = ("name", "structure")

    def label_from_instance(self, obj):
        return self.row_label_maker()(obj.name, obj.structure)

    def row_label_maker(self):
        alone = str(_("%(name)s (cũ)"))

        def label(name, structure):
            return alone % {"name": name} if structure == Structure.LEGACY else name

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


class ProvinceFilter(django_filters.ModelChoiceFilter):
    field_class = _ProvinceField


def _user(request):
    return getattr(request, "user", None)


def _provinces(request):
    return selectors.provinces_for_filter(user=_user(request))  # `HouseholdFilterSet.__init__` sets it


def _communes(request):
    # Only reached when the reader's area lies in one province: `HouseholdFilterSet.__init__` gives
    # a wider area the chosen province's communes.
    return selectors.communes_for_filter(user=_user(request), spans_provinces=False)


def _id(request, name: str) -> int | None:
    value = request.GET.get(name, "") if request is not None else ""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _villages(request):
    return selectors.villages_for_filter(
        user=getattr(request, "user", None), commune_id=_id(request, "commune"), village_id=_id(request, "village")
    )


FLAG_CHOICES = [(name, capfirst(Household._meta.get_field(name).verbose_name)) for name in selectors.FLAG_FIELDS]


def _offers_nothing(field) -> bool:
    return not field.iterator(field)._rows()


class HouseholdFilterSet(RequestFieldsFilterSet):
    q = django_filters.CharFilter(
        label=_("Tìm theo tên, số CCCD hoặc mã hộ"),
        help_text=_("Mã hộ và số CCCD/CMND: gõ phần đầu cũng được (từ 3 ký tự của mã, 6 chữ số của số)."),
        method="filter_nothing",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: nguyen van an")}),
    )
    province = ProvinceFilter(
        label=_("Tỉnh/thành phố"), queryset=_provinces, method="filter_nothing", empty_label=_("Tất cả"), widget=Select
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
        fields = ["q", "province", "commune", "village", "status", "area_type", "poverty_class", "flag"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = _user(request)
        # The province filter only for an area of several provinces (a national reader): its communes
        # are then offered one province at a time (`selectors.communes_for_filter`).
        self._spans_provinces = selectors.area_spans_provinces(user=user, perm=selectors.VIEW_PERM)
        if not self._spans_provinces:
            del self.filters["province"]
            return
        self.filters["province"].queryset = provinces_in_area(user=user, perm=selectors.VIEW_PERM)
        self.filters["commune"].queryset = selectors.communes_for_filter(
            user=user, province_id=_id(request, "province"), commune_id=_id(request, "commune"), spans_provinces=True
        )

    @property
    def form(self):
        form = super().form
        if not getattr(self, "_hints", False):
            self._hints = True
            # An empty list means a large area: its units are offered once the level above is chosen.
            field = form.fields["commune"]
            if self._spans_provinces and _offers_nothing(field):
                field.help_text = _(
                    "Danh sách trống: hãy chọn tỉnh/thành phố rồi bấm Lọc để thấy các xã/phường của tỉnh đó."
                )
            field = form.fields["village"]
            if _offers_nothing(field):
                field.help_text = _("Danh sách trống: hãy chọn xã/phường rồi bấm Lọc để thấy các thôn của xã đó.")
        return form

    def filter_nothing(self, queryset, name, value):
        return queryset  # every filter is applied at once by `filter_queryset` (the selector)

    def filter_queryset(self, queryset):
        data = dict(self.form.cleaned_data)
        if "province" not in self.filters and self.data.get("province"):
            # Not offered to an area of one province, but a link may still name one: it filters as in
            # the export and the API (another province's id finds nothing).
            data["province"] = self.data["province"]
        flag = data.pop("flag", None)
        if flag:
            data[flag] = True
        return selectors.households_filter(queryset, data)
