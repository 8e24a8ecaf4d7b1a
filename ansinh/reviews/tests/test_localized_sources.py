"""Data texts of the review pages in the reader's language (Vietnamese is the fallback).

Milestone grounds ("Căn cứ", the legal text behind a deadline): the templates file holds them in
Vietnamese and English (the document numbers stay as written; "Điều" reads "Article", "ngày" "of"), a
campaign copies both, and the campaign page and the API show them. Phiếu A: the checklist's name and
grounds and each criterion's text and source, on the form A page and the case page."""

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

from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.kinds import KindDefinitionError, KindSpec
from ansinh.reviews.models import CampaignKind, FormAChecklist, ReviewCase
from ansinh.reviews.services import TEMPLATES_FILE, kinds_load
from ansinh.reviews.services_cases import FORM_A_FILE, application_record, form_a_load, form_a_record
from ansinh.reviews.tests.factories import (
    application,
    classified_household,
    load_form_a,
    load_reference_data,
    thanh_hoa_campaign,
)

API = "/api/v1/reviews"


def _templates() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


def _shipped() -> set[tuple[str, str]]:
    return {
        (t["source"], t["source_en"])
        for kind in _templates()["kinds"] for templates in kind["milestones"].values() for t in templates
    }  # fmt: skip


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    return SimpleNamespace(units=units, users=users)


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_every_shipped_milestone_has_english_grounds():
    data = _templates()
    assert data["version"] >= 5  # the release that added the English grounds
    count = 0
    for item in data["kinds"]:
        for structure, templates in KindSpec.from_dict(item).milestones.items():
            for template in templates:
                count += 1
                where = (item["code"], structure, template.code)
                assert template.source and template.source_en.strip() and template.source_en != template.source, where
                assert "Điều" not in template.source_en and "ngày" not in template.source_en, where
    assert count == 16


def test_english_grounds_are_optional_text():
    item = copy.deepcopy(_templates()["kinds"][0])
    del item["milestones"]["2025"][0]["source_en"]
    assert KindSpec.from_dict(item).milestones["2025"][0].source_en == ""
    item["milestones"]["2025"][0]["source_en"] = 7
    with pytest.raises(KindDefinitionError) as excinfo:
        KindSpec.from_dict(item)
    assert excinfo.value.problems == ["milestones.2025[0]: source_en must be text"]


def test_a_campaign_copies_the_english_grounds_and_the_title_follows_the_language(ctx):
    campaign = thanh_hoa_campaign(ctx)
    milestone = campaign.milestones.get(code="commune_recognition")
    assert milestone.source == "QĐ 24/2021/QĐ-TTg Điều 3 (kết thúc rà soát định kỳ)"
    assert milestone.source_en == "QĐ 24/2021/QĐ-TTg Article 3 (end of the periodic review)"
    assert all(m.source_en for m in campaign.milestones.all())
    with translation.override("en"):
        assert milestone.source_title == milestone.source_en
    with translation.override("vi"):
        assert milestone.source_title == milestone.source
    milestone.source_en = ""  # grounds without English: the Vietnamese ones
    with translation.override("en"):
        assert milestone.source_title == milestone.source


def test_campaign_page_shows_the_readers_grounds(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.province_officer)
    url = reverse("reviews:campaign_detail", args=[campaign.pk])
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    milestones = list(campaign.milestones.all())
    assert milestones
    for milestone in milestones:
        assert escape(milestone.source_en) in english and escape(milestone.source) not in english
        assert escape(milestone.source) in vietnamese and escape(milestone.source_en) not in vietnamese
    assert "Điều" not in english


def test_api_gives_both_grounds(ctx, client):
    campaign = thanh_hoa_campaign(ctx)
    client.force_login(ctx.users.province_officer)
    detail = client.get(f"{API}/campaigns/{campaign.pk}").json()
    sources = {m["code"]: (m["source"], m["source_en"]) for m in detail["milestones"]}
    assert sources["province_official_ministry"] == ("QĐ 24/2021/QĐ-TTg Điều 7", "QĐ 24/2021/QĐ-TTg Article 7")


