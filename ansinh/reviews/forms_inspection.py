"""Forms of re-inspection (phúc tra): they only parse input into service arguments; rules live in
services_inspection."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.registry.choices import PovertyClass

from .forms import DATE_WIDGET


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        klass = obj.final_class or obj.provisional_class
        village = obj.household.village.name if obj.household.village_id else ""
        return f"{obj.household} — {village} — {PovertyClass(klass).label if klass else '—'}".replace(" —  —", " —")


class ReinspectionOrderForm(forms.Form):
    """The order: the commune, why, and either the households ticked or a number drawn at random."""

    commune = CommuneChoiceField(label=_("Xã được phúc tra"), queryset=None)
    reasons = forms.CharField(
        label=_("Lý do chọn"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một lý do (ví dụ: tỷ lệ nghèo giảm bất thường, có khiếu nại)."),
    )  # fmt: skip
    sample_size = forms.IntegerField(
        label=_("Số hộ chọn ngẫu nhiên"), required=False, min_value=1,
        help_text=_("Để trống khi đánh dấu từng hộ bên dưới."),
    )  # fmt: skip
    cases = CaseChoiceField(label=_("Hoặc chọn các hộ"), queryset=None, required=False,
                            widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, communes, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        if cases is None:
            del self.fields["cases"]
        else:
            self.fields["cases"].queryset = cases

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        picked = list(data.get("cases") or [])
        return {
            "commune": data["commune"],
            "reasons": [line.strip() for line in data["reasons"].splitlines() if line.strip()],
            "cases": picked or None,
            "sample_size": data.get("sample_size"),
        }


class FindingForm(forms.Form):
    # No default: the inspector records their own finding, not a confirmation of the commune's.
    found_class = forms.ChoiceField(label=_("Kết quả phúc tra"), choices=[("", "—"), *PovertyClass.choices])
    findings = forms.CharField(label=_("Nhận xét, căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    inspector_name = forms.CharField(label=_("Người phúc tra"), max_length=150, required=False,
                                     help_text=_("Để trống: tên của bạn."))  # fmt: skip
    inspected_on = forms.DateField(label=_("Ngày phúc tra"), widget=DATE_WIDGET, initial=timezone.localdate)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Xã giải trình, xử lý"), widget=forms.Textarea(attrs={"rows": 2}))
    resurvey = forms.BooleanField(
        label=_("Rà soát lại hộ (phiếu B, họp dân, niêm yết lại)"), required=False,
        help_text=_("Đánh dấu khi xã chấp nhận kết quả phúc tra."),
    )  # fmt: skip
