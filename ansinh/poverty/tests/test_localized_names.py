"""Names the standards' data holds in both languages (dimensions, indicators and their deprivation
thresholds, score items and their answers, regions) are shown in the reader's language; Vietnamese is
the fallback."""

import copy
import dataclasses
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ansinh.core.text import localized
from ansinh.poverty.models import PovertyStandard, StandardVersion
from ansinh.poverty.services import standard_edit, standards_load
from ansinh.poverty.standard import StandardDefinitionError, StandardSpec


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


# -- indicator thresholds ---------------------------------------------------------------------------

STANDARDS_DIR = settings.BASE_DIR / "ansinh" / "poverty" / "data" / "standards"


@pytest.mark.parametrize("code", ["2016-2020", "2022-2025", "2027-2030", "hcm-2021-2025"])
def test_every_indicator_of_every_standard_has_an_english_threshold(code):
    spec = StandardSpec.from_dict(json.loads((STANDARDS_DIR / f"{code}.json").read_text(encoding="utf-8")))
    assert spec.indicators
    for indicator in spec.indicators:
        assert indicator.threshold and indicator.threshold_en.strip(), indicator.code
        assert indicator.threshold_en != indicator.threshold
        # The legal figures (ages, percentages, m², number of parts) are the same in both languages.
        assert re.findall(r"\d+", indicator.threshold_en) == re.findall(r"\d+", indicator.threshold), indicator.code
        assert ("%" in indicator.threshold_en) == ("%" in indicator.threshold)
        assert ("m²" in indicator.threshold_en) == ("m²" in indicator.threshold)


def test_threshold_title_follows_the_language_and_falls_back_to_vietnamese():
    indicator = next(i for i in _spec().indicators if i.code == "housing_area")
    with translation.override("en"):
        assert indicator.threshold_title == indicator.threshold_en == "Average housing area below 8 m² per person"
    with translation.override("vi"):
        assert indicator.threshold_title == indicator.threshold == "Diện tích nhà ở bình quân dưới 8 m²/người"
    without = dataclasses.replace(indicator, threshold_en="")
    with translation.override("en"):
        assert without.threshold_title == indicator.threshold


def test_threshold_en_is_optional_text():
    path = STANDARDS_DIR / "2022-2025.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["dimensions"][0]["indicators"][0]["threshold_en"]
    assert StandardSpec.from_dict(data).indicators[0].threshold_en == ""
    data["dimensions"][0]["indicators"][0]["threshold_en"] = 8
    with pytest.raises(StandardDefinitionError) as excinfo:
        StandardSpec.from_dict(data)
    assert excinfo.value.problems == ["dimensions[0].indicators[0].threshold_en must be text"]


@pytest.mark.parametrize("page", ["poverty:household", "poverty:standard_detail"])
def test_pages_show_the_readers_thresholds(client, users, home, page):
    args = [home.pk] if page == "poverty:household" else ["2022-2025"]
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse(page, args=args)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = client.get(reverse(page, args=args)).content.decode()
    for indicator in _spec().indicators:
        assert escape(indicator.threshold_en) in english and escape(indicator.threshold) not in english
        assert escape(indicator.threshold) in vietnamese and escape(indicator.threshold_en) not in vietnamese


def test_an_admin_edit_keeps_the_english_thresholds(users, standards):
    standard = PovertyStandard.objects.get(code="2022-2025")
    definition = copy.deepcopy(standard.definition)
    definition["dimensions"][0]["indicators"][0]["threshold_en"] = "Edited English threshold"
    edited = standard_edit(actor=users.system_admin, standard=standard, definition=definition, reason="Bản tiếng Anh")
    indicator = edited.spec().indicators[0]
    with translation.override("en"):
        assert indicator.threshold_title == "Edited English threshold"


def test_the_release_with_english_thresholds_adds_a_version_unless_an_admin_edited(db, tmp_path):
    """A database loaded from the previous files (without `threshold_en`) gets a new version of each
    standard from this release; an administrator's edited standard is kept."""
    for path in STANDARDS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"] -= 1
        for dim in data["dimensions"]:
            for item in dim["indicators"]:
                item.pop("threshold_en")
        (tmp_path / path.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    standards_load(directory=tmp_path)
    PovertyStandard.objects.filter(code="hcm-2021-2025").update(edited_by_admin=True)
    report = standards_load()
    assert sorted(report["updated"]) == ["2016-2020", "2022-2025", "2027-2030"]
    assert report["kept"] == ["hcm-2021-2025"]
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert standard.version == 2 and StandardVersion.objects.filter(standard=standard).count() == 2
    assert all(i.threshold_en for i in standard.spec().indicators)
    again = standards_load()  # running it again adds nothing
    assert (again["created"], again["updated"], again["kept"]) == ([], [], ["hcm-2021-2025"])


# -- the standard's own name ------------------------------------------------------------------------


def test_the_standards_title_follows_the_language(standards):
    spec = _spec()
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert spec.name_en and standard.name_en
    with translation.override("en"):
        assert (spec.title, standard.title) == (spec.name_en, standard.name_en)
    with translation.override("vi"):
        assert (spec.title, standard.title) == (spec.name, standard.name)
    blank = dataclasses.replace(spec, name_en="")
    with translation.override("en"):
        assert blank.title == spec.name  # no English name in the data: the Vietnamese one


def test_the_standard_reason_names_the_standard_in_the_readers_language():
    from ansinh.poverty.classify import Facts, classify
    from ansinh.poverty.explain import reason_text

    spec = _spec()
    reason = classify(Facts(area="rural", deprivations=frozenset(), income_per_capita=1_000_000), spec).reasons[0]
    assert reason["code"] == "standard"
    with translation.override("en"):
        assert spec.name_en in reason_text(reason, spec)
        # Read without its standard (or with another one), the reason quotes the name it carries.
        assert reason["name"] in reason_text(reason, None)
    with translation.override("vi"):
        assert spec.name in reason_text(reason, spec)


@pytest.mark.parametrize("page", ["poverty:household", "poverty:standard_detail", "poverty:standard_list"])
def test_pages_name_the_standard_in_the_readers_language(client, users, home, page):
    args = {"poverty:household": [home.pk], "poverty:standard_detail": ["2022-2025"]}.get(page, [])
    spec = _spec()
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse(page, args=args)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = client.get(reverse(page, args=args)).content.decode()
    if page == "poverty:standard_detail":  # the heading; the other name is shown beside it as a field
        assert f"<h1>{escape(spec.name_en)}" in english and f"<h1>{escape(spec.name)}" in vietnamese
        assert f'<dd lang="vi">{escape(spec.name)}</dd>' in english
        assert f'<dd lang="en">{escape(spec.name_en)}</dd>' in vietnamese
    else:
        assert escape(spec.name_en) in english and escape(spec.name) not in english
        assert escape(spec.name) in vietnamese and escape(spec.name_en) not in vietnamese
