"""Forms of the life-event pages. They only parse; every rule is the service's (one source of truth)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import unit_province, unit_successor

from .choices import HealthInsurance, MemberStatus, Relation, Sex
from .models import Ethnicity, Household, Member
from .services import MemberData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NON_HEAD_RELATIONS = [(v, label) for v, label in Relation.choices if v != Relation.HEAD]


def _relation_field(label, *, required=True):
    return forms.ChoiceField(label=label, choices=[("", "—"), *NON_HEAD_RELATIONS], required=required)


def _villages(commune: AdminUnit):
    return AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code")


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.birth_year})"


class _MembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.birth_year}) — {obj.get_relation_display()}"


def _present(household: Household, *, exclude: Member | None = None):
    qs = household.members.filter(status=MemberStatus.PRESENT).order_by("order", "pk")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


class _NewHeadMixin(forms.Form):
    """When the member concerned is the head: who takes over and how the old head relates to them."""

    def add_new_head_fields(self, member: Member) -> None:
        if member.household.head_id != member.pk:
            return
        self.fields["new_head"] = _MemberChoice(
            label=_("Chủ hộ mới"), queryset=_present(member.household, exclude=member), required=False,
            help_text=_("Bắt buộc khi trong hộ còn người khác."),
        )  # fmt: skip
        self.fields["old_head_relation"] = _relation_field(_("Quan hệ của chủ hộ cũ với chủ hộ mới"), required=False)


class PersonForm(forms.Form):
    """A new person (newborn or someone marrying in)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Ngày sinh"), widget=DATE_WIDGET)
    relation = _relation_field(_("Quan hệ với chủ hộ"))
    ethnicity = forms.ModelChoiceField(label=_("Dân tộc"), queryset=Ethnicity.objects.all(), required=False)
    id_number = forms.CharField(label=_("Số CCCD"), max_length=12, required=False)
    health_insurance = forms.ChoiceField(
        label=_("Bảo hiểm y tế"), choices=[("", "—"), *HealthInsurance.choices], required=False
    )

    def member_data(self) -> MemberData:
        data = self.cleaned_data
        return MemberData(
            full_name=data["full_name"], sex=data["sex"], relation=data["relation"], birth_date=data["birth_date"],
            ethnicity_code=data["ethnicity"].code if data.get("ethnicity") else "", id_number=data["id_number"],
            health_insurance=data["health_insurance"],
        )  # fmt: skip


