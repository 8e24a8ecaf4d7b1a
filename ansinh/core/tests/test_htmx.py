"""`core.htmx`: how a view tells an htmx swap of one of its blocks from a request for the whole page.

The pages that use it are tested with their views (reviews: the case list, the application form and
the campaign form; registry: the move request)."""

from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View

from ansinh.core.htmx import swapped_block, vary_on_swap

HX = {"HX-Request": "true", "HX-Target": "move-commune"}


def test_an_htmx_get_of_a_named_block_asks_for_that_block():
    request = RequestFactory().get("/households/1/move/", {"to_province": "24"}, headers=HX)
    assert swapped_block(request, "move-commune") == "move-commune"
    assert swapped_block(request, "campaign-unit", "move-commune") == "move-commune"


def test_anything_else_asks_for_the_whole_page():
    factory = RequestFactory()
    assert swapped_block(factory.get("/p/"), "move-commune") is None  # the browser's own request (no script)
    assert swapped_block(factory.get("/p/", headers={"HX-Target": "move-commune"}), "move-commune") is None
    assert swapped_block(factory.get("/p/", headers={**HX, "HX-Request": "false"}), "move-commune") is None
    assert swapped_block(factory.get("/p/", headers={"HX-Request": "true"}), "move-commune") is None  # no target
    assert swapped_block(factory.get("/p/", headers={**HX, "HX-Target": "other"}), "move-commune") is None
    assert swapped_block(factory.post("/p/", headers=HX), "move-commune") is None  # a POST records, never a block
    assert swapped_block(factory.get("/p/", headers=HX)) is None  # a view offering no block


def test_both_answers_vary_on_the_two_headers():
    @vary_on_swap
    class Page(View):
        def get(self, request):
            return HttpResponse("block" if swapped_block(request, "move-commune") else "page")

    factory = RequestFactory()
    for headers, body in (({}, b"page"), (HX, b"block")):
        response = Page.as_view()(factory.get("/p/", headers=headers))
        assert response.content == body
        assert response["Vary"] == "HX-Request, HX-Target"
