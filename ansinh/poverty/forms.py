"""Forms of the poverty pages. They only parse input into service arguments; rules live in services."""

from __future__ import annotations

import json
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ansinh.core.templatetags.ansinh_format import vn_number
from ansinh.geo.choices import Level

from .choices import IncomeSource
from .models import Assessment
from .scoring import Table
from .services import AssessmentData
from .standard import StandardSpec

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Chưa trả lời")), ("yes", _("Có thiếu hụt")), ("no", _("Không thiếu hụt"))]
OVERRIDE = [("", _("Giữ kết quả suy ra")), ("yes", _("Sửa thành: có thiếu hụt")), ("no", _("Sửa thành: không"))]


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.title}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_level_display()})"


class StandardEditForm(forms.Form):
    definition = forms.CharField(
        label=_("Nội dung chuẩn (JSON)"), widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"})
    )
    reason = forms.CharField(
        label=_("Lý do sửa"), max_length=255, help_text=_("Ví dụ: số văn bản mới, ngày ban hành, điều khoản.")
    )

    def clean_definition(self):
        try:
            return json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Không phải JSON hợp lệ (dòng %(line)s, cột %(col)s): %(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from exc


class StandardPickForm(forms.Form):
    """GET form on the household page: classify under another standard than the one in force."""

    standard = forms.ChoiceField(label=pgettext_lazy("một chuẩn", "Chuẩn nghèo"), required=False)

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(s.code, f"{s.code} — {s.title}") for s in standards]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _untri(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class DongField(forms.IntegerField):
    """A whole number of đồng, as people write it: "1.500.000", "1,500,000" or "1 500 000" (the pages
    show amounts with thousands separators, so the form takes them back)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})  # a number input refuses the separators
    _separated = re.compile(r"^-?\d{1,3}([., \u00a0]\d{3})+$")

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip()
            if self._separated.match(text):
                value = re.sub(r"[., \u00a0]", "", text)
        return super().to_python(value)

    def prepare_value(self, value):
        # A stored amount is shown as the pages write it (1.050.000); typed text is shown as typed.
        return vn_number(value) if isinstance(value, int) and not isinstance(value, bool) else value


class AssessmentForm(forms.Form):
    """Form B for one standard: income, farming, one answer per non-derived indicator, overrides.

    Fields per indicator are ``answer_<code>`` (not derived from the registry, or derived but the
    registry lacks the fact: `undetermined`) or ``override_<code>`` and ``override_<code>_reason``
    (derived; changing it needs a reason); `indicator_fields` pairs them with the indicators.

    With a scoring table (`score_table`, the one of the household's region and area) each scored
    item has a field ``score_<item>``: the enumerator answers the items and the service computes the
    score, or leaves them empty and enters the total in `income_score` as before.
    """

    income_source = forms.ChoiceField(label=_("Nguồn thu nhập"), widget=forms.RadioSelect)
    income_per_capita = DongField(label=_("Thu nhập bình quân (đồng/người/tháng)"), required=False, min_value=0)
    income_score = forms.IntegerField(label=_("Điểm thu nhập (phiếu B)"), required=False, min_value=0)
    farming = forms.BooleanField(label=_("Hộ làm nông, lâm, ngư, diêm nghiệp"), required=False)
    assessed_on = forms.DateField(label=_("Ngày thu thập"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, spec: StandardSpec, undetermined: frozenset[str] = frozenset(),
                 score_table: Table | None = None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.undetermined = undetermined
        self.score_table = score_table
        for item in score_table.items if score_table else ():
            if item.kind == "choice":
                choices = [("", _("Chưa trả lời"))] + [(o.code, f"{o.title} ({o.points:+d})") for o in item.options]
                field = forms.ChoiceField(label=item.title, choices=choices, required=False)
            else:
                field = forms.FloatField(
                    label=item.title,
                    required=False,
                    min_value=0,
                    help_text=" · ".join(f"{b.label()}: {b.points:+d}" for b in item.brackets),
                )
            self.fields[f"score_{item.code}"] = field
        sources = IncomeSource.choices
        if spec.proxy_score is None:
            sources = [c for c in sources if c[0] != IncomeSource.PROXY_SCORE]
        self.fields["income_source"].choices = sources
        for indicator in spec.indicators:
            if self._overridable(indicator):
                self.fields[f"override_{indicator.code}"] = forms.ChoiceField(
                    label=indicator.title, choices=OVERRIDE, required=False
                )
                label = _("Lý do sửa: %(name)s") % {"name": indicator.title}
                self.fields[f"override_{indicator.code}_reason"] = forms.CharField(
                    label=label, max_length=255, required=False, widget=forms.TextInput(attrs={"aria-label": label})
                )
            else:
                self.fields[f"answer_{indicator.code}"] = forms.ChoiceField(
                    label=indicator.title, choices=YES_NO, required=False
                )

    def _overridable(self, indicator) -> bool:
        return indicator.derived and indicator.code not in self.undetermined

    @classmethod
    def initial_from(cls, assessment: Assessment | None) -> dict:
        today = timezone.localdate()
        if assessment is None:
            return {"income_source": IncomeSource.DECLARED, "assessed_on": today}
        initial = {
            "income_source": assessment.income_source, "income_per_capita": assessment.income_per_capita,
            "income_score": assessment.income_score, "farming": assessment.farming, "assessed_on": today,
            "note": assessment.note,
        }  # fmt: skip
        for code, value in (assessment.score_answers or {}).items():
            initial[f"score_{code}"] = value
        if assessment.score_answers:
            initial["income_score"] = None  # computed: the items are the input, not the total
        for code, value in assessment.answers.items():
            initial[f"answer_{code}"] = _untri(value)
        for code, item in assessment.overrides.items():
            initial[f"override_{code}"] = _untri(item.get("value"))
            initial[f"override_{code}_reason"] = item.get("reason", "")
        return initial

    def income_fields(self) -> list:
        return [self[name] for name in ("income_source", "income_per_capita", "income_score", "farming", "assessed_on")]

    def score_fields(self) -> list:
        return [self[f"score_{item.code}"] for item in self.score_table.items] if self.score_table else []

    def score_answers(self) -> dict:
        answers = {}
        for item in self.score_table.items if self.score_table else ():
            value = self.cleaned_data.get(f"score_{item.code}")
            if value in (None, ""):
                continue
            answers[item.code] = int(value) if isinstance(value, float) and value.is_integer() else value
        return answers

    def indicator_fields(self) -> list[dict]:
        rows = []
        for indicator in self.spec.indicators:
            if self._overridable(indicator):
                rows.append({"indicator": indicator, "field": self[f"override_{indicator.code}"],
                             "reason": self[f"override_{indicator.code}_reason"]})  # fmt: skip
            else:
                rows.append({"indicator": indicator, "field": self[f"answer_{indicator.code}"], "reason": None})
        return rows

    def assessment_data(self) -> AssessmentData:
        data = self.cleaned_data
        answers, overrides = {}, {}
        for indicator in self.spec.indicators:
            if self._overridable(indicator):
                value = _tri(data.get(f"override_{indicator.code}", ""))
                reason = data.get(f"override_{indicator.code}_reason", "")
                if value is not None:
                    overrides[indicator.code] = {"value": value, "reason": reason}
            else:
                value = _tri(data.get(f"answer_{indicator.code}", ""))
                if value is not None:
                    answers[indicator.code] = value
        return AssessmentData(
            income_source=data["income_source"], income_per_capita=data.get("income_per_capita"),
            income_score=data.get("income_score"), farming=bool(data.get("farming")), answers=answers,
            overrides=overrides, assessed_on=data.get("assessed_on"), note=data.get("note", ""),
            score_answers=self.score_answers(),
        )  # fmt: skip

    def field_for_error(self, key: str) -> str | None:
        """The form field a service error key names (``override_<code>`` goes to the reason box)."""
        if f"{key}_reason" in self.fields:
            return f"{key}_reason"
        return key if key in self.fields else None


class RunStartForm(forms.Form):
    unit = UnitChoiceField(label=_("Địa bàn"), queryset=None, empty_label=None)
    standard = StandardChoiceField(label=pgettext_lazy("một chuẩn", "Chuẩn nghèo"), queryset=None, empty_label=None)
    on_date = forms.DateField(label=_("Tính đến ngày"), widget=DATE_WIDGET)

    def __init__(self, *args, units, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.exclude(level=Level.VILLAGE).order_by("path")
        self.fields["standard"].queryset = standards
