"""The other texts of the standards' data in the reader's language: the standard's notes, the titles of
its legal texts, the indicators' sources, form B's score-table note, source, item units and region
(Vietnamese is the fallback), and the legal basis's connecting word ("ngày") through gettext."""

import copy
import dataclasses
import json
import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real

from ansinh.poverty.explain import reason_text
from ansinh.poverty.models import PovertyStandard, StandardVersion
from ansinh.poverty.services import AssessmentData, assessment_record, household_classify, standards_load
from ansinh.poverty.standard import StandardSpec

from .test_scoring_flow import ITEMS

STANDARDS_DIR = settings.BASE_DIR / "ansinh" / "poverty" / "data" / "standards"
CODES = ["2016-2020", "2022-2025", "2027-2030", "hcm-2021-2025"]
CITATION = "%(number)s ngày %(date)s"  # the msgid (decision 0003)


def _data(code: str) -> dict:
    return json.loads((STANDARDS_DIR / f"{code}.json").read_text(encoding="utf-8"))


def _spec(code: str = "2022-2025") -> StandardSpec:
    return StandardSpec.from_dict(_data(code))


@contextmanager
def english_citation(text: str = "%(number)s of %(date)s"):
    """The English catalogue with the citation's translation, as `makemessages` will give it."""
    catalog = trans_real.translation("en")._catalog
    catalog[CITATION] = text
    try:
        yield
    finally:
        for part in catalog._catalogs:
            part.pop(CITATION, None)


def _page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# -- the data files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_every_visible_text_of_every_standard_has_an_english_form(code):
    spec = _spec(code)
    assert spec.notes and spec.notes_en.strip() and spec.notes_en != spec.notes
    # The bracketed confidence tags ([V], [V-2], [M]) and the figures are the same in both languages.
    assert re.findall(r"\[[VM2-]+\]", spec.notes_en) == re.findall(r"\[[VM2-]+\]", spec.notes)
    for basis in spec.legal_basis:
        assert basis.title_en.strip() and basis.title_en != basis.title, basis.number
    for indicator in spec.indicators:
        # A source that is not a bare citation ("Phụ lục", "theo dự thảo") has its English form.
        if re.search(r"Phụ lục|theo", indicator.source):
            assert indicator.source_en and "Phụ lục" not in indicator.source_en, indicator.code
    tables = spec.proxy_score.tables if spec.proxy_score else None
    if tables is not None:
        assert tables.note_en.strip() and tables.note_en != tables.note
        assert tables.source_en.strip() and "Phụ lục" not in tables.source_en
        for table in tables.tables.values():
            for item in table.items:
                if item.unit and item.unit != "m²":
                    assert item.unit_en and item.unit_en != item.unit, item.code


def test_this_release_bumped_every_standards_file_version():
    """The loader only takes a file whose version is newer than the one loaded: the English texts came
    with a new version of each file (a file without `notes_en` must be older)."""
    for code in CODES:
        data = _data(code)
        assert data["version"] >= 3 if code != "2022-2025" else data["version"] >= 4
        assert "notes_en" in data


def test_the_english_texts_are_optional():
    data = _data("2022-2025")
    data.pop("notes_en")
    data["legal_basis"][0].pop("title_en")
    data["dimensions"][0]["indicators"][0].pop("source_en")
    tables = data["proxy_score"]["tables"]
    tables.pop("note_en"), tables.pop("source_en")
    for items in tables["item_sets"].values():
        for item in items:
            item.pop("unit_en", None)
    spec = StandardSpec.from_dict(data)
    with translation.override("en"):
        assert spec.notes_title == spec.notes and spec.legal_basis[0].heading == spec.legal_basis[0].title
        assert spec.indicators[0].source_title == spec.indicators[0].source
        assert spec.proxy_score.tables.note_title == spec.proxy_score.tables.note
        assert spec.proxy_score.tables.source_title == spec.proxy_score.tables.source
        members = spec.proxy_score.tables.tables[("red_river_delta", "rural")].item("members")
        assert members.unit_title == "người" and members.answer_text(3) == "3 người"


# -- titles follow the language ----------------------------------------------------------------------