class BirthForm(PersonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relation"].initial = Relation.CHILD


class DeathForm(_NewHeadMixin):
    death_date = forms.DateField(label=_("Ngày mất"), widget=DATE_WIDGET)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_head_fields(member)


class LeaveMarriageForm(_NewHeadMixin):
    date = forms.DateField(label=_("Ngày rời hộ"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú (nơi chuyển đến)"), max_length=255, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_head_fields(member)


class JoinMarriageForm(PersonForm):
    """Either a new person (the person fields) or a member already in the registry (their number)."""

    date = forms.DateField(label=_("Ngày nhập hộ"), widget=DATE_WIDGET)
    existing_member = forms.IntegerField(
        label=_("Số hiệu thành viên đã có trong sổ hộ"), required=False, min_value=1,
        help_text=_("Nếu người này đã có trong sổ hộ của xã: nhập số hiệu (ở trang hộ), bỏ trống phần người mới."),
    )  # fmt: skip

    field_order = ["date", "existing_member", "relation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_name", "sex", "birth_date"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if not data.get("existing_member"):
            for name in ("full_name", "sex", "birth_date"):
                if not data.get(name):
                    self.add_error(name, _("Hãy nhập thông tin người mới (hoặc số hiệu thành viên đã có)."))
        return data


class SplitForm(forms.Form):
    new_code = forms.CharField(label=_("Mã hộ mới"), max_length=30)
    members = _MembersChoice(
        label=_("Thành viên tách sang hộ mới"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    new_head = _MemberChoice(label=_("Chủ hộ của hộ mới"), queryset=Member.objects.none())
    village = forms.ModelChoiceField(label=_("Thôn của hộ mới"), queryset=AdminUnit.objects.none(), required=False)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        present = _present(household, exclude=household.head)
        self.fields["members"].queryset = present
        self.fields["new_head"].queryset = present
        self.fields["village"].queryset = _villages(household.commune)
        self.fields["village"].initial = household.village_id
        for index, person in enumerate(present):
            field = _relation_field(
                _("Quan hệ của %(name)s với chủ hộ mới (nếu tách đi)") % {"name": person.full_name}, required=False
            )
            # Shown (ansinh.js) only while this person's box of `members` is ticked: its n-th checkbox.
            field.widget.attrs["data-shown-by"] = f"id_members_{index}"
            self.fields[f"relation_{person.pk}"] = field

    def relations(self) -> dict[int, str]:
        return {
            int(k.removeprefix("relation_")): v for k, v in self.cleaned_data.items() if k.startswith("relation_") and v
        }


class MergeForm(forms.Form):
    target_code = forms.CharField(label=_("Mã hộ nhập vào (cùng xã)"), max_length=30)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        for person in _present(household):
            self.fields[f"relation_{person.pk}"] = _relation_field(
                _("Quan hệ của %(name)s với chủ hộ nhập vào") % {"name": person.full_name}
            )

    def relations(self) -> dict[int, str]:
        return {int(k.removeprefix("relation_")): v for k, v in self.cleaned_data.items() if k.startswith("relation_")}


class VillageChangeForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Thôn/tổ dân phố mới"), queryset=AdminUnit.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(household.commune).exclude(pk=household.village_id)
        self.fields["version"].initial = household.version


class MoveRequestForm(forms.Form):
    """The province first, then one of its communes: a list of the country's 3,321 communes was a
    170 kB page to scroll on a phone, and commune names repeat from one province to another.

    The commune list follows the province chosen (the posted one, else ``?to_province=`` of the page,
    else the household's own province); the page swaps it in when the province changes (HTMX), or
    reloads with the province chosen when scripts are off (`registry/move_request_form.html`).
    """

    to_province = forms.ModelChoiceField(label=_("Tỉnh/thành phố nơi đến"), queryset=AdminUnit.objects.none())
    to_commune = forms.ModelChoiceField(label=_("Xã/phường nơi đến"), queryset=AdminUnit.objects.none())
    move_date = forms.DateField(label=_("Ngày chuyển"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)

    def __init__(self, *args, household: Household, province_id: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = AdminUnit.objects.filter(level=Level.PROVINCE, structure=Structure.Y2025).order_by("sort_key")
        self.fields["to_province"].queryset = provinces
        chosen = self.data.get(self.add_prefix("to_province")) if self.is_bound else province_id
        province = provinces.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        if province is None:
            commune = household.commune  # a legacy commune: the 2025 one it is reported under
            province = unit_province(commune if commune.structure == Structure.Y2025 else unit_successor(unit=commune))
        if province is not None:
            self.initial.setdefault("to_province", province.pk)
        # The province's valid communes but the household's own; the receiving commune picks the
        # village on acceptance.
        self.fields["to_commune"].queryset = (
            AdminUnit.objects.filter(level=Level.COMMUNE, valid_to__isnull=True, path__startswith=province.path)
            .exclude(pk=household.commune_id)
            .order_by("sort_key")
            if province is not None
            else AdminUnit.objects.none()
        )


class MoveAcceptForm(forms.Form):
    new_code = forms.CharField(label=_("Mã hộ tại xã nơi đến"), max_length=30)
    village = forms.ModelChoiceField(label=_("Thôn/tổ dân phố"), queryset=AdminUnit.objects.none(), required=False)

    def __init__(self, *args, to_commune: AdminUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(to_commune)


class MoveRefuseForm(forms.Form):
    note = forms.CharField(label=_("Lý do từ chối"), max_length=255)


class MoveCancelForm(forms.Form):
    note = forms.CharField(label=_("Lý do hủy"), max_length=255, required=False)
