"""What the unit-select tests share (`test_views_cases_units.py`, `test_views_application_units.py`,
`test_views_campaign_province.py`): a third village so that a province officer's campaign area holds
more villages than the lowered limit, readers of a page's `<select>`s, and the headers of an htmx swap."""

import re

from ansinh.geo.choices import REFORM_DATE, Level, Structure, UnitType
from ansinh.geo.models import AdminUnit


def hold_villages_back(units, monkeypatch) -> AdminUnit:
    """Hạc Thành's "Tổ dân phố 1" (H1) beside Thọ Xuân's T1 and T2, and the limit lowered to 2: the
    province officer's area then holds too many villages to offer at once, a commune officer's does not."""
    from ansinh.geo import selectors as geo_selectors

    monkeypatch.setattr(geo_selectors, "VILLAGES_AT_ONCE_MAX", 2)
    return AdminUnit.objects.create(
        structure=Structure.Y2025, level=Level.VILLAGE, unit_type=UnitType.TO_DAN_PHO, code="H1",
        name="Tổ dân phố 1", short_name="Tổ 1", parent=units.hac_thanh, valid_from=REFORM_DATE,
    )  # fmt: skip


def select_html(body: str, name: str, id_: str | None = None) -> str:
    """The `<select>` named `name` (and with id `id_`, when two share a name) in `body`."""
    pattern = (
        rf'<select name="{name}"[^>]* id="{id_}"[^>]*>.*?</select>'
        if id_
        else rf'<select name="{name}"[^>]*>.*?</select>'
    )
    found = re.search(pattern, body, re.S)
    assert found, f"no select {name} {id_ or ''}"
    return found.group(0)


def option_values(select: str) -> list[str]:
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def selected_values(select: str) -> list[str]:
    return [v for v in re.findall(r'<option value="([^"]*)" selected>', select) if v]


def ids(*units) -> list[str]:
    return [str(u.pk) for u in units]


def swap(target: str) -> dict[str, str]:
    """The headers htmx sends when a select fetches its page to swap in the block with id `target`."""
    return {"HX-Request": "true", "HX-Target": target}


def without_tokens(body: str) -> str:
    """A page without its CSRF tokens (masked anew on every response), to compare two answers."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', body)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)
