"""Forms of the review-campaign pages. They only parse input into service arguments; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AssignmentRole, CommitteeRole
from .services import CampaignData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_level_display()}, {obj.get_structure_display()})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_level_display()}, {obj.get_structure_display()})"


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class CampaignForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Loại rà soát"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=_("Tháng"), min_value=1, max_value=12, required=False,
        help_text=_("Chỉ với rà soát hằng tháng và xác định hộ có mức sống trung bình (từ ngày 15)."),
    )  # fmt: skip
    unit = UnitChoiceField(label=_("Đơn vị chủ trì"), queryset=None)
    units = UnitMultipleChoiceField(
        label=_("Các đơn vị tham gia"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Các huyện, xã thuộc đơn vị chủ trì cùng cơ cấu: đơn vị cũ cho đợt trước 01/7/2025, "
                    "đơn vị mới từ 01/7/2025."),
    )  # fmt: skip
    plan_number = forms.CharField(label=_("Số kế hoạch"), max_length=60, help_text=_("Ví dụ: 6828/KH-UBND"))
    plan_date = forms.DateField(label=_("Ngày kế hoạch"), widget=DATE_WIDGET)
    standard = StandardChoiceField(
        label=_("Chuẩn nghèo"), queryset=None, required=False, empty_label=_("Chuẩn áp dụng ngày bắt đầu đợt"),
    )  # fmt: skip
    name = forms.CharField(label=_("Tên đợt"), max_length=200, required=False, help_text=_("Để trống: tự đặt tên."))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kinds, units, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["unit"].queryset = units
        self.fields["units"].queryset = units
        self.fields["standard"].queryset = standards

    def campaign_data(self) -> CampaignData:
        c = self.cleaned_data
        return CampaignData(
            kind=c["kind"], year=c["year"], month=c.get("month"), unit=c["unit"], units=list(c["units"]),
            plan_number=c["plan_number"], plan_date=c["plan_date"], standard=c.get("standard"),
            name=c.get("name", ""), note=c.get("note", ""),
        )  # fmt: skip


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


class CompletionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Ngày hoàn thành"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["done_on"].initial = timezone.localdate()


class SteeringMemberForm(forms.Form):
    unit = UnitChoiceField(label=_("Ban Chỉ đạo cấp"), queryset=None)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    position = forms.CharField(label=_("Chức vụ, cơ quan"), max_length=200)
    committee_role = forms.ChoiceField(label=_("Nhiệm vụ trong Ban"), choices=CommitteeRole.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AssignmentForm(forms.Form):
    village = UnitChoiceField(label=_("Thôn/tổ dân phố"), queryset=None)
    role = forms.ChoiceField(label=_("Nhiệm vụ"), choices=AssignmentRole.choices)
    person_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    start_on = forms.DateField(label=_("Từ ngày"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class TrainingForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị tổ chức"), queryset=None)
    held_on = forms.DateField(label=_("Ngày tập huấn"), widget=DATE_WIDGET)
    topic = forms.CharField(label=_("Nội dung"), max_length=255)
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("Người tham dự"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một người: họ tên — chức vụ, đơn vị."),
    )  # fmt: skip

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["attendees"].splitlines() if line.strip()]
