"""Forms of step 8–9 (decision, certificates). They only parse input into service arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DATE_WIDGET
from .services_decision import DecisionData


class DecisionForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Xã"), queryset=None, widget=forms.HiddenInput)
    number = forms.CharField(label=_("Số quyết định"), max_length=60, help_text=_("Ví dụ: 125/QĐ-UBND"))
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DATE_WIDGET)
    signer_name = forms.CharField(label=_("Người ký"), max_length=150)
    signer_position = forms.CharField(label=_("Chức vụ người ký"), max_length=150, initial=_("Chủ tịch"))

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def decision_data(self) -> DecisionData:
        d = self.cleaned_data
        return DecisionData(number=d["number"], signed_on=d["signed_on"], signer_name=d["signer_name"],
                            signer_position=d["signer_position"])  # fmt: skip


class CertificatesForm(forms.Form):
    issued_on = forms.DateField(label=_("Ngày cấp"), widget=DATE_WIDGET, required=False,
                                help_text=_("Để trống: hôm nay."))  # fmt: skip
