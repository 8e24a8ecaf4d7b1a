"""Table base shared by the apps' django-tables2 lists."""

from __future__ import annotations

import html as html_module
from functools import partialmethod
from types import FunctionType, MethodType
from typing import Any

import django_tables2 as tables
from django.db import models
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django_tables2.columns import ManyToManyColumn
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import Accessor, signature

# django-tables2 inspects the signature of a column's render function for every cell it renders
# (`call_with_appropriate` → `inspect.signature`): 450 inspections for a page of 50 households,
# a fifth of the table's time. A function's signature does not change, so it is read once here.
_SIGNATURES: dict[tuple[Any, bool], tuple[tuple[str, ...], str | None]] = {}


def _call_with_appropriate(fn, kwargs: dict):
    """`django_tables2.utils.call_with_appropriate` with the signature read once per function."""
    if isinstance(fn, MethodType):
        key = (fn.__func__, True)
    elif isinstance(fn, FunctionType):
        key = (fn, False)
    else:  # a callable object or a partial: not worth a cache entry that could outlive it
        key = None
    found = _SIGNATURES.get(key) if key is not None else None
    if found is None:
        found = signature(fn)
        if key is not None:
            _SIGNATURES[key] = found
    args, catch_all = found
    if not catch_all:
        if any(arg not in kwargs for arg in args):
            return None  # as django-tables2: a render function asking for an unknown argument is skipped
        kwargs = {arg: kwargs[arg] for arg in args}
    return fn(**kwargs)


# `{{ value }}` outside any {% localize %} / {% autoescape %} tag: what `render_value_in_context` reads.
_PLAIN_CONTEXT = Context()


def _has_callable(value) -> bool:
    if callable(value):
        return True
    if isinstance(value, dict):
        return any(_has_callable(v) for v in value.values())
    return False


def _cell_html(column, cell) -> str:
    """``{% if column.localize == None %}{{ cell }}{% else %}…|localize / …|unlocalize{% endif %}``."""
    if column.localize is None:
        # `render_value_in_context` leaves a string as it is (no local time, no number format) and escapes
        # it with `conditional_escape`: a safe string as it is, a plain one by `html.escape` (what Django's
        # `escape` calls), here without its lazy-string wrapper.
        kind = type(cell)
        if kind is SafeString:
            return cell
        if kind is str:
            return html_module.escape(cell)
        return render_value_in_context(cell, _PLAIN_CONTEXT)
    value = str(formats.localize(cell, use_l10n=bool(column.localize)))  # the localize / unlocalize filters
    return conditional_escape(value)


# Model classes a cell's accessor can walk with `getattr` alone: django-tables2's `Accessor.resolve` first
# tries ``obj[bit]``, which a model without ``__getitem__`` refuses with a TypeError (raised and caught on
# every step of every cell).
_PLAIN_MODELS: dict[type, bool] = {}
_SLOW = object()  # "let django-tables2 work this cell out"


def _plain_model(kind: type) -> bool:
    found = _PLAIN_MODELS.get(kind)
    if found is None:
        found = _PLAIN_MODELS[kind] = issubclass(kind, models.Model) and not hasattr(kind, "__getitem__")
    return found


class _CellPlan:
    """What `BoundRow._get_and_render_with` works out for each cell of a column but depends only on the
    column and the record's model: the accessor's parts, the model field at its end (for
    ``get_FOO_display``), whether that display is Django's own.

    `value` gives a cell's value as django-tables2 would, or `_SLOW` when the cell leaves the common
    case (a record or a step that is not a plain model instance, an attribute that is missing or
    callable, a many-to-many column), and the row then asks django-tables2 itself. A choice field's
    label comes from Django's ``get_FOO_display``, called once per value and language in a table:
    it rebuilds the field's choice dict, translating every label, on each call.
    """

    __slots__ = ("bits", "column", "displays", "field", "labels", "model", "remainder")

    def __init__(self, bound_column, model: type):
        self.column = bound_column.column
        self.model = model
        accessor = Accessor(bound_column.accessor)
        bits = tuple(accessor.bits)
        self.bits = bits if bits and not getattr(accessor, "callable_args", None) else ()
        self.remainder = bits[-1] if bits else ""
        self.field = accessor.get_field(model) if self.bits else None
        self.displays: dict[type, Any] = {}  # the penultimate's model → its stock display's field, or None
        self.labels: dict[tuple[str | None, type, Any], Any] = {}  # (language, model, value) → label

    def _stock_display_field(self, kind: type):
        """The field of ``kind.get_<remainder>_display`` when it is Django's (`Model._get_FIELD_display`)
        and its choices a fixed list; None when there is no such method; `_SLOW` for any other."""
        if kind in self.displays:
            return self.displays[kind]
        found = None
        name = f"get_{self.remainder}_display"
        for klass in kind.__mro__:
            if name in klass.__dict__:
                method = klass.__dict__[name]
                found = _SLOW
                if (
                    isinstance(method, partialmethod)
                    and method.func is models.Model._get_FIELD_display
                    and isinstance(getattr(method.keywords.get("field"), "choices", None), list | tuple)
                ):
                    found = method.keywords["field"]
                break
        self.displays[kind] = found
        return found

    def value(self, record, language):
        if not self.bits or isinstance(self.column, ManyToManyColumn):
            return _SLOW
        current, penultimate, last = record, None, len(self.bits) - 1
        for index, bit in enumerate(self.bits):
            if not _plain_model(type(current)):
                return _SLOW
            if index == last:
                penultimate = current
            try:
                current = getattr(current, bit)
            except Exception:  # django-tables2 decides what a failed lookup shows
                return _SLOW
            if callable(current):
                return _SLOW  # django-tables2 calls it (unless it alters data)
            if current is None:
                break
        if penultimate is None or not getattr(self.field, "choices", ()):
            return current
        field = self._stock_display_field(type(penultimate))
        if field is None:
            return current
        if field is _SLOW:
            return _SLOW
        raw = getattr(penultimate, field.attname)
        try:
            key = (language, type(penultimate), raw)
            label = self.labels.get(key, _SLOW)
        except TypeError:  # an unhashable value: no memo
            return getattr(penultimate, f"get_{self.remainder}_display")()
        if label is _SLOW:
            label = self.labels[key] = getattr(penultimate, f"get_{self.remainder}_display")()
        return label


