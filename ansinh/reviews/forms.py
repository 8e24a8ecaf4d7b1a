"""Forms of the review-campaign pages. They only parse input into service arguments; rules live in services."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ansinh.core.text import localized
from ansinh.core.widgets import Select
from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.poverty.forms import StandardChoiceField  # the code and the name in the reader's language
from ansinh.registry.choices import Sex

from .choices import ApplicationChannel, AssignmentRole, CommitteeRole
from .services import CampaignData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@lru_cache(maxsize=64)
def _choice_label(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    """A level's or structure's label in `language`, as ``get_FOO_display()`` gives it (the value
    itself when unknown); that re-reads the field's choices on every call, twice per option."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def unit_label(obj) -> str:
    """A unit with its level and structure: Xã Thọ Xuân (Xã/Phường, Từ 01/7/2025 (2 cấp))."""
    language = get_language()
    return (
        f"{obj.name} ({_choice_label(Level, obj.level, language)}, {_choice_label(Structure, obj.structure, language)})"
    )


class UnitChoiceField(forms.ModelChoiceField):
    # A province's communes and villages are hundreds of options: written without two templates each.
    widget = Select

    def label_from_instance(self, obj):
        return unit_label(obj)


class VillageChoiceField(UnitChoiceField):
    """Villages named with their commune ("Thôn 1, Xã Thọ Xuân"), grouped by commune: a province's villages
    may come from several communes at once, and many are called "Thôn 1"."""

    def _set_queryset(self, queryset):
        if queryset is not None:
            queryset = queryset.select_related("parent").order_by("parent__sort_key", "sort_key", "pk")
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        return f"{obj.name}, {obj.parent.name}" if obj.parent_id else obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return unit_label(obj)


class SelectMultiple(Select, forms.SelectMultiple):
    """`forms.SelectMultiple` written by `core.widgets.Select`: the same HTML without two templates
    per option (a province's units are hundreds of them)."""


class ProvinceChoiceField(forms.ModelChoiceField):
    """Today's provinces, then the legacy ones (before 1 July 2025), marked as legacy communes are."""

    def label_from_instance(self, obj):
        return _("%(name)s (cũ)") % {"name": obj.name} if obj.structure == Structure.LEGACY else obj.name


class CampaignProvinceForm(forms.Form):
    """The campaign form's first step for an area of several provinces: the province whose units
    the form then offers (sent by GET; the page swaps in the units with htmx, or reloads without it)."""

    province = ProvinceChoiceField(
        label=_("Tỉnh/thành phố"), queryset=None,
        help_text=_("Đơn vị chủ trì và các đơn vị tham gia được chọn trong tỉnh này. Đợt bắt đầu trước "
                    "01/7/2025 dùng tỉnh cũ, đánh dấu (cũ)."),
    )  # fmt: skip

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces

    def chosen(self) -> AdminUnit | None:
        return self.cleaned_data["province"] if self.is_bound and self.is_valid() else None


class CampaignForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Loại rà soát"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    month = forms.IntegerField(
        label=_("Tháng"), min_value=1, max_value=12, required=False,
        help_text=_("Chỉ với rà soát hằng tháng và xác định hộ có mức sống trung bình (từ ngày 15)."),
    )  # fmt: skip
    unit = UnitChoiceField(label=_("Đơn vị chủ trì"), queryset=None, widget=Select)
    units = UnitMultipleChoiceField(
        label=_("Các đơn vị tham gia"), queryset=None, widget=SelectMultiple(attrs={"size": 10}),
        help_text=_("Các huyện, xã thuộc đơn vị chủ trì cùng cơ cấu: đơn vị cũ cho đợt trước 01/7/2025, "
                    "đơn vị mới từ 01/7/2025."),
    )  # fmt: skip
    plan_number = forms.CharField(label=_("Số kế hoạch"), max_length=60, help_text=_("Ví dụ: 6828/KH-UBND"))
    plan_date = forms.DateField(label=_("Ngày kế hoạch"), widget=DATE_WIDGET)
    standard = StandardChoiceField(
        label=pgettext_lazy("một chuẩn", "Chuẩn nghèo"), queryset=None, required=False,
        empty_label=_("Tự chọn theo loại đợt"),
        help_text=_("Rà soát định kỳ: chuẩn áp dụng từ 01/01 năm sau, năm dùng danh sách của đợt; rà soát hằng "
                    "tháng: chuẩn áp dụng ngày bắt đầu đợt."),
    )  # fmt: skip
    name = forms.CharField(label=_("Tên đợt"), max_length=200, required=False, help_text=_("Để trống: tự đặt tên."))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kinds, units, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["kind"].label_from_instance = lambda kind: kind.title  # the reader's language
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


# -- review cases -------------------------------------------------------------------------------


class ListCurrentForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Xã hoặc thôn"), queryset=None,
        help_text=_("Đưa mọi hộ nghèo, hộ cận nghèo hiện có của đơn vị vào đợt (hộ đã có được giữ nguyên)."),
    )  # fmt: skip

    def __init__(self, *args, units, villages_held_back: bool = False, **kwargs):
        # The case list's filter has a `unit` field too: ids of its own keep the labels apart.
        kwargs.setdefault("auto_id", "list_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units
        if villages_held_back:  # `selectors.units_offered`: a province's villages come one commune at a time
            field.help_text = format_lazy(
                "{} {}", field.help_text,
                _("Để chọn một thôn, hãy chọn xã/phường của thôn trước: danh sách sẽ có các thôn của xã đó "
                  "(nếu không thấy, hãy chọn xã/phường đó ở bộ lọc bên dưới rồi bấm Lọc)."),
            )  # fmt: skip


class ApplicationForm(forms.Form):
    """Giấy đề nghị (Mẫu 01): the household by commune and code, or a new household (registered first)."""

    commune = UnitChoiceField(
        label=_("Xã/phường"), queryset=None,
        error_messages={"invalid_choice": _("Hãy chọn một xã/phường của đợt rà soát trong địa bàn của bạn.")},
    )  # fmt: skip
    household_code = forms.CharField(label=_("Mã hộ"), max_length=30)
    new_household = forms.BooleanField(
        label=_("Hộ chưa có trong sổ hộ gia đình (đăng ký hộ mới)"), required=False,
    )  # fmt: skip
    village = VillageChoiceField(
        label=_("Thôn/tổ dân phố (hộ mới)"), queryset=None, required=False,
        error_messages={"invalid_choice": _("Hãy chọn một thôn/tổ dân phố của đợt rà soát trong địa bàn của bạn.")},
    )  # fmt: skip
    head_name = forms.CharField(label=_("Họ tên chủ hộ (hộ mới)"), max_length=150, required=False)
    head_sex = forms.ChoiceField(label=_("Giới tính chủ hộ (hộ mới)"), choices=[("", "—"), *Sex.choices],
                                 required=False)  # fmt: skip
    head_birth_year = forms.IntegerField(label=_("Năm sinh chủ hộ (hộ mới)"), required=False)
    head_id_number = forms.CharField(label=_("Số CCCD chủ hộ (hộ mới)"), max_length=20, required=False)
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=ApplicationChannel.choices)
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DATE_WIDGET)
    applicant_name = forms.CharField(label=_("Người đề nghị"), max_length=150, required=False,
                                     help_text=_("Để trống: chủ hộ."))  # fmt: skip
    reason = forms.CharField(label=_("Lý do đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, communes, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["village"].queryset = villages
        self.fields["received_on"].initial = timezone.localdate()

    def offer_villages(self, offered) -> None:
        """Write the village select with `offered.units` only (`selectors.villages_offered`: a
        province's villages one commune at a time). Called before rendering, once a posted form is
        checked: it was checked against every village it was built with (the reader's area)."""
        field = self.fields["village"]
        field.queryset = offered.units
        if offered.villages_held_back:
            field.help_text = _("Hãy chọn xã/phường ở trên: danh sách có các thôn, tổ dân phố của xã đó.")

    def clean(self):
        data = super().clean()
        if data.get("new_household"):
            for name in ("head_name", "head_sex", "head_birth_year"):
                if not data.get(name):
                    self.add_error(name, _("Cần cho hộ mới."))
        return data

    def application_data(self):
        from .services_cases import ApplicationData

        c = self.cleaned_data
        return ApplicationData(channel=c["channel"], received_on=c["received_on"],
                               applicant_name=c.get("applicant_name", ""), reason=c.get("reason", ""))  # fmt: skip

    def new_household_data(self):
        from ansinh.registry.services import HouseholdData, MemberData

        from .services_cases import NewHouseholdData

        c = self.cleaned_data
        head = MemberData(full_name=c["head_name"], sex=c["head_sex"], relation="head",
                          birth_year=c["head_birth_year"], id_number=c.get("head_id_number") or "")  # fmt: skip
        return NewHouseholdData(commune=c["commune"], household=HouseholdData(code=c["household_code"],
                                village=c.get("village")), members=[head])  # fmt: skip


class FormAForm(forms.Form):
    """One checkbox per exclusion criterion of the phiếu A version in force (ticked = the household has it)."""

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = []
        for criterion in checklist.criteria:
            label = localized(criterion["text"], criterion.get("text_en") or "")
            help_text = localized(criterion.get("source", ""), criterion.get("source_en") or "")
            if criterion.get("provisional"):
                note = _("tạm thời, chưa đối chiếu văn bản")
                help_text = f"{help_text} — {note}".lstrip(" —")
            self.fields[f"c_{criterion['code']}"] = forms.BooleanField(label=label, required=False,
                                                                       help_text=help_text)  # fmt: skip
            self.codes.append(criterion["code"])

    def answers(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(f"c_{code}")) for code in self.codes}