def test_titles_follow_the_language_with_vietnamese_as_fallback():
    spec = _spec()
    basis = spec.legal_basis[0]
    indicator = spec.indicators[0]
    tables = spec.proxy_score.tables
    members = tables.tables[("red_river_delta", "rural")].item("members")
    with translation.override("en"):
        assert spec.notes_title == spec.notes_en and basis.heading == basis.title_en
        assert indicator.source_title == indicator.source_en == "NĐ 07/2021/NĐ-CP, Appendix"
        assert tables.note_title == tables.note_en and tables.note_title.startswith("PROVISIONAL scoring table")
        assert tables.source_title == tables.source_en
        assert members.unit_title == "persons" and members.answer_text(3) == "3 persons"
        assert tables.region_title("red_river_delta") == "Red River Delta"
    with translation.override("vi"):
        assert spec.notes_title == spec.notes and basis.heading == basis.title
        assert indicator.source_title == indicator.source == "NĐ 07/2021/NĐ-CP, Phụ lục"
        assert (tables.note_title, tables.source_title) == (tables.note, tables.source)
        assert members.answer_text(3) == "3 người"
        assert tables.region_title("red_river_delta") == "Đồng bằng sông Hồng"
    blank = dataclasses.replace(spec, notes_en="")
    with translation.override("en"):
        assert blank.notes_title == spec.notes
        assert tables.region_title("gone", "Vùng cũ") == "Vùng cũ"  # a region no longer in the tables


def test_the_legal_basis_connecting_word_goes_through_gettext():
    spec = _spec()
    with translation.override("vi"):
        assert spec.legal_basis_text().startswith("07/2021/NĐ-CP ngày 27/01/2021; 30/2025/NĐ-CP ngày 24/02/2025")
    with translation.override("en"), english_citation():
        assert spec.legal_basis_text().startswith("07/2021/NĐ-CP of 27/01/2021; 30/2025/NĐ-CP of 24/02/2025")
        assert "ngày" not in spec.legal_basis_text()
    with translation.override("vi"), english_citation():  # the English catalogue is not the Vietnamese reader's
        assert "ngày" in spec.legal_basis_text()


def test_the_standard_reason_quotes_the_legal_basis_in_the_readers_language():
    from ansinh.poverty.classify import Facts, classify

    spec = _spec()
    with translation.override("vi"):  # a result classified by a Vietnamese writer
        reason = classify(Facts(area="rural", deprivations=frozenset(), income_per_capita=1_000_000), spec).reasons[0]
    assert "ngày 27/01/2021" in reason["legal_basis"]
    with translation.override("en"), english_citation():
        assert "07/2021/NĐ-CP of 27/01/2021" in reason_text(reason, spec) and "ngày" not in reason_text(reason, spec)
        assert "ngày 27/01/2021" in reason_text(reason, None)  # read without its standard: the stored text
    with translation.override("vi"):
        assert "07/2021/NĐ-CP ngày 27/01/2021" in reason_text(reason, spec)


# -- pages ------------------------------------------------------------------------------------------


def test_standard_page_shows_the_readers_notes_titles_sources_and_units(client, users, standards):
    spec = _spec()
    tables = spec.proxy_score.tables
    client.force_login(users.commune_officer)
    url = reverse("poverty:standard_detail", args=["2022-2025"])
    with english_citation():
        english = _page(client, url, "en")
        vietnamese = _page(client, url, "vi")
    assert escape(spec.notes_en) in english and escape(spec.notes) not in english
    assert escape(tables.note_en) in english and escape(tables.note) not in english
    assert escape(tables.source_en) in english and escape(tables.source) not in english
    for basis in spec.legal_basis:
        assert escape(basis.title_en) in english and escape(basis.title) not in english
        assert f"{basis.number} of {basis.date:%d/%m/%Y}" in english
    assert "NĐ 07/2021/NĐ-CP, Appendix" in english and "Phụ lục</td>" not in english
    assert "≥ 6 persons" in english and "≥ 6 người" not in english
    assert escape(spec.notes) in vietnamese and escape(spec.notes_en) not in vietnamese
    assert escape(tables.note) in vietnamese and escape(tables.note_en) not in vietnamese
    for basis in spec.legal_basis:
        assert escape(basis.title) in vietnamese and f"{basis.number} ngày {basis.date:%d/%m/%Y}" in vietnamese
    assert "NĐ 07/2021/NĐ-CP, Phụ lục" in vietnamese and "≥ 6 người" in vietnamese