class _Row(BoundRow):
    def items(self):
        # As `BoundRow.items`, without looking each column up again by name (`get_cell`), and each
        # cell's value through its column's `_CellPlan` when the cell allows it.
        record = self.record
        plans = self.table._cell_plans(type(record))
        language = get_language()
        for column in self.table.columns:
            plan = plans.get(column.name) if plans is not None else None
            value = plan.value(record, language) if plan is not None else _SLOW
            if value is _SLOW:
                column.current_value = self._get_and_render_with(column, self._call_render, column.default)
            elif value in column.column.empty_values:
                column.current_value = column.default
            else:
                column.current_value = self._call_render(column, value)
            column.current_record = record
            yield (column, column.current_value)

    def _call_render(self, bound_column, value=None):
        # As `BoundRow._call_render`, with the cached signature.
        kwargs = self._optional_cell_arguments(bound_column, value)
        content = _call_with_appropriate(bound_column.render, kwargs)
        return bound_column.link(content, **kwargs) if bound_column.link else content

    def html(self) -> SafeString:
        """The row as the ``table.tbody.row`` block of ``core/table.html`` writes it, in Python.

        A template that overrides that block with ``{{ row.html }}`` (``core/table_rows.html``) gets
        the same markup without three template lookups per cell (the cell, its column's ``attrs``, its
        ``localize``): 450 cells on a page of 50 households. Cells come from `items` as in the
        template; a column's ``<td>`` attributes are computed once per table unless they depend on
        the cell (a callable in ``attrs``).
        """
        parts = [f"\n        <tr {self.attrs.as_html()}>\n          "]
        static = self.table._static_td_attrs()
        for column, cell in self.items():
            td = static.get(column.name)
            if td is None:
                td = column.attrs["td"].as_html()
            parts.append(f"\n          <td {td}>{_cell_html(column, cell)}</td>\n          ")
        parts.append("\n        </tr>\n        ")
        return mark_safe("".join(parts))  # noqa: S308 - attributes and cells are escaped as the template does


class _Rows(BoundRows):
    # As `BoundRows`, with `_Row` for the records' rows (a row takes its odd/even number when made).
    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield _Row(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _Rows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return _Row(record=self.data[key], table=self.table)


class SignatureCachedTable(tables.Table):
    """A table whose rows render cells like django-tables2's, minus the per-cell signature inspection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = _Rows(data=self.data, table=self, pinned_data=self.pinned_data)

    def _cell_plans(self, model: type) -> dict[str, _CellPlan] | None:
        """Column name → its `_CellPlan` for records of `model` (None when records are not model instances)."""
        if not _plain_model(model):
            return None
        found = self.__dict__.setdefault("_cell_plan_cache", {})
        plans = found.get(model)
        if plans is None:
            plans = found[model] = {column.name: _CellPlan(column, model) for column in self.columns}
        return plans

    def _static_td_attrs(self) -> dict[str, str]:
        """Column name → its ``<td>`` attributes as HTML, for the columns whose attributes do not depend
        on the row (no callable in the table's or the column's ``td``/``cell`` attrs, the stock
        `get_column_class_names`); the others are computed per cell as django-tables2 does."""
        found = getattr(self, "_td_attrs_cache", None)
        if found is None:
            found = {}
            if type(self).get_column_class_names is tables.Table.get_column_class_names:
                for column in self.columns:
                    sources = (self.attrs, column.column.attrs)
                    if not any(_has_callable(attrs.get(key)) for attrs in sources for key in ("td", "cell")):
                        found[column.name] = column.attrs["td"].as_html()
            self._td_attrs_cache = found
        return found
