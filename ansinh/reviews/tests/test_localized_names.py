"""Data names in the reader's language on the review pages (Vietnamese is the fallback).

Milestones: the templates file holds each milestone's name in Vietnamese and English, a campaign
copies both, and pages and the API show the reader's one. Form B shows the standard's deprivation
thresholds in the reader's language too."""

import copy
import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ansinh.reviews.kinds import KindDefinitionError, KindSpec
from ansinh.reviews.models import CampaignKind, Milestone
from ansinh.reviews.services import TEMPLATES_FILE, kinds_load
from ansinh.reviews.tests import helpers_results as hr
from ansinh.reviews.tests.factories import classified_household, load_reference_data, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_survey import surveyed_case

API = "/api/v1/reviews"


def _templates() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


def test_every_shipped_milestone_has_an_english_name():
    data = _templates()
    assert data["version"] >= 3  # the release that added the English names
    count = 0
    for item in data["kinds"]:
        spec = KindSpec.from_dict(item)
        for structure, templates in spec.milestones.items():
            for template in templates:
                count += 1
                assert template.name_en.strip(), (item["code"], structure, template.code)
                assert template.name_en != template.name
    assert count == 16
    # The other data files of the app hold no milestone.
    for name in ("reinspection.json", "form_a.json"):
        assert "milestones" not in json.loads((TEMPLATES_FILE.parent / name).read_text(encoding="utf-8"))


def test_a_milestones_english_name_is_optional_text():
    item = copy.deepcopy(_templates()["kinds"][0])
    del item["milestones"]["2025"][0]["name_en"]
    assert KindSpec.from_dict(item).milestones["2025"][0].name_en == ""
    item["milestones"]["2025"][0]["name_en"] = ["not", "text"]
    with pytest.raises(KindDefinitionError) as excinfo:
        KindSpec.from_dict(item)
    assert excinfo.value.problems == ["milestones.2025[0]: name_en must be text"]


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users)


def test_a_campaign_copies_the_english_names_and_titles_follow_the_language(ctx):
    campaign = thanh_hoa_campaign(ctx)
    milestone = campaign.milestones.get(code="commune_recognition")
    assert milestone.name == "Chủ tịch UBND xã quyết định công nhận kết quả rà soát"
    assert milestone.name_en == "Chairperson of the commune People's Committee decides to recognise the review results"
    assert all(m.name_en for m in campaign.milestones.all())
    with translation.override("en"):
        assert milestone.title == milestone.name_en
    with translation.override("vi"):
        assert milestone.title == milestone.name
    milestone.name_en = ""  # a milestone without an English name: the Vietnamese one
    with translation.override("en"):
        assert milestone.title == milestone.name


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("page", ["reviews:campaign_detail", "reviews:milestone_board"])
def test_campaign_pages_show_the_readers_milestone_names(ctx, client, page):
    campaign = thanh_hoa_campaign(ctx)
    milestone = campaign.milestones.get(code="commune_recognition")
    client.force_login(ctx.users.province_officer)
    url = reverse(page, args=[campaign.pk])
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    assert escape(milestone.name_en) in english and milestone.name not in english
    assert milestone.name in vietnamese and escape(milestone.name_en) not in vietnamese


def test_progress_page_shows_the_readers_milestone_names(units, users, client):
    ctx = hr.final_cases(hr.base_ctx(units, users))
    milestone = ctx.campaign.milestones.get(code="commune_recognition")
    client.force_login(users.province_officer)
    url = reverse("reviews:campaign_progress", args=[ctx.campaign.pk])  # 2025 deadlines: overdue by now
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    assert escape(milestone.name_en) in english and milestone.name not in english
    assert milestone.name in vietnamese and escape(milestone.name_en) not in vietnamese


def test_api_gives_both_names(units, users, client):
    ctx = hr.final_cases(hr.base_ctx(units, users))
    client.force_login(users.province_officer)
    detail = client.get(f"{API}/campaigns/{ctx.campaign.pk}").json()
    names = {m["code"]: (m["name"], m["name_en"]) for m in detail["milestones"]}
    assert names["commune_recognition"] == (
        "Chủ tịch UBND xã quyết định công nhận kết quả rà soát",
        "Chairperson of the commune People's Committee decides to recognise the review results",
    )
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/progress", {"today": "2025-12-18"}).json()
    lateness = body["rows"][0]["milestones"][0]
    milestone = Milestone.objects.get(pk=lateness["milestone_id"])
    assert (lateness["name"], lateness["name_en"]) == (milestone.name, milestone.name_en) and milestone.name_en


