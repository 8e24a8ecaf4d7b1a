"""Table base shared by the apps' django-tables2 lists."""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import Any

import django_tables2 as tables
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


class _Row(BoundRow):
    def _call_render(self, bound_column, value=None):
        # As `BoundRow._call_render`, with the cached signature.
        kwargs = self._optional_cell_arguments(bound_column, value)
        content = _call_with_appropriate(bound_column.render, kwargs)
        return bound_column.link(content, **kwargs) if bound_column.link else content


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
