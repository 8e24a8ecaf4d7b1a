"""Forms of the results pages: only parse the filters of the frozen-results list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.registry.choices import PovertyClass

from .choices import Transition
from .forms import UnitChoiceField

NO_CLASS = "none"


class ResultFilterForm(forms.Form):
    klass = forms.ChoiceField(label=_("Kết quả công nhận"), required=False)
    transition = forms.ChoiceField(label=_("Diễn biến"), required=False)
    unit = UnitChoiceField(label=_("Xã, thôn"), queryset=None, required=False, empty_label=_("Tất cả"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klass"].choices = [("", _("Tất cả")), *PovertyClass.choices,
                                        (NO_CLASS, _("Không còn trong đợt (đã rút)"))]  # fmt: skip
        self.fields["transition"].choices = [("", _("Tất cả")), *Transition.choices]
        self.fields["unit"].queryset = units

    def filters(self) -> dict:
        """The selector's filters ({} when the form is not valid: the whole list)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"klass": data.get("klass") or None, "transition": data.get("transition") or None,
                "unit": data.get("unit")}  # fmt: skip
