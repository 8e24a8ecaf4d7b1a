"""How far a local standard reaches (decision 0039): Hồ Chí Minh City's 2021–2025 standard (QĐ 995/QĐ-UBND)
covers the former city's land, not the communes of today's city formed from former Bình Dương."""

from datetime import date
from types import SimpleNamespace

import pytest

from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level, Structure, UnitType
from ansinh.geo.models import UnitSuccession
from ansinh.geo.selectors import unit_within
from ansinh.poverty.models import Assessment, Classification, ClassificationRun
from ansinh.poverty.selectors import (
    EDIT_STANDARD_PERM,
    _lands_meet,
    standard_in_force,
    standard_reaches,
    standards_offered,
)
from ansinh.poverty.services import AssessmentData, assessment_record, household_classify, require_reach
from ansinh.poverty.services_runs import run_start
from ansinh.registry.tests.factories import make_household
from conftest import _unit

LEGACY, Y2025 = Structure.LEGACY, Structure.Y2025


@pytest.fixture
def hcm(db):
    def unit(parent, structure, level, code, name, unit_type):
        return _unit(parent, structure=structure, level=level, unit_type=unit_type, code=code, name=name, short=name)

    new_hcm = unit(None, Y2025, Level.PROVINCE, "79", "Thành phố Hồ Chí Minh", UnitType.MUNICIPALITY)
    sai_gon = unit(new_hcm, Y2025, Level.COMMUNE, "26740", "Phường Sài Gòn", UnitType.WARD)
    thu_dau_mot = unit(new_hcm, Y2025, Level.COMMUNE, "25747", "Phường Thủ Dầu Một", UnitType.WARD)
    mixed = unit(new_hcm, Y2025, Level.COMMUNE, "99001", "Phường Giáp Ranh", UnitType.WARD)
    unlinked = unit(new_hcm, Y2025, Level.COMMUNE, "99002", "Phường Chưa Nối", UnitType.WARD)
    khu_pho = unit(sai_gon, Y2025, Level.VILLAGE, "KP1", "Khu phố 1", UnitType.KHU_PHO)

    def legacy_commune(parent, code, name, successor):
        return _unit(parent, structure=LEGACY, level=Level.COMMUNE, unit_type=UnitType.WARD, code=code, name=name,
                     short=name, successor=successor)  # fmt: skip

    old_hcm = unit(None, LEGACY, Level.PROVINCE, "79", "Thành phố Hồ Chí Minh", UnitType.MUNICIPALITY)
    q1 = unit(old_hcm, LEGACY, Level.DISTRICT, "760", "Quận 1", UnitType.URBAN_DISTRICT)
    ben_nghe = legacy_commune(q1, "26740", "Phường Bến Nghé", sai_gon)
    da_kao = legacy_commune(q1, "26734", "Phường Đa Kao", sai_gon)
    old_bd = unit(None, LEGACY, Level.PROVINCE, "74", "Tỉnh Bình Dương", UnitType.PROVINCE)
    tdm = unit(old_bd, LEGACY, Level.DISTRICT, "718", "Thành phố Thủ Dầu Một", UnitType.PROVINCIAL_CITY)
    phu_cuong = legacy_commune(tdm, "25747", "Phường Phú Cường", thu_dau_mot)
    for old, new in ((ben_nghe, sai_gon), (da_kao, sai_gon), (phu_cuong, thu_dau_mot), (da_kao, mixed),
                     (phu_cuong, mixed)):  # fmt: skip
        UnitSuccession.objects.create(predecessor=old, successor=new, is_default=True)
    return SimpleNamespace(old_hcm=old_hcm, ben_nghe=ben_nghe, new_hcm=new_hcm, sai_gon=sai_gon,
                           thu_dau_mot=thu_dau_mot, mixed=mixed, unlinked=unlinked, khu_pho=khu_pho)  # fmt: skip


