"""Forms of the posting and complaint pages (steps 5 and 6). They only parse input into service arguments;
the rules (dates, late complaints, posting before the meeting) live in services_posting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ComplaintChannel, ComplaintStatus
from .forms import DATE_WIDGET, UnitChoiceField
from .services_posting import ComplaintData


class PostingForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị niêm yết"), queryset=None,
                           help_text=_("Niêm yết kết quả của cả xã hoặc của một thôn."))  # fmt: skip
    places = forms.CharField(
        label=_("Nơi niêm yết"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một nơi, ví dụ: Nhà văn hóa thôn; Trụ sở UBND xã."),
    )  # fmt: skip
    start_on = forms.DateField(label=_("Ngày bắt đầu niêm yết"), widget=DATE_WIDGET)
    working_days = forms.IntegerField(
        label=_("Số ngày làm việc"), min_value=1, max_value=60,
        help_text=_("Không tính thứ Bảy, Chủ nhật và ngày lễ, Tết; ngày kết thúc được tính khi lưu."),
    )  # fmt: skip
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def places_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["places"].splitlines() if line.strip()]


LATE_CHOICES = [
    ("", _("Tự xác định theo ngày nhận")),
    ("on_time", _("Trong thời gian niêm yết")),
    ("late", _("Sau khi hết thời gian niêm yết")),
]


class ComplaintForm(forms.Form):
    complainant_name = forms.CharField(label=_("Người khiếu nại"), max_length=150)
    complainant_contact = forms.CharField(label=_("Địa chỉ, điện thoại"), max_length=200, required=False)
    content = forms.CharField(label=_("Nội dung khiếu nại"), widget=forms.Textarea(attrs={"rows": 4}))
    channel = forms.ChoiceField(label=_("Hình thức"), choices=ComplaintChannel.choices)
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DATE_WIDGET)
    late_claimed = forms.ChoiceField(
        label=_("Thời điểm nhận"), choices=LATE_CHOICES, required=False,
        help_text=_("Khiếu nại nhận sau khi hết niêm yết được ghi là nhận muộn, không ghi là đúng hạn."),
    )  # fmt: skip

    def complaint_data(self) -> ComplaintData:
        d = self.cleaned_data
        late = {"on_time": False, "late": True}.get(d.get("late_claimed") or "")
        return ComplaintData(
            complainant_name=d["complainant_name"], complainant_contact=d.get("complainant_contact") or "",
            content=d["content"], channel=d["channel"], received_on=d["received_on"], late_claimed=late,
        )  # fmt: skip


OUTCOME_CHOICES = [
    ("upheld", _("Khiếu nại đúng: rà soát lại hộ (phiếu B)")),
    ("rejected", _("Khiếu nại không đúng")),
]


class ComplaintVerifyForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết luận"), choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Kết luận xác minh, lý do"), widget=forms.Textarea(attrs={"rows": 4}))
    verified_on = forms.DateField(label=_("Ngày xác minh"), widget=DATE_WIDGET, required=False,
                                  help_text=_("Để trống: hôm nay."))  # fmt: skip


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Kết quả xác minh"), required=False,
                               choices=[("", _("Tất cả")), *ComplaintStatus.choices])  # fmt: skip
