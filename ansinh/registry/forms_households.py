"""Forms of the household pages. They only parse input into service arguments; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.geo.choices import AreaType

from .choices import (
    Allowance,
    Diploma,
    Disability,
    Durability,
    HealthInsurance,
    InfoDevice,
    LabourStatus,
    LatrineType,
    Relation,
    Schooling,
    Sex,
    WaterSource,
)
from .models import Ethnicity
from .services import HouseholdData, MemberData

BLANK = [("", "—")]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The words of the service and the import, not Django's ("Đảm bảo giá trị này lớn hơn hoặc bằng với 0 .").
AREA_ERRORS = {"min_value": _("Diện tích không được âm.")}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class VillageChoiceField(forms.ModelChoiceField):
    """Villages labelled with their commune, so one list serves an officer of several communes."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


class EthnicityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


def _ethnicity_field(label):
    return EthnicityChoiceField(
        label=label, queryset=Ethnicity.objects.order_by("code"), required=False, empty_label="—"
    )


class HouseholdFactsForm(forms.Form):
    """The household's own facts, shared by the create and edit pages."""

    code = forms.CharField(label=_("Mã hộ"), max_length=30, help_text=_("Không trùng với hộ khác trong xã."))
    village = VillageChoiceField(label=_("Thôn/tổ dân phố"), queryset=None, required=False, empty_label="—")
    area_type = forms.ChoiceField(
        label=_("Khu vực"),
        choices=[("", _("Theo khu vực của xã")), *AreaType.choices],
        required=False,
    )
    area_type_override_reason = forms.CharField(label=_("Lý do khác khu vực của xã"), max_length=255, required=False)
    ethnicity = _ethnicity_field(_("Dân tộc của chủ hộ"))
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    is_ethnic_minority = forms.BooleanField(label=_("Hộ dân tộc thiểu số"), required=False)
    is_local_indigenous = forms.BooleanField(label=_("Dân tộc tại chỗ"), required=False)
    has_meritorious_person = forms.BooleanField(label=_("Có người có công"), required=False)
    has_social_assistance = forms.BooleanField(label=_("Có đối tượng bảo trợ xã hội"), required=False)
    no_labour_capacity = forms.BooleanField(label=_("Hộ không có khả năng lao động"), required=False)
    female_head = forms.BooleanField(
        label=_("Chủ hộ là nữ"), required=False, help_text=_("Tự cập nhật theo giới tính của chủ hộ.")
    )
    lone_household = forms.BooleanField(label=_("Hộ neo đơn"), required=False)
    housing_area_m2 = forms.DecimalField(
        label=_("Diện tích nhà ở (m²)"),
        max_digits=7,
        decimal_places=1,
        min_value=0,
        required=False,
        error_messages=AREA_ERRORS,
    )
    wall_durability = forms.ChoiceField(label=_("Tường"), choices=BLANK + Durability.choices, required=False)
    column_durability = forms.ChoiceField(label=_("Cột (khung)"), choices=BLANK + Durability.choices, required=False)
    roof_durability = forms.ChoiceField(label=_("Mái"), choices=BLANK + Durability.choices, required=False)
    water_source = forms.ChoiceField(
        label=_("Nguồn nước sinh hoạt"), choices=BLANK + WaterSource.choices, required=False
    )
    latrine_type = forms.ChoiceField(label=_("Nhà tiêu"), choices=BLANK + LatrineType.choices, required=False)
    info_devices = forms.MultipleChoiceField(
        label=_("Phương tiện tiếp cận thông tin"),
        choices=InfoDevice.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    production_land_m2 = forms.DecimalField(
        label=_("Đất sản xuất (m²)"),
        max_digits=10,
        decimal_places=1,
        min_value=0,
        required=False,
        error_messages=AREA_ERRORS,
    )
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    FACT_NAMES = (
        "address", "phone", "is_ethnic_minority", "is_local_indigenous", "has_meritorious_person",
        "has_social_assistance", "no_labour_capacity", "female_head", "lone_household", "housing_area_m2",
        "wall_durability", "column_durability", "roof_durability", "water_source", "latrine_type", "info_devices",
        "production_land_m2", "notes",
    )  # fmt: skip

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def household_data(self) -> HouseholdData:
        data = self.cleaned_data
        ethnicity = data.get("ethnicity")
        return HouseholdData(
            code=data.get("code") or "",  # absent only when the form refused it (see `rule_refusals`)
            village=data.get("village"),
            ethnicity_code=ethnicity.code if ethnicity else "",
            area_type=data.get("area_type") or "",
            area_type_override_reason=data.get("area_type_override_reason") or "",
            facts={name: data.get(name) for name in self.FACT_NAMES},
        )

    @classmethod
    def initial_from(cls, household) -> dict:
        initial = {name: getattr(household, name) for name in cls.FACT_NAMES}
        initial.update(
            code=household.code,
            village=household.village_id,
            area_type=household.area_type,
            area_type_override_reason=household.area_type_override_reason,
            ethnicity=household.ethnicity_id,
            version=household.version,
        )
        return initial


class HouseholdCreateForm(HouseholdFactsForm):
    commune = UnitChoiceField(label=_("Xã/phường"), queryset=None, empty_label=None)
    field_order = ["commune", "village", "code"]

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        choices = list(communes.values_list("pk", flat=True)[:2]) if communes is not None else []
        if len(choices) == 1:  # the usual case: a commune officer of one commune
            self.fields["commune"].initial = choices[0]
        else:
            self.fields["commune"].empty_label = "—"

    def clean(self):
        cleaned = super().clean()
        commune, village = cleaned.get("commune"), cleaned.get("village")
        if commune and village and village.parent_id != commune.pk:
            self.add_error("village", _("Thôn/tổ dân phố không thuộc xã đã chọn."))
        return cleaned


class HouseholdEditForm(HouseholdFactsForm):
    # The version the officer started from; a stale one is refused by the service (no silent overwrite).
    version = forms.IntegerField(widget=forms.HiddenInput, label=_("Phiên bản hồ sơ"))


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=BLANK + Sex.choices)
    relation = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=BLANK + Relation.choices)
    birth_date = forms.DateField(label=_("Ngày sinh"), required=False, widget=DATE_WIDGET)
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), required=False, help_text=_("Khi không rõ ngày sinh."), min_value=1, max_value=9999
    )
    ethnicity = _ethnicity_field(_("Dân tộc"))
    id_number = forms.CharField(label=_("Số CCCD/CMND"), max_length=20, required=False)
    health_insurance = forms.ChoiceField(
        label=_("Bảo hiểm y tế"), choices=BLANK + HealthInsurance.choices, required=False
    )
    schooling = forms.ChoiceField(label=_("Đang học"), choices=BLANK + Schooling.choices, required=False)
    diploma = forms.ChoiceField(label=_("Bằng cấp cao nhất"), choices=BLANK + Diploma.choices, required=False)
    disability = forms.ChoiceField(label=_("Khuyết tật"), choices=Disability.choices, initial=Disability.NONE)
    labour_status = forms.ChoiceField(
        label=_("Tình trạng việc làm"), choices=BLANK + LabourStatus.choices, required=False
    )
    allowance = forms.ChoiceField(label=_("Lương hưu/trợ cấp"), choices=Allowance.choices, initial=Allowance.NONE)
    # Shown only after the service refused a CCCD that another living member already holds.
    id_duplicate_reason = forms.CharField(
        label=_("Lý do xác nhận trùng số CCCD"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: người này chuyển đến từ hộ khác, hồ sơ cũ sẽ được xử lý trùng."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_duplicate_reason = bool(self.data.get(self.add_prefix("id_duplicate_reason")))

    def visible_member_fields(self):
        """The fields to render: the confirmation reason only when a duplicate must be confirmed."""
        return [f for f in self.visible_fields() if f.name != "id_duplicate_reason" or self.show_duplicate_reason]

    def member_data(self, *, death_date=None) -> MemberData:
        data = self.cleaned_data
        ethnicity = data.get("ethnicity")
        return MemberData(
            full_name=data.get("full_name") or "",  # absent only when the form refused them
            sex=data.get("sex") or "",
            relation=data.get("relation") or "",
            birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"),
            ethnicity_code=ethnicity.code if ethnicity else "",
            id_number=data.get("id_number") or "",
            health_insurance=data.get("health_insurance") or "",
            schooling=data.get("schooling") or "",
            diploma=data.get("diploma") or "",
            disability=data.get("disability") or Disability.NONE,
            labour_status=data.get("labour_status") or "",
            allowance=data.get("allowance") or Allowance.NONE,
            death_date=death_date,
            id_duplicate_reason=data.get("id_duplicate_reason") or "",
        )

    @staticmethod
    def initial_from(member) -> dict:
        names = [
            "full_name", "sex", "relation", "birth_date", "birth_year", "id_number", "health_insurance",
            "schooling", "diploma", "disability", "labour_status", "allowance",
        ]  # fmt: skip
        return {**{n: getattr(member, n) for n in names}, "ethnicity": member.ethnicity_id}


class BaseMemberFormSet(forms.BaseFormSet):
    """Member rows of a new household; blank extra rows are ignored."""

    def members(self) -> list[tuple[MemberForm, MemberData]]:
        return [(form, form.member_data()) for form in self.forms if form.has_changed() and form.cleaned_data]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=3, min_num=1, validate_min=True, max_num=30, validate_max=True
)


class ChangeHeadForm(forms.Form):
    new_head = forms.ModelChoiceField(label=_("Chủ hộ mới"), queryset=None, empty_label="—")
    old_head_relation = forms.ChoiceField(
        label=_("Quan hệ mới của chủ hộ cũ với chủ hộ mới"),
        choices=BLANK + [(v, label) for v, label in Relation.choices if v != Relation.HEAD],
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = candidates


class RevealForm(forms.Form):
    """An empty form: revealing is a POST so it cannot be triggered by a link or a prefetch."""
