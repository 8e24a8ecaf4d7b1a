"""Names the standards' data holds in both languages (dimensions, indicators, score items and their
answers, regions) are shown in the reader's language; Vietnamese is the fallback."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ansinh.core.text import localized
from ansinh.poverty.standard import StandardSpec

from .factories import known_household


def test_localized_picks_the_english_name_only_for_an_english_reader_that_has_one():
    with translation.override("vi"):
        assert localized("Y tế", "Health") == "Y tế"
    with translation.override("en"):
        assert localized("Y tế", "Health") == "Health"
        assert localized("Y tế", "") == "Y tế"  # no English name in the data: the Vietnamese one


def _spec() -> StandardSpec:
    path = settings.BASE_DIR / "ansinh" / "poverty" / "data" / "standards" / "2022-2025.json"
    return StandardSpec.from_dict(json.loads(path.read_text(encoding="utf-8")))


def test_indicator_item_option_and_region_titles():
    spec = _spec()
    indicator = spec.indicators[0]
    tables = spec.proxy_score.tables
    table = next(iter(tables.tables.values()))
    item = next(i for i in table.items if i.options)
    with translation.override("en"):
        assert indicator.title == indicator.name_en != indicator.name
        assert indicator.dimension_title == indicator.dimension_name_en
        assert item.title == item.name_en and item.options[0].title == item.options[0].name_en
        region = tables.region(table.region)
        assert region.title == (region.name_en or region.name)
    with translation.override("vi"):
        assert (indicator.title, indicator.dimension_title) == (indicator.name, indicator.dimension_name)
        assert item.title == item.name and item.options[0].title == item.options[0].name


@pytest.fixture
def home(units, users, standards):
    return known_household(units.tho_xuan, village=units.t1)


@pytest.mark.parametrize("page", ["poverty:household", "poverty:standard_detail"])
def test_pages_show_the_readers_names(client, users, home, page):
    args = [home.pk] if page == "poverty:household" else ["2022-2025"]
    spec = _spec()
    indicator = spec.indicators[0]
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse(page, args=args)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = client.get(reverse(page, args=args)).content.decode()
    assert indicator.name_en in english and indicator.dimension_name_en in english
    assert indicator.name in vietnamese and indicator.dimension_name in vietnamese