def test_the_release_with_english_grounds_updates_the_kinds_unless_an_admin_edited(db, tmp_path):
    """A database loaded from the previous file (no `source_en`) takes this release's kinds; a kind an
    administrator edited is kept (its grounds stay Vietnamese-only, the fallback)."""
    data = _templates()
    data["version"] -= 1
    for kind in data["kinds"]:
        for templates in kind["milestones"].values():
            for template in templates:
                del template["source_en"]
    previous = tmp_path / "campaign_templates.json"
    previous.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kinds_load(path=previous)
    assert not any(
        t.source_en for templates in CampaignKind.objects.get(code="periodic").spec().milestones.values()
        for t in templates
    )  # fmt: skip
    CampaignKind.objects.filter(code="average_farming").update(edited_by_admin=True)
    report = kinds_load()
    assert (sorted(report["updated"]), report["kept"]) == (["monthly", "periodic"], ["average_farming"])
    periodic = CampaignKind.objects.get(code="periodic").spec()
    assert all(t.source_en for templates in periodic.milestones.values() for t in templates)
    farming = CampaignKind.objects.get(code="average_farming").spec()
    assert not any(t.source_en for templates in farming.milestones.values() for t in templates)
    again = kinds_load()
    assert (again["created"], again["updated"], again["kept"]) == ([], [], ["average_farming"])


def test_migration_fills_the_english_grounds_of_earlier_campaigns(ctx):
    migration = importlib.import_module("ansinh.reviews.migrations.0007_english_data_texts")
    campaign = thanh_hoa_campaign(ctx)
    campaign.milestones.update(source_en="")
    edited = campaign.milestones.get(code="province_official_ministry")
    edited.source = "QĐ 24/2021/QĐ-TTg Điều 7 (theo văn bản mới)"  # an administrator's wording
    edited.save()
    migration.fill_english_sources(apps, None)
    sources = dict(campaign.milestones.values_list("code", "source_en"))
    assert sources["commune_recognition"] == "QĐ 24/2021/QĐ-TTg Article 3 (end of the periodic review)"
    assert sources["province_preliminary_ministry"] == "QĐ 24/2021/QĐ-TTg Article 7"
    assert sources["province_official_ministry"] == ""  # not the shipped Vietnamese text: left to the fallback
    # Every shipped text has its frozen English in the migration, the same as the data file's.
    assert _shipped() == set(migration.ENGLISH.items())


# -- phiếu A ------------------------------------------------------------------------------------------


def _form_a() -> dict:
    return json.loads(FORM_A_FILE.read_text(encoding="utf-8"))


def test_the_shipped_form_a_has_english_texts():
    for checklist in _form_a()["checklists"]:
        assert checklist["name_en"].strip() and checklist["name_en"] != checklist["name"]
        assert checklist["source_en"].strip() and "Điều" not in checklist["source_en"]
        for criterion in checklist["criteria"]:
            assert criterion["text_en"].strip() and criterion["text_en"] != criterion["text"], criterion["code"]
            assert criterion["source_en"].strip() and "Phụ lục" not in criterion["source_en"], criterion["code"]


def test_form_a_english_texts_must_be_text(db, tmp_path):
    data = _form_a()
    data["checklists"][0]["criteria"][0]["text_en"] = ["not", "text"]
    data["checklists"][0]["name_en"] = 3
    bad = tmp_path / "form_a.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ApplicationError) as excinfo:
        form_a_load(path=bad)
    assert "criteria[0]: text_en must be text" in excinfo.value.message
    assert "name_en must be text" in excinfo.value.message
    assert not FormAChecklist.objects.exists()


