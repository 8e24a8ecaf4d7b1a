"""Administrators edit campaign kinds (period, chains, milestones, due-soon window) here, audited."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .kinds import KindDefinitionError, KindSpec
from .models import CampaignKind, FormAChecklist
from .services import kind_edit
from .services_cases import checklist_problems, form_a_edit


class CampaignKindForm(forms.ModelForm):
    definition = forms.CharField(label=_("Nội dung (JSON)"), widget=forms.Textarea(attrs={"rows": 30, "cols": 100}))
    reason = forms.CharField(label=_("Lý do sửa"), max_length=255)

    class Meta:
        model = CampaignKind
        fields = ["definition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["definition"] = json.dumps(self.instance.definition, ensure_ascii=False, indent=1)

    def clean_definition(self):
        try:
            data = json.loads(self.cleaned_data["definition"])
            KindSpec.from_dict(data)
        except ValueError as exc:
            problems = exc.problems if isinstance(exc, KindDefinitionError) else [str(exc)]
            raise ValidationError(problems) from exc
        return data


@admin.register(CampaignKind)
class CampaignKindAdmin(admin.ModelAdmin):
    form = CampaignKindForm
    list_display = ("code", "name", "order", "file_version", "edited_by_admin")
    readonly_fields = ("code", "name", "order", "file_version", "edited_by_admin")

    def has_add_permission(self, request):
        return False  # kinds come from data/campaign_templates.json (reviews_load_templates)

    def has_delete_permission(self, request, obj=None):
        return False  # campaigns reference their kind

    def save_model(self, request, obj, form, change):
        # One audited service call; `obj` is then the row the service wrote.
        saved = kind_edit(
            actor=request.user, kind=obj, definition=form.cleaned_data["definition"], reason=form.cleaned_data["reason"]
        )
        obj.definition, obj.edited_by_admin = saved.definition, saved.edited_by_admin


class FormAChecklistForm(forms.ModelForm):
    criteria = forms.CharField(
        label=_("Tiêu chí (JSON)"), widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_("Mỗi tiêu chí: code, text, text_en (tiếng Anh), source, source_en, provisional (true khi chưa "
                    "đối chiếu văn bản)."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Lý do sửa"), max_length=255)

    class Meta:
        model = FormAChecklist
        fields = ["criteria"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["criteria"] = json.dumps(self.instance.criteria, ensure_ascii=False, indent=1)

    def clean_criteria(self):
        try:
            data = json.loads(self.cleaned_data["criteria"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        problems = checklist_problems({"version": "x", "name": "x", "valid_from": "2000-01-01", "criteria": data})
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(FormAChecklist)
class FormAChecklistAdmin(admin.ModelAdmin):
    form = FormAChecklistForm
    list_display = ("version", "name", "valid_from", "edited_by_admin")
    readonly_fields = ("version", "name", "source", "valid_from", "edited_by_admin")

    def has_add_permission(self, request):
        return False  # versions come from data/form_a.json (reviews_load_form_a)

    def has_delete_permission(self, request, obj=None):
        return False  # screened cases reference the version they used

    def save_model(self, request, obj, form, change):
        # One audited service call (it validates the criteria again and records the reason).
        data = form.cleaned_data
        saved = form_a_edit(actor=request.user, checklist=obj, criteria=data["criteria"], reason=data["reason"])
        obj.criteria, obj.edited_by_admin = saved.criteria, saved.edited_by_admin