def test_a_unit_lies_within_a_legacy_territory_only_by_all_its_land(hcm):
    assert unit_within(hcm.ben_nghe, "/legacy/79/")
    assert unit_within(hcm.sai_gon, "/legacy/79/")  # formed from former HCMC wards only
    assert unit_within(hcm.khu_pho, "/legacy/79/")  # a village: its commune's land
    assert not unit_within(hcm.thu_dau_mot, "/legacy/79/")  # former Bình Dương
    assert not unit_within(hcm.mixed, "/legacy/79/")  # part of it only
    assert not unit_within(hcm.unlinked, "/legacy/79/")  # not known
    assert not unit_within(hcm.new_hcm, "/legacy/79/")  # today's city holds former Bình Dương land
    assert unit_within(hcm.thu_dau_mot, "/2025/79/") and not unit_within(hcm.ben_nghe, "/2025/74/")


def test_the_standard_in_force_is_hcmcs_on_the_former_citys_land_only(standards, hcm):
    day = date(2025, 9, 1)
    assert standard_in_force(day, hcm.sai_gon).code == "hcm-2021-2025"
    assert standard_in_force(day, hcm.khu_pho).code == "hcm-2021-2025"
    assert standard_in_force(day, hcm.ben_nghe).code == "hcm-2021-2025"
    assert standard_in_force(day, hcm.thu_dau_mot).code == "2022-2025"
    assert standard_in_force(day, hcm.mixed).code == "2022-2025"
    assert standard_in_force(date(2026, 3, 1), hcm.sai_gon).code == "2022-2025"  # the local one ended in 2025


def test_an_administrator_can_extend_the_reach_as_data(standards, hcm):
    """If today's city applies the standard city-wide, its path is added to the jurisdiction: no code."""
    local = standards.hcm_2021_2025
    assert not standard_reaches(local, hcm.thu_dau_mot)
    local.jurisdiction = [*local.jurisdiction, "/2025/79/"]
    assert standard_reaches(local, hcm.thu_dau_mot) and standard_reaches(local, hcm.new_hcm)
    assert standard_reaches(standards.s2022_2025, hcm.thu_dau_mot)  # a national one reaches everywhere


def test_a_local_standard_is_refused_where_it_does_not_reach(standards, hcm):
    with pytest.raises(ApplicationError) as excinfo:
        require_reach(standards.hcm_2021_2025, hcm.thu_dau_mot)
    assert excinfo.value.code == "standard_out_of_reach"
    assert excinfo.value.message == (
        "Chuẩn hcm-2021-2025 là chuẩn địa phương, chỉ áp dụng trên địa bàn Thành phố Hồ Chí Minh (cũ); "
        "Phường Thủ Dầu Một không nằm trọn trong địa bàn đó."
    )
    require_reach(standards.hcm_2021_2025, hcm.sai_gon)  # no refusal


def test_a_bulk_run_and_a_households_classification_refuse_a_standard_out_of_reach(standards, units, users):
    with pytest.raises(ApplicationError) as excinfo:
        run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.hcm_2021_2025)
    assert excinfo.value.code == "standard_out_of_reach"
    home = make_household(units.tho_xuan, code="R1", actor=users.commune_officer)
    with pytest.raises(ApplicationError) as excinfo:
        household_classify(actor=users.commune_officer, household=home, standard=standards.hcm_2021_2025)
    assert excinfo.value.code == "standard_out_of_reach"
    with pytest.raises(ApplicationError) as excinfo:  # nor a form B under it
        assessment_record(actor=users.commune_officer, household=home, standard=standards.hcm_2021_2025,
                          data=AssessmentData(income_source="declared", income_per_capita=1_000_000))  # fmt: skip
    assert excinfo.value.code == "standard_out_of_reach"
    assert not (Classification.objects.exists() or ClassificationRun.objects.exists() or Assessment.objects.exists())


def test_pickers_offer_a_local_standard_only_to_readers_whose_area_meets_its_land(standards, hcm, units, users):
    assert _lands_meet("/legacy/79/", "/2025/79/")  # former wards continue into today's city
    assert _lands_meet("/2025/79/26740/", "/legacy/79/") and not _lands_meet("/legacy/79/", "/2025/79/25747/")
    assert not _lands_meet("/legacy/79/", "/2025/38/")
    offered = {s.code for s in standards_offered(user=users.commune_officer, perm="poverty.classify_household")}
    assert offered == {"2016-2020", "2022-2025", "2027-2030"}  # a Thanh Hóa officer: no Hồ Chí Minh City
    national = {s.code for s in standards_offered(user=users.system_admin, perm=EDIT_STANDARD_PERM)}
    assert "hcm-2021-2025" in national