def test_the_release_with_english_form_a_updates_the_checklist_unless_an_admin_edited(db, tmp_path):
    data = _form_a()
    for checklist in data["checklists"]:
        checklist.pop("name_en"), checklist.pop("source_en")
        for criterion in checklist["criteria"]:
            criterion.pop("text_en"), criterion.pop("source_en")
    previous = tmp_path / "form_a.json"
    previous.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    form_a_load(path=previous)
    before = FormAChecklist.objects.get(version="2021.1")
    assert before.name_en == "" and not any(c["text_en"] for c in before.criteria)
    assert form_a_load() == {"created": [], "updated": ["2021.1"], "unchanged": [], "kept": []}
    after = FormAChecklist.objects.get(version="2021.1")
    assert after.name_en == "Form A — quick identification of household characteristics (2022–2025)"
    assert after.source_en.startswith("TT 07/2021/TT-BLĐTBXH, Appendix II")
    car = next(c for c in after.criteria if c["code"] == "car")
    assert (car["text"], car["text_en"]) == ("Có ô tô", "Owns a car") and car["source_en"]
    assert form_a_load()["unchanged"] == ["2021.1"]  # running it again changes nothing
    form_a_load(path=previous)  # an administrator's edit is kept by a later release
    FormAChecklist.objects.filter(version="2021.1").update(edited_by_admin=True)
    assert form_a_load()["kept"] == ["2021.1"]
    assert FormAChecklist.objects.get(version="2021.1").name_en == ""


@pytest.fixture
def applied(units, users):
    """An applicant household's case in Thanh Hóa's open campaign, phiếu A not yet done."""
    load_reference_data()
    load_form_a()
    ctx = SimpleNamespace(units=units, users=users)
    campaign = thanh_hoa_campaign(ctx, open_=True)
    household = classified_household(units.tho_xuan, village=units.t1, code="H3", klass="not_poor",
                                     actor=users.commune_officer)  # fmt: skip
    return application_record(actor=users.commune_officer, campaign=campaign, household=household,
                              application=application())  # fmt: skip


def test_form_a_page_shows_the_readers_texts(applied, users, client):
    checklist = FormAChecklist.objects.get(version="2021.1")
    client.force_login(users.commune_officer)
    url = reverse("reviews:form_a", args=[applied.pk])
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    assert escape(checklist.name_en) in english and escape(checklist.name) not in english
    assert escape(checklist.source_en) in english and escape(checklist.source) not in english
    for criterion in checklist.criteria:
        assert escape(criterion["text_en"]) in english and escape(criterion["text"]) not in english
        assert escape(criterion["source_en"]) in english and escape(criterion["source"]) not in english
        assert escape(criterion["text"]) in vietnamese and escape(criterion["text_en"]) not in vietnamese
    assert escape(checklist.name) in vietnamese and escape(checklist.source) in vietnamese


def test_case_page_names_the_matched_criteria_in_the_readers_language(applied, users, client):
    case = form_a_record(actor=users.commune_officer, case=applied,
                         answers={"salary": False, "pension": False, "car": True, "solid_house": False,
                                  "machinery": False})  # fmt: skip
    assert case.screened_out_reason == [{"code": "car", "text": "Có ô tô", "text_en": "Owns a car"}]
    client.force_login(users.commune_officer)
    url = reverse("reviews:case_detail", args=[case.pk])
    english, vietnamese = _get(client, url, "en"), _get(client, url, "vi")
    assert "<li>Owns a car</li>" in english and "<li>Có ô tô</li>" not in english
    assert "<li>Có ô tô</li>" in vietnamese and "Owns a car" not in vietnamese
    # Answers recorded before the English texts: the checklist's English for the same Vietnamese text.
    ReviewCase.objects.filter(pk=case.pk).update(screened_out_reason=[{"code": "car", "text": "Có ô tô"}])
    assert "<li>Owns a car</li>" in _get(client, url, "en")
    # A text the checklist no longer has (an administrator's rewording since): the stored Vietnamese.
    ReviewCase.objects.filter(pk=case.pk).update(screened_out_reason=[{"code": "car", "text": "Có xe ô tô con"}])
    assert "<li>Có xe ô tô con</li>" in _get(client, url, "en")


def test_form_a_success_message_is_in_the_readers_language(applied, users, client):
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("reviews:form_a", args=[applied.pk]), {"c_car": "on"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Owns a car" in m for m in messages) and not any("Có ô tô" in m for m in messages)