def test_standard_list_and_printout_cite_the_legal_basis_in_the_readers_language(client, home, users):
    standard = PovertyStandard.objects.get(code="2022-2025")
    assessment_record(actor=users.commune_officer, household=home, standard=standard,
                      data=AssessmentData(income_source="proxy_score", answers={"nutrition": False},
                                          score_answers=ITEMS))  # fmt: skip
    with translation.override("vi"):
        row = household_classify(actor=users.commune_officer, household=home)
    client.force_login(users.commune_officer)
    for url in (reverse("poverty:standard_list"), reverse("poverty:classification_print", args=[row.pk])):
        with english_citation():
            english = _page(client, url, "en")
        vietnamese = _page(client, url, "vi")
        assert "07/2021/NĐ-CP of 27/01/2021" in english and "07/2021/NĐ-CP ngày" not in english, url
        assert "07/2021/NĐ-CP ngày 27/01/2021" in vietnamese, url


def test_score_breakdown_names_region_and_units_in_the_readers_language(client, home, users):
    standard = PovertyStandard.objects.get(code="2022-2025")
    assessment_record(actor=users.commune_officer, household=home, standard=standard,
                      data=AssessmentData(income_source="proxy_score", answers={"nutrition": False},
                                          score_answers=ITEMS))  # fmt: skip
    row = household_classify(actor=users.commune_officer, household=home)
    client.force_login(users.commune_officer)
    for url in (reverse("poverty:household", args=[home.pk]) + "?standard=2022-2025",
                reverse("poverty:classification_print", args=[row.pk])):  # fmt: skip
        english = _page(client, url, "en")
        vietnamese = _page(client, url, "vi")
        # The stored score detail keeps the Vietnamese region name; the page names it in the reader's language.
        assert "North Central and Central Coast" in english and "Bắc Trung Bộ và duyên hải miền Trung" not in english
        assert "5 persons" in english and "5 người" not in english
        assert "Bắc Trung Bộ và duyên hải miền Trung" in vietnamese and "5 người" in vietnamese


# -- the loader --------------------------------------------------------------------------------------


def test_the_release_with_english_texts_adds_a_version_unless_an_admin_edited(db, tmp_path):
    """A database loaded from the previous files (without the English notes, titles, sources and units)
    gets a new version of each standard from this release; an administrator's edited standard is kept."""
    for path in STANDARDS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"] -= 1
        data.pop("notes_en")
        for basis in data["legal_basis"]:
            basis.pop("title_en")
        for dim in data["dimensions"]:
            for item in dim["indicators"]:
                item.pop("source_en", None)
        tables = (data.get("proxy_score") or {}).get("tables")
        if tables:
            tables.pop("note_en"), tables.pop("source_en")
            for items in tables["item_sets"].values():
                for item in items:
                    item.pop("unit_en", None)
        (tmp_path / path.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    standards_load(directory=tmp_path)
    before = PovertyStandard.objects.get(code="2022-2025").spec()
    assert before.notes_en == "" and before.proxy_score.tables.note_en == ""
    PovertyStandard.objects.filter(code="hcm-2021-2025").update(edited_by_admin=True)
    report = standards_load()
    assert sorted(report["updated"]) == ["2016-2020", "2022-2025", "2027-2030"]
    assert report["kept"] == ["hcm-2021-2025"]
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert standard.version == 2 and StandardVersion.objects.filter(standard=standard).count() == 2
    spec = standard.spec()
    assert spec.notes_en and spec.proxy_score.tables.note_en and spec.proxy_score.tables.source_en
    assert all(b.title_en for b in spec.legal_basis) and spec.indicators[0].source_en
    members = spec.proxy_score.tables.tables[("red_river_delta", "urban")].item("members")
    assert members.unit_en == "persons"
    assert PovertyStandard.objects.get(code="hcm-2021-2025").spec().notes_en == ""  # kept as edited
    again = standards_load()  # running it again adds nothing
    assert (again["created"], again["updated"], again["kept"]) == ([], [], ["hcm-2021-2025"])


def test_an_admin_edit_keeps_the_english_notes(users, standards):
    from ansinh.poverty.services import standard_edit

    standard = PovertyStandard.objects.get(code="2022-2025")
    definition = copy.deepcopy(standard.definition)
    definition["notes_en"] = "Edited English notes"
    edited = standard_edit(actor=users.system_admin, standard=standard, definition=definition, reason="Bản tiếng Anh")
    with translation.override("en"):
        assert edited.spec().notes_title == "Edited English notes"
    with translation.override("vi"):
        assert edited.spec().notes_title == standard.spec().notes
