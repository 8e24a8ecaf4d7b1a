"""Template helpers for forms: how many fields the page shows in red.

    {% load ansinh_forms %}{% include "core/_form_summary.html" with n=form|refused_fields %}

On a phone the first red field may be several screens below the top of the page, where the browser
lands after a refused submit: the summary line says that something is to correct, and how much.
"""

from django import template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@register.filter
def refused_fields(form_or_formset) -> int:
    """The fields carrying an error in a bound form, or in every form of a formset (non-field errors are
    said at the top of the form already and not counted); 0 for an unbound form."""
    forms = getattr(form_or_formset, "forms", None)
    if forms is None:
        forms = [form_or_formset]
    return sum(
        1 for form in forms if getattr(form, "is_bound", False) for name in form.errors if name != NON_FIELD_ERRORS
    )
