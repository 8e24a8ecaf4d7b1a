import copy
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.poverty.events import PovertyEventType
from ansinh.poverty.models import Assessment, Classification, PovertyStandard, StandardVersion
from ansinh.poverty.selectors import standard_in_force
from ansinh.poverty.services import (
    AssessmentData,
    assessment_record,
    household_classify,
    standard_edit,
    standards_load,
)
from ansinh.registry.models import Household
from ansinh.registry.tests.factories import head, make_household, member

ALL_FACTS = {"housing_area_m2": "40", "wall_durability": "durable", "column_durability": "durable",
             "roof_durability": "durable", "water_source": "piped", "latrine_type": "flush",
             "info_devices": ["tv", "internet"]}  # fmt: skip
PEOPLE = [
    head(health_insurance="yes", schooling="none", diploma="upper_secondary", labour_status="unemployed"),
    member(health_insurance="no", schooling="none", diploma="upper_secondary", labour_status="self_employed"),
]


def household(units, users, **facts):
    return make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer, members=PEOPLE,
                          **{**ALL_FACTS, **facts})  # fmt: skip


def test_load_is_idempotent_and_audited(standards):
    assert PovertyStandard.objects.count() == 4
    assert StandardVersion.objects.count() == 4
    assert standards_load() == {"created": [], "updated": [], "unchanged": sorted(
        ["2016-2020", "2022-2025", "2027-2030", "hcm-2021-2025"]), "kept": []}  # fmt: skip
    assert AuditEvent.objects.filter(event_type=PovertyEventType.STANDARD_LOADED).count() == 4


def test_a_newer_file_adds_a_version_unless_an_administrator_edited(standards, users, tmp_path):
    data = copy.deepcopy(standards.s2022_2025.definition)
    data["version"] += 1  # a newer file than the shipped one
    data["notes"] = "updated"
    (tmp_path / "2022-2025.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert standards_load(directory=tmp_path)["updated"] == ["2022-2025"]
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert standard.version == 2 and standard.definition["notes"] == "updated"
    edited = copy.deepcopy(standard.definition)
    edited["notes"] = "by admin"
    standard_edit(actor=users.system_admin, standard=standard, definition=edited, reason="QĐ mới")
    data["version"] += 1
    (tmp_path / "2022-2025.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert standards_load(directory=tmp_path)["kept"] == ["2022-2025"]
    assert PovertyStandard.objects.get(code="2022-2025").definition["notes"] == "by admin"


def test_a_malformed_file_writes_nothing(db, tmp_path):
    (tmp_path / "2022-2025.json").write_text('{"code": "2022-2025"}', encoding="utf-8")
    with pytest.raises(ApplicationError, match="không hợp lệ"):
        standards_load(directory=tmp_path)
    assert not PovertyStandard.objects.exists()


def test_standard_edit_needs_the_permission_a_reason_and_a_valid_definition(standards, users):
    standard = standards.s2022_2025
    changed = copy.deepcopy(standard.definition)
    changed["lines"]["rural"]["poor"] = 1_600_000
    with pytest.raises(PermissionDenied):
        standard_edit(actor=users.commune_officer, standard=standard, definition=changed, reason="x")
    with pytest.raises(ValidationError):
        standard_edit(actor=users.system_admin, standard=standard, definition=changed, reason=" ")
    broken = copy.deepcopy(changed)
    broken["lines"]["rural"]["poor"] = -1
    with pytest.raises(ValidationError) as excinfo:
        standard_edit(actor=users.system_admin, standard=standard, definition=broken, reason="x")
    assert "definition" in excinfo.value.message_dict
    edited = standard_edit(actor=users.system_admin, standard=standard, definition=changed, reason="Sửa thử")
    assert edited.version == 2 and edited.edited_by_admin
    assert StandardVersion.objects.get(standard=standard, version=2).reason == "Sửa thử"
    event = AuditEvent.objects.get(event_type=PovertyEventType.STANDARD_EDITED)
    assert event.changes["new"]["lines"]["rural"]["poor"] == 1_600_000
    assert event.changes["old"]["lines"]["rural"]["poor"] == 1_500_000


def test_standard_in_force_by_date_and_local_standard(standards, units):
    assert standard_in_force(date(2019, 6, 1)).code == "2016-2020"
    assert standard_in_force(date(2021, 6, 1)).code == "2016-2020"  # 2021 kept QĐ 59/2015
    assert standard_in_force(date(2026, 11, 22)).code == "2022-2025"  # extended through 2026
    assert standard_in_force(date(2027, 1, 1)).code == "2027-2030"
    assert standard_in_force(date(2015, 1, 1)) is None
    assert standard_in_force(date(2024, 1, 1), units.tho_xuan).code == "2022-2025"
    hcm_ward = type("Unit", (), {"path": "/legacy/79/760/26734/", "successor_path": ""})()
    assert standard_in_force(date(2024, 1, 1), hcm_ward).code == "hcm-2021-2025"
    assert standard_in_force(date(2026, 1, 1), hcm_ward).code == "2022-2025"  # the local one ended in 2025


def test_assessment_is_validated_scoped_and_audited(standards, units, users):
    home = household(units, users)
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025,
                          data=AssessmentData(income_source="declared", income_per_capita=-1, answers={"bogus": True},
                                              overrides={"water": {"value": True}, "latrine": None}))  # fmt: skip
    assert {"income_per_capita", "answers", "override_water", "override_latrine"} <= set(excinfo.value.message_dict)
    with pytest.raises(PermissionDenied):
        assessment_record(actor=users.commune_officer_dl, household=home, standard=standards.s2022_2025,
                          data=AssessmentData(income_source="declared", income_per_capita=1))  # fmt: skip
    assert not Assessment.objects.exists()
    assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025,
                      data=AssessmentData(income_source="declared", income_per_capita=1_200_000))  # fmt: skip
    assert AuditEvent.objects.filter(event_type=PovertyEventType.ASSESSMENT_RECORDED).count() == 1


