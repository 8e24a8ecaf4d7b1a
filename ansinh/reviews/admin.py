"""Administrators edit campaign kinds (period, chains, milestones, due-soon window) here, audited."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .kinds import KindDefinitionError, KindSpec
from .models import CampaignKind
from .services import kind_edit


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
