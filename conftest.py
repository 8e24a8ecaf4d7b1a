"""Shared test fixtures: a small unit tree of both structures and one named user per role and area.

Tree (codes are test codes, names are real places):
  2025  /2025/38/            Tỉnh Thanh Hóa
        /2025/38/16000/      Xã Thọ Xuân (rural)          villages T1 (Thôn 1), T2 (Thôn 2)
        /2025/38/16001/      Phường Hạc Thành (urban)
        /2025/66/            Tỉnh Đắk Lắk
        /2025/66/24000/      Xã M'Đrắk (rural)             village B1 (Buôn Ea Khanh)
  legacy /legacy/38/         Tỉnh Thanh Hóa (to 30/6/2025)
        /legacy/38/393/      Huyện Thọ Xuân
        /legacy/38/393/15850/ Xã Xuân Hồng → successor Xã Thọ Xuân (2025)
"""

from datetime import date
from types import SimpleNamespace

import pytest

from ansinh.geo.choices import LEGACY_LAST_DAY, REFORM_DATE, AreaType, Level, Structure, UnitType

DEMO_PASSWORD = "test-password-123"


def _unit(parent, *, structure, level, unit_type, code, name, short, area_type="", successor=None):
    from ansinh.geo.models import AdminUnit

    legacy = structure == Structure.LEGACY
    return AdminUnit.objects.create(
        structure=structure,
        level=level,
        unit_type=unit_type,
        code=code,
        name=name,
        short_name=short,
        parent=parent,
        area_type=area_type,
        valid_from=None if legacy else REFORM_DATE,
        valid_to=LEGACY_LAST_DAY if legacy else None,
        successor_path=successor.path if successor else "",
    )


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    """A transactional test ends with a flush that also empties the tables data migrations filled (the
    ethnic groups), and pytest-django runs transactional tests last, one after another: put those rows
    back before each of them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("ansinh.registry.migrations.0002_load_ethnicities").load(apps, None)


@pytest.fixture
def units(db):
    from ansinh.geo.models import UnitSuccession

    y, lg = Structure.Y2025, Structure.LEGACY
    th = _unit(
        None,
        structure=y,
        level=Level.PROVINCE,
        unit_type=UnitType.PROVINCE,
        code="38",
        name="Tỉnh Thanh Hóa",
        short="Thanh Hóa",
    )
    tho_xuan = _unit(
        th,
        structure=y,
        level=Level.COMMUNE,
        unit_type=UnitType.COMMUNE,
        code="16000",
        name="Xã Thọ Xuân",
        short="Thọ Xuân",
        area_type=AreaType.RURAL,
    )
    hac_thanh = _unit(
        th,
        structure=y,
        level=Level.COMMUNE,
        unit_type=UnitType.WARD,
        code="16001",
        name="Phường Hạc Thành",
        short="Hạc Thành",
        area_type=AreaType.URBAN,
    )
    t1 = _unit(
        tho_xuan, structure=y, level=Level.VILLAGE, unit_type=UnitType.THON, code="T1", name="Thôn 1", short="Thôn 1"
    )
    t2 = _unit(
        tho_xuan, structure=y, level=Level.VILLAGE, unit_type=UnitType.THON, code="T2", name="Thôn 2", short="Thôn 2"
    )
    dl = _unit(
        None,
        structure=y,
        level=Level.PROVINCE,
        unit_type=UnitType.PROVINCE,
        code="66",
        name="Tỉnh Đắk Lắk",
        short="Đắk Lắk",
    )
    mdrak = _unit(
        dl,
        structure=y,
        level=Level.COMMUNE,
        unit_type=UnitType.COMMUNE,
        code="24000",
        name="Xã M'Đrắk",
        short="M'Đrắk",
        area_type=AreaType.RURAL,
    )
    b1 = _unit(
        mdrak,
        structure=y,
        level=Level.VILLAGE,
        unit_type=UnitType.BUON,
        code="B1",
        name="Buôn Ea Khanh",
        short="Ea Khanh",
    )
    th_old = _unit(
        None,
        structure=lg,
        level=Level.PROVINCE,
        unit_type=UnitType.PROVINCE,
        code="38",
        name="Tỉnh Thanh Hóa",
        short="Thanh Hóa",
        successor=th,
    )
    tho_xuan_district = _unit(
        th_old,
        structure=lg,
        level=Level.DISTRICT,
        unit_type=UnitType.RURAL_DISTRICT,
        code="393",
        name="Huyện Thọ Xuân",
        short="Thọ Xuân",
        successor=th,
    )
    xuan_hong = _unit(
        tho_xuan_district,
        structure=lg,
        level=Level.COMMUNE,
        unit_type=UnitType.COMMUNE,
        code="15850",
        name="Xã Xuân Hồng",
        short="Xuân Hồng",
        area_type=AreaType.RURAL,
        successor=tho_xuan,
    )
    UnitSuccession.objects.create(predecessor=xuan_hong, successor=tho_xuan, is_default=True)
    return SimpleNamespace(
        th=th, tho_xuan=tho_xuan, hac_thanh=hac_thanh, t1=t1, t2=t2, dl=dl, mdrak=mdrak, b1=b1,
        th_old=th_old, tho_xuan_district=tho_xuan_district, xuan_hong=xuan_hong,
    )  # fmt: skip


@pytest.fixture
def roles(db):
    from ansinh.accounts.models import Role
    from ansinh.accounts.services import roles_load

    roles_load(actor=None)
    return {role.code: role for role in Role.objects.all()}


def make_user(username, *, role=None, unit=None, roles=None, valid_from=None, valid_to=None, **extra):
    from ansinh.accounts.models import User
    from ansinh.accounts.services import role_assignment_create

    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=username, **extra)
    if role is not None:
        role_assignment_create(
            actor=None, user=user, role=roles[role], unit=unit,
            # Within the unit's validity (a 2025 unit starts on 01/7/2025), as the service requires.
            valid_from=valid_from or (unit.valid_from if unit is not None and unit.valid_from else date(2020, 1, 1)),
            valid_to=valid_to,
        )  # fmt: skip
    return user


@pytest.fixture
def users(db, units, roles):
    """One user per role, placed where that role works; `*_dl` users sit in Đắk Lắk (the other area)."""
    spec = {
        "village_head": ("village_head", units.t1),
        "enumerator": ("enumerator", units.t1),
        "commune_officer": ("commune_officer", units.tho_xuan),
        "commune_chair": ("commune_chair", units.tho_xuan),
        "commune_steering_member": ("commune_steering_member", units.tho_xuan),
        "supervisor": ("supervisor", units.tho_xuan),
        "district_officer": ("district_officer", units.tho_xuan_district),
        "province_officer": ("province_officer", units.th),
        "province_approver": ("province_approver", units.th),
        "helping_agency_member": ("helping_agency_member", units.tho_xuan),
        "inspector": ("inspector", units.th),
        "auditor": ("auditor", None),
        "system_admin": ("system_admin", None),
        "commune_officer_dl": ("commune_officer", units.mdrak),
        "province_officer_dl": ("province_officer", units.dl),
    }
    result = {name: make_user(name, role=role, unit=unit, roles=roles) for name, (role, unit) in spec.items()}
    result["no_role"] = make_user("no_role")
    return SimpleNamespace(**result)


@pytest.fixture
def standards(db):
    """The shipped poverty standards (ansinh/poverty/data/standards), loaded as `make setup` does."""
    from ansinh.poverty.models import PovertyStandard
    from ansinh.poverty.services import standards_load

    standards_load()

    def name(code: str) -> str:  # s2022_2025, s2016_2020, s2027_2030, hcm_2021_2025
        name = code.replace("-", "_")
        return f"s{name}" if name[0].isdigit() else name

    return SimpleNamespace(**{name(s.code): s for s in PovertyStandard.objects.all()})