def test_classify_derives_answers_overrides_and_keeps_history(standards, units, users):
    home = household(units, users, housing_area_m2="10")  # 5 m² per person: deprived
    standard = standards.s2022_2025
    with pytest.raises(ApplicationError) as excinfo:
        household_classify(actor=users.commune_officer, household=home)
    assert excinfo.value.code == "classification_incomplete"  # no income yet
    assessment_record(actor=users.commune_officer, household=home, standard=standard,
                      data=AssessmentData(income_source="declared", income_per_capita=1_400_000,
                                          answers={"nutrition": False}))  # fmt: skip
    first = household_classify(actor=users.commune_officer, household=home, on_date=date(2026, 11, 1))
    # Derived: employment (unemployed head), health insurance (spouse has none), housing area.
    assert first.deprivations == ["employment", "health_insurance", "housing_area"]
    assert first.klass == "poor"
    rows = {row["code"]: row for row in first.result_indicators()}
    assert rows["housing_area"]["source"] == "derived" and rows["housing_area"]["facts"] == {"m2_per_person": 5.0}
    assert rows["nutrition"]["source"] == "form_b"
    home.refresh_from_db()
    assert (home.poverty_class, home.poverty_standard) == ("poor", "2022-2025")
    # The enumerator corrects a derived answer, with a reason: both are kept.
    assessment_record(actor=users.commune_officer, household=home, standard=standard,
                      data=AssessmentData(income_source="declared", income_per_capita=1_400_000,
                                          answers={"nutrition": False},
                                          overrides={"housing_area": {"value": False,
                                                                      "reason": "Đã xây thêm gian nhà"}}))  # fmt: skip
    second = household_classify(actor=users.commune_officer, household=home, on_date=date(2026, 11, 2))
    assert second.klass == "near_poor"
    row = next(r for r in second.result_indicators() if r["code"] == "housing_area")
    assert (row["derived"], row["override"], row["final"], row["reason"]) == (True, False, False,
                                                                            "Đã xây thêm gian nhà")  # fmt: skip
    assert Classification.objects.filter(household=home).count() == 2  # history, never overwritten
    assert Household.objects.get(pk=home.pk).poverty_class == "near_poor"
    event = AuditEvent.objects.filter(event_type=PovertyEventType.HOUSEHOLD_CLASSIFIED).latest("id")
    assert event.changes == {"old": {"class": "poor"}, "new": {"class": "near_poor", "flags": [], "standard":
                             "2022-2025", "version": 1, "classification": second.pk}}  # fmt: skip


def test_classify_refuses_outside_the_area_and_unanswered_indicators(standards, units, users):
    home = household(units, users, housing_area_m2=None)
    assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025,
                      data=AssessmentData(income_source="declared", income_per_capita=1_000_000))  # fmt: skip
    with pytest.raises(PermissionDenied):
        household_classify(actor=users.commune_officer_dl, household=home)
    with pytest.raises(ApplicationError) as excinfo:
        household_classify(actor=users.commune_officer, household=home)
    assert set(excinfo.value.details["missing"]) == {"nutrition", "housing_area"}
    assert "Dinh dưỡng" in excinfo.value.message
    assert not Classification.objects.exists()


def test_proxy_score_assessment(standards, units, users):
    home = household(units, users, housing_area_m2=Decimal("40"))
    assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025,
                      data=AssessmentData(income_source="proxy_score", income_score=120,
                                          answers={"nutrition": False}))  # fmt: skip
    result = household_classify(actor=users.commune_officer, household=home)
    assert result.income_source == "proxy_score" and result.income_score == 120
    assert result.klass == "near_poor"  # 2 deprivations (employment, health insurance), score ≤ 140


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (date(1990, 1, 1), True),  # decades before the standard
        (date(2020, 12, 31), True),  # before the year of the review that measured 2022–2025
        (date(2021, 1, 1), False),  # the year-end review of 2021 used the 2022–2025 standard
        (date(2022, 6, 1), False),
    ],
)
def test_form_b_is_dated_within_the_standards_collection_period(units, users, standards, day, refused):
    home = make_household(units.tho_xuan, village=units.t1, code=f"D{day.year}", actor=users.commune_officer)
    data = AssessmentData(income_source="declared", income_per_capita=1_000_000, answers={}, assessed_on=day)
    if not refused:
        assert assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025,
                                 data=data).assessed_on == day  # fmt: skip
        return
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(actor=users.commune_officer, household=home, standard=standards.s2022_2025, data=data)
    assert "nằm ngoài thời gian áp dụng chuẩn 2022-2025" in str(excinfo.value.message_dict["assessed_on"])
    assert not Assessment.objects.filter(household=home).exists()
