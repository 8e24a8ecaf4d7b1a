"""Form widgets shared by the apps.

`Select` writes the same HTML as Django's template-rendered select, but in Python. Django renders
one template (plus an ``attrs.html`` include) per ``<option>``; a list filter offering a province's
communes carries hundreds of them, and that was close to half of the household list's server time
(docs/benchmarks.md "HTTP"). The markup, escaping and whitespace follow Django's
``django/forms/widgets/select.html`` and ``select_option.html``, so pages and tests see no difference.
"""

from __future__ import annotations

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

_SELECT_TEMPLATE = forms.Select.template_name
_OPTION_TEMPLATE = forms.Select.option_template_name


def _attrs_html(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: False drops the attribute, True writes it bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


def _text(value) -> str:
    """A ``{{ value }}`` in a template: localised (numbers, dates) and escaped unless already safe."""
    if not isinstance(value, str):
        value = str(localize(template_localtime(value)))
    return conditional_escape(value)


class Select(forms.Select):
    """`forms.Select` rendered without a template per option (same HTML, same context).

    The context still comes from `get_context`/`optgroups`/`create_option`, so selection, option
    attributes and ids behave as Django's. A subclass that sets its own template, or an option with
    another template, falls back to template rendering.
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        if self.template_name != _SELECT_TEMPLATE or any(
            option["template_name"] != _OPTION_TEMPLATE
            for _group, options, _index in widget["optgroups"]
            for option in options
        ):
            return self._render(self.template_name, context, renderer)
        return mark_safe(select_html(widget))  # noqa: S308 - every piece below is escaped


def select_html(widget: dict) -> str:
    """The markup of Django's select template for a widget context (``context["widget"]``)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
