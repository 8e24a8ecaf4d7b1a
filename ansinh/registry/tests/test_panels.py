"""Sections higher apps add to the household page through `registry.panels` (no upward import)."""

import pytest
from django.urls import reverse

from ansinh.registry import panels

from .factories import make_household


@pytest.fixture
def isolated_panels(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    return panels


def test_registered_panel_is_rendered_with_its_context(isolated_panels, client, users, units, tmp_path, settings):
    (tmp_path / "test_panel.html").write_text("<section>PANEL {{ panel.word }} {{ household.code }}</section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    seen = []

    def context(*, request, household):
        seen.append(household.pk)
        return {"word": "xin-chào"}

    isolated_panels.register_household_panel("test_panel.html", context)
    household = make_household(units.tho_xuan, code="P1")
    client.force_login(users.commune_officer)
    html = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "PANEL xin-chào P1" in html
    assert seen == [household.pk]


def test_panel_returning_none_is_hidden_and_order_is_kept(isolated_panels, rf, users):
    isolated_panels.register_household_panel("b.html", lambda **kw: {"n": 2}, order=20)
    isolated_panels.register_household_panel("a.html", lambda **kw: {"n": 1}, order=10)
    isolated_panels.register_household_panel("hidden.html", lambda **kw: None)
    request = rf.get("/")
    request.user = users.commune_officer
    shown = isolated_panels.household_panels(request=request, household=None)
    assert [p["template"] for p in shown] == ["a.html", "b.html"]
