"""Table base shared by the apps' django-tables2 lists."""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import Any

import django_tables2 as tables
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import signature

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
        return render_value_in_context(cell, _PLAIN_CONTEXT)
    value = str(formats.localize(cell, use_l10n=bool(column.localize)))  # the localize / unlocalize filters
    return conditional_escape(value)


class _Row(BoundRow):
    def items(self):
        # As `BoundRow.items`, without looking each column up again by name (`get_cell`).
        for column in self.table.columns:
            column.current_value = self._get_and_render_with(column, self._call_render, column.default)
            column.current_record = self.record
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
