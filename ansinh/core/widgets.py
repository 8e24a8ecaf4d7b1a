"""Form widgets shared by the apps.

`Select` writes the same HTML as Django's template-rendered select, but in Python. Django renders
one template (plus an ``attrs.html`` include) per ``<option>``; a list filter offering a province's
communes carries hundreds of them, and that was close to half of the household list's server time
(docs/benchmarks.md "HTTP"). The markup, escaping and whitespace follow Django's
``django/forms/widgets/select.html`` and ``select_option.html``, so pages and tests see no difference.

The options are written in one pass over the choices, without Django's option dicts, and plain
strings are escaped by `html.escape` itself (what Django's `escape` calls) rather than through its
lazy-string wrappers: with a province officer's 714 communes these had become most of the select's
time. Choices may offer ``option_rows()`` (the lists' unit filters) to skip building their objects.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

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


def _label_html(label) -> str:
    """`_text` with a shortcut for a plain `str` (not marked safe): Django's `escape` is `html.escape`."""
    return html.escape(label) if type(label) is str else _text(label)


def _value_html(value) -> str:
    """An option's value as ``{{ widget.value|stringformat:'s' }}`` writes it (never localised)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


class Select(forms.Select):
    """`forms.Select` rendered without a template per option (same HTML).

    Options are written straight from the choices, with `optgroups`' rules (a group per choice
    whose label is a list, the first matching option selected unless the select is multiple);
    choices that offer ``option_rows()`` are read through it (flat (value, label) pairs, values
    as strings), so the field need not build its choices' objects. A subclass that changes how
    options are made (templates, `optgroups`, `create_option`, `get_context`, option attributes)
    gets Django's context, written by `select_html` or by the templates.
    """

    def render(self, name, value, attrs=None, renderer=None):
        if self._stock_options():
            rows = getattr(self.choices, "option_rows", None)
            html_ = self._choices_html(name, value, attrs, rows() if rows is not None else self.choices)
            return mark_safe(html_)  # noqa: S308 - every piece is escaped
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        if self.template_name != _SELECT_TEMPLATE or any(
            option["template_name"] != _OPTION_TEMPLATE
            for _group, options, _index in widget["optgroups"]
            for option in options
        ):
            return self._render(self.template_name, context, renderer)
        return mark_safe(select_html(widget))  # noqa: S308 - every piece below is escaped

    def _stock_options(self) -> bool:
        """Options made and written as Django's select makes them (no subclass changes them)."""
        cls = type(self)
        return (
            self.template_name == _SELECT_TEMPLATE
            and self.option_template_name == _OPTION_TEMPLATE
            and not self.option_inherits_attrs
            and self.checked_attribute == {"selected": True}
            and cls.optgroups is forms.Select.optgroups
            and cls.create_option is forms.Select.create_option
            and cls.get_context is forms.Select.get_context
        )

    def _choices_html(self, name, value, attrs, choices: Iterable[tuple[object, object]]) -> str:
        """What `select_html(self.get_context(name, value, attrs)["widget"])` writes, in one pass
        over the choices and without an option dict per choice."""
        widget_attrs = self.build_attrs(self.attrs, attrs)
        multiple = self.allow_multiple_selected
        if multiple:
            widget_attrs["multiple"] = True
        values = self.format_value(value)
        parts = [f'<select name="{conditional_escape(name)}"{_attrs_html(widget_attrs)}>']
        has_selected = False

        def option(option_value, label):
            nonlocal has_selected
            selected = (not has_selected or multiple) and str(option_value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_value_html(option_value)}"{" selected" if selected else ""}>'
                f"{_label_html(label)}</option>\n"
            )

        for option_value, label in choices:
            if option_value is None:
                option_value = ""
            if not isinstance(label, list | tuple):
                option(option_value, label)
                continue
            if option_value:  # `{% if group_name %}` in Django's template
                parts.append(f'\n  <optgroup label="{_text(option_value)}">')
            for subvalue, sublabel in label:
                option(subvalue, sublabel)
            if option_value:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


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