def test_migration_fills_the_english_names_of_earlier_campaigns(ctx):
    migration = importlib.import_module("ansinh.reviews.migrations.0005_milestone_name_en")
    campaign = thanh_hoa_campaign(ctx)
    campaign.milestones.update(name_en="")
    edited = campaign.milestones.get(code="province_official_ministry")
    edited.name = "Tỉnh gửi báo cáo chính thức lên Bộ (theo văn bản mới)"  # an administrator's wording
    edited.save()
    migration.fill_english_names(apps, None)
    names = dict(campaign.milestones.values_list("code", "name_en"))
    assert names["commune_recognition"] == _english_of("commune_recognition")
    assert names["province_preliminary_ministry"] == "Province sends the preliminary report to the Ministry"
    assert names["province_official_ministry"] == ""  # not the shipped Vietnamese name: left to the fallback
    # Every shipped name has its frozen English in the migration, the same as the data file's.
    shipped = {
        (t["name"], t["name_en"])
        for kind in _templates()["kinds"] for templates in kind["milestones"].values() for t in templates
    }  # fmt: skip
    assert shipped == set(migration.ENGLISH.items())


def _english_of(code: str) -> str:
    periodic = next(k for k in _templates()["kinds"] if k["code"] == "periodic")
    return next(t["name_en"] for t in periodic["milestones"]["2025"] if t["code"] == code)


def test_form_b_shows_the_readers_thresholds(units, users, client):
    ctx = SimpleNamespace(units=units, users=users)
    campaign = thanh_hoa_campaign(ctx, open_=True)
    household = classified_household(units.tho_xuan, village=units.t1, code="H1", klass="poor",
                                     actor=users.commune_officer)  # fmt: skip
    case = surveyed_case(campaign, household, state="surveying", klass="")
    client.force_login(users.commune_officer)
    url = reverse("reviews:form_b", args=[case.pk])
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    for indicator in campaign.standard.spec().indicators:
        assert escape(indicator.threshold_en) in english and escape(indicator.threshold) not in english
        assert escape(indicator.threshold) in vietnamese and escape(indicator.threshold_en) not in vietnamese


def test_the_release_with_english_names_updates_the_kinds_unless_an_admin_edited(db, tmp_path):
    """A database loaded from the previous file (no milestone `name_en`) takes this release's kinds;
    a kind an administrator edited is kept (its milestones stay Vietnamese-only, the fallback)."""
    data = _templates()
    data["version"] -= 1
    for kind in data["kinds"]:
        for templates in kind["milestones"].values():
            for template in templates:
                del template["name_en"]
    previous = tmp_path / "campaign_templates.json"
    previous.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kinds_load(path=previous)
    CampaignKind.objects.filter(code="average_farming").update(edited_by_admin=True)
    report = kinds_load()
    assert (sorted(report["updated"]), report["kept"]) == (["monthly", "periodic"], ["average_farming"])
    periodic = CampaignKind.objects.get(code="periodic").spec()
    assert all(t.name_en for templates in periodic.milestones.values() for t in templates)


def test_the_campaign_list_and_form_name_the_kind_in_the_readers_language(client, units, users):
    campaign = thanh_hoa_campaign(SimpleNamespace(units=units, users=users))
    client.force_login(users.province_officer)
    english = campaign.kind.definition["name_en"]
    assert client.get(reverse("reviews:campaign_list")).content.decode().count(campaign.kind.name) >= 1
    client.cookies["django_language"] = "en"
    listing = client.get(reverse("reviews:campaign_list")).content.decode()
    form = client.get(reverse("reviews:campaign_create")).content.decode()
    assert listing.count(english) == 2  # the filter's option and the table's cell
    assert f">{english}</option>" in form
    assert "New campaign" in form and "Poverty standard:" in form
