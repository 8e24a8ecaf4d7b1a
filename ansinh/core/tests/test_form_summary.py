"""The summary line of a refused form (`core/templatetags/ansinh_forms.py`, `core/_form_summary.html`)."""

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from ansinh.core.templatetags.ansinh_forms import refused_fields


class _Form(forms.Form):
    name = forms.CharField()
    age = forms.IntegerField(min_value=0)

    def clean(self):
        raise forms.ValidationError("whole form")  # a non-field error: said at the top, not counted


def test_refused_fields_counts_fields_in_red_in_a_form_or_a_formset():
    assert refused_fields(_Form()) == 0  # unbound: nothing refused yet
    assert refused_fields(_Form({"name": "", "age": "-1"})) == 2
    assert refused_fields(_Form({"name": "An", "age": "3"})) == 0  # only the non-field error
    formset = forms.formset_factory(_Form, extra=0)(
        {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-name": "", "form-0-age": "1",
         "form-1-name": "", "form-1-age": "x"}
    )  # fmt: skip
    assert refused_fields(formset) == 3


def test_the_summary_line_is_in_the_readers_language_and_absent_without_errors():
    assert render_to_string("core/_form_summary.html", {"n": 0}).strip() == ""
    assert "Chưa ghi: 2 ô cần sửa, tô đỏ bên dưới." in render_to_string("core/_form_summary.html", {"n": 2})
    with translation.override("en"):
        assert "Not saved: 1 field to correct, marked in red below." in render_to_string(
            "core/_form_summary.html", {"n": 1}
        )
        assert "Not saved: 3 fields to correct" in render_to_string("core/_form_summary.html", {"n": 3})
