"""Forms of the phiếu B and village-meeting pages. They only parse input into service arguments;
the rules (50% agreement, dates, states) live in `services_survey`."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.poverty.explain import class_label
from ansinh.poverty.forms import AssessmentForm

from .services_survey import MeetingData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FormBForm(AssessmentForm):
    """Phiếu B of one household under the campaign's standard: the poverty app's form B (income or
    income score, farming, a yes/no answer per indicator not derived from the registry, an override
    with its reason per derived one)."""


class ResurveyForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rà soát lại"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.parent.name if obj.parent_id else ""
        return f"{obj.name}, {parent}" if parent else obj.name


class VillagePickForm(forms.Form):
    """GET: which village's meeting to record."""

    village = VillageChoiceField(label=_("Thôn, tổ dân phố"), queryset=None)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class MeetingForm(forms.Form):
    """The meeting's minutes and one agreeing count per surveyed household of the village (left
    empty: the household is not discussed at this meeting)."""

    village = VillageChoiceField(label=_("Thôn, tổ dân phố"), queryset=None, widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Ngày họp"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False,
                            help_text=_("Ví dụ: Nhà văn hóa thôn"))  # fmt: skip
    chair = forms.CharField(label=_("Chủ trì"), max_length=150, help_text=_("Thường là trưởng thôn"))
    secretary = forms.CharField(label=_("Thư ký"), max_length=150)
    attendee_count = forms.IntegerField(label=_("Số người dự họp"), min_value=1)
    attendees = forms.CharField(
        label=_("Thành phần tham dự"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một người: Họ tên — chức vụ, đơn vị."),
    )  # fmt: skip
    signatories = forms.CharField(
        label=_("Người ký biên bản (ngoài chủ trì, thư ký)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một người: Họ tên — đại diện (ví dụ: Đại diện hộ gia đình)."),
    )  # fmt: skip
    note = forms.CharField(label=_("Ý kiến khác"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, villages, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.cases = list(cases)
        for case in self.cases:
            household = case.household
            self.fields[f"agreeing_{case.pk}"] = forms.IntegerField(
                label=f"{household.code} — {household.head_name} ({class_label(case.provisional_class)})",
                min_value=0, required=False,
            )  # fmt: skip

    def meeting_fields(self) -> list:
        names = ("held_on", "place", "chair", "secretary", "attendee_count", "attendees", "signatories", "note")
        return [self[name] for name in names]

    def case_rows(self) -> list[dict]:
        return [{"case": case, "field": self[f"agreeing_{case.pk}"]} for case in self.cases]

    def meeting_data(self) -> MeetingData:
        data = self.cleaned_data
        signatories = []
        for line in _lines(data.get("signatories", "")):
            name, role = _split(line)
            signatories.append({"name": name, "role": role})
        return MeetingData(
            held_on=data["held_on"], place=data.get("place", ""), chair=data["chair"], secretary=data["secretary"],
            attendee_count=data["attendee_count"], attendees=_lines(data.get("attendees", "")),
            signatories=signatories, note=data.get("note", ""),
        )  # fmt: skip

    def results(self) -> list[tuple]:
        data = self.cleaned_data
        return [(case, data[f"agreeing_{case.pk}"]) for case in self.cases
                if data.get(f"agreeing_{case.pk}") is not None]  # fmt: skip


def _split(line: str) -> tuple[str, str]:
    """``Nguyễn Văn A — Đại diện hộ`` → (name, role); a line without a dash is just a name."""
    parts = re.split(r"\s+[—–-]\s+", line, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else (line.strip(), "")
