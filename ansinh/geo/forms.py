"""Forms of the geo pages. They only parse input; rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import VILLAGE_TYPES, AreaType, UnitType

VILLAGE_TYPE_CHOICES = [(t.value, t.label) for t in UnitType if t in VILLAGE_TYPES]


class VillageForm(forms.Form):
    code = forms.CharField(
        label=_("Mã thôn"),
        max_length=20,
        help_text=_("Chữ cái không dấu, chữ số, dấu - hoặc _ ; không trùng trong xã."),
    )
    name = forms.CharField(label=_("Tên thôn"), max_length=120, help_text=_("Tên đầy đủ, ví dụ: Thôn Đông Sơn."))
    unit_type = forms.ChoiceField(label=_("Loại"), choices=VILLAGE_TYPE_CHOICES)


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV"),
        help_text=_("Dòng đầu: mã thôn, tên thôn, loại. Mã hóa UTF-8 (Excel: Lưu dưới dạng CSV UTF-8)."),
    )


class AreaTypeForm(forms.Form):
    area_type = forms.ChoiceField(label=_("Khu vực"), choices=AreaType.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: số, ngày văn bản của Ủy ban nhân dân tỉnh."),
    )
