"""Helpers for list pages: how many of a list's filters the reader has set (core/_filters.html).

One place for every list with filters, so "Bộ lọc (2)" means the same thing everywhere.
"""

from django import forms, template

register = template.Library()


def _is_set(value, *, checkbox: bool) -> bool:
    if isinstance(value, list | tuple):  # a range (two inputs) or a multiple choice: any part counts
        return any(_is_set(part, checkbox=checkbox) for part in value)
    if isinstance(value, str):
        return value.strip() != ""
    if checkbox:
        return value is True  # an unticked box arrives as False: not a filter
    return value is not None  # a yes/no select answered "no" (False) is a filter


@register.filter
def active_filter_count(form) -> int:
    """How many visible fields of the bound filter `form` carry a value (0 when unbound).

    Counts from what was submitted, not from `cleaned_data`, so a value the form rejects still
    counts (it is on screen with its error); a field left at its default (`initial`) does not.
    Only the form's own fields are looked at: the page number, the sort column and the page size
    live outside the form and never count, and neither do hidden fields (page context such as a
    tab, not a choice the reader made).
    """
    if form is None or not getattr(form, "is_bound", False):
        return 0
    return sum(
        _is_set(field.data, checkbox=isinstance(field.field.widget, forms.CheckboxInput)) and not _is_default(field)
        for field in form.visible_fields()
    )


def _is_default(field) -> bool:
    """The field holds its `initial` value, which the list applies anyway when nothing is chosen
    (the duplicate queue shows pending pairs whether or not "pending" is sent): not a filter."""
    initial = field.field.initial
    return initial not in (None, "") and str(field.data) == str(initial)
