"""The blocks a page swaps with htmx, answered alone instead of inside the whole page.

Some pages swap one select (or a small block) when the user picks a province or a commune: the select
fetches the page itself with its value (``hx-get`` of the page, ``hx-select`` of the block; the campaign
form, the case list's "list the current poor households" form, the application form, the move request).
Rendering the whole page for it ran the page's list queries, count and table, and sent 10–60 kB over a
slow connection to replace one select. Such a view now answers that fetch with the block alone:

    if swapped_block(request, "move-commune"):
        return render(request, "registry/_move_commune.html", {...})

How a view tells: htmx sends ``HX-Request: true`` and, in ``HX-Target``, the id of the element it swaps
(the block, or the select itself for ``hx-target="this"``). A page loaded by the browser sends neither
(the no-script path: a button reloads the page with the choice) and gets the whole page, as does a
request for any other target. No page markup changes: ``hx-select`` finds the block in the fragment as
it found it in the page, and the fragment keeps every block the page relies on (``hx-select-oob``).
The fragment goes through the same view: the role (403), the area (404; options only within the
reader's area) and the page's other refusals are decided before, exactly as for the page.

One URL then has two answers: `vary_on_swap` names both headers in ``Vary`` on the page and the
fragment, so no cache serves one for the other (signed-in pages are ``no-store`` as well).
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.vary import vary_on_headers

SWAP_HEADERS = ("HX-Request", "HX-Target")

# A class decorator for a view some of whose GETs answer with a block only.
vary_on_swap = method_decorator(vary_on_headers(*SWAP_HEADERS), name="dispatch")


def swapped_block(request, *blocks: str) -> str | None:
    """The id of the block this GET asks for when it is an htmx swap of one of `blocks` (ids, no ``#``);
    None for anything else (the browser's own request, a POST, another target): the whole page."""
    if request.method != "GET" or request.headers.get("HX-Request") != "true":
        return None
    target = request.headers.get("HX-Target", "")
    return target if target in blocks else None
