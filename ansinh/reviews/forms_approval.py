"""Forms of step 10 (approval upward). They only parse input; the rules live in services_approval."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReturnForm(forms.Form):
    """Return an approved unit's results to it for revision (the reason is recorded and shown to it)."""

    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nêu rõ nội dung cần chỉnh sửa (ví dụ: hộ nào, sai lệch nào)."),
    )  # fmt: skip
