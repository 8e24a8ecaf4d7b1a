"""Services of the geo app: every success and every refusal, and the audit events they write."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import LEGACY_LAST_DAY, REFORM_DATE, AreaType, Level, UnitType
from ansinh.geo.events import GeoEventType
from ansinh.geo.models import AdminUnit
from ansinh.geo.services import (
    unit_set_area_type,
    village_create,
    village_short_name,
    village_update,
    villages_import_csv,
)


def _events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("sequence"))


# -- village_create ---------------------------------------------------------------------------


def test_village_create_adds_village_under_commune_with_audit(units, users):
    village = village_create(
        actor=users.commune_officer, commune=units.tho_xuan, code="T3", name="Thôn  Đông Sơn ", unit_type="thon"
    )
    village.refresh_from_db()
    assert village.parent == units.tho_xuan
    assert village.level == Level.VILLAGE
    assert village.path == "/2025/38/16000/T3/"
    assert village.name == "Thôn Đông Sơn"
    assert village.short_name == "Đông Sơn"
    assert village.name_folded == "thon dong son"
    assert (village.valid_from, village.valid_to) == (REFORM_DATE, None)
    [event] = _events(GeoEventType.VILLAGE_CREATED)
    assert event.actor == users.commune_officer
    assert event.target_id == str(village.pk)
    assert event.unit_path == village.path
    assert event.changes["new"]["code"] == "T3"


def test_village_under_legacy_commune_ends_with_it_and_follows_its_successor(units, users):
    # A load of historic records names the day they describe; the legacy commune was in force then.
    village = village_create(
        actor=users.commune_officer, commune=units.xuan_hong, code="X1", name="Thôn Xuân Hồng 1", unit_type="thon",
        as_of=date(2019, 8, 1),
    )  # fmt: skip
    assert village.valid_to == LEGACY_LAST_DAY
    assert village.successor_path == units.tho_xuan.path
    # The officer of the successor commune sees it through the successor path.
    assert AdminUnit.objects.visible_to(users.commune_officer).filter(pk=village.pk).exists()


def test_village_create_refuses_a_commune_no_longer_in_force(units, users):
    # Xã Xuân Hồng ended on 30/6/2025: no new village today, nothing written, no event.
    with pytest.raises(ApplicationError) as info:
        village_create(
            actor=users.commune_officer, commune=units.xuan_hong, code="X1", name="Thôn Mới", unit_type="thon"
        )
    assert info.value.code == "unit_not_in_force"
    assert "30/06/2025" in info.value.message
    assert not AdminUnit.objects.filter(parent=units.xuan_hong).exists()
    assert _events(GeoEventType.VILLAGE_CREATED) == []
    # A 2025 commune did not exist on a day before the reform either.
    with pytest.raises(ApplicationError):
        village_create(
            actor=users.commune_officer, commune=units.tho_xuan, code="T3", name="Thôn 3", unit_type="thon",
            as_of=date(2019, 8, 1),
        )  # fmt: skip


def test_villages_import_refuses_a_commune_no_longer_in_force(units, users):
    with pytest.raises(ApplicationError):
        villages_import_csv(actor=users.commune_officer, commune=units.xuan_hong, file=GOOD_AND_BAD)
    assert not AdminUnit.objects.filter(parent=units.xuan_hong).exists()


def test_village_update_still_corrects_a_legacy_village(units, users):
    village = village_create(
        actor=users.commune_officer, commune=units.xuan_hong, code="X1", name="Thôn Xuân Hồng 1", unit_type="thon",
        as_of=date(2019, 8, 1),
    )  # fmt: skip
    village = village_update(actor=users.commune_officer, village=village, name="Thôn Xuân Hồng Một")
    assert village.name == "Thôn Xuân Hồng Một"


def test_village_create_refuses_out_of_area(units, users):
    with pytest.raises(PermissionDenied):
        village_create(actor=users.commune_officer, commune=units.mdrak, code="X", name="Buôn X", unit_type="buon")
    assert not AdminUnit.objects.filter(parent=units.mdrak, code="X").exists()


def test_village_create_refuses_role_without_permission(units, users):
    with pytest.raises(PermissionDenied):
        village_create(actor=users.village_head, commune=units.tho_xuan, code="T3", name="Thôn 3", unit_type="thon")
    with pytest.raises(PermissionDenied):
        village_create(actor=None, commune=units.tho_xuan, code="T3", name="Thôn 3", unit_type="thon")
    assert _events(GeoEventType.VILLAGE_CREATED) == []


@pytest.mark.parametrize("code", ["", "T 3", "T/3", "Thôn3", "x" * 21])
def test_village_create_rejects_bad_code(units, users, code):
    with pytest.raises(ValidationError) as info:
        village_create(actor=users.commune_officer, commune=units.tho_xuan, code=code, name="Thôn 3", unit_type="thon")
    assert "code" in info.value.message_dict


def test_village_create_rejects_empty_name_and_bad_type(units, users):
    with pytest.raises(ValidationError) as info:
        village_create(actor=users.commune_officer, commune=units.tho_xuan, code="T3", name="  ", unit_type="thon")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        village_create(actor=users.commune_officer, commune=units.tho_xuan, code="T3", name="Thôn 3", unit_type="xa")
    assert "unit_type" in info.value.message_dict


def test_village_create_refuses_duplicate_code(units, users):
    with pytest.raises(ApplicationError) as info:
        village_create(
            actor=users.commune_officer, commune=units.tho_xuan, code="T1", name="Thôn Mới", unit_type="thon"
        )
    assert info.value.code == "duplicate_code"
    assert "T1" in info.value.message


def test_same_code_is_allowed_in_another_commune(units, users):
    village = village_create(
        actor=users.province_officer, commune=units.hac_thanh, code="T1", name="Tổ dân phố 1", unit_type="to_dan_pho"
    )
    assert village.short_name == "Tổ dân phố 1"


def test_village_create_refuses_non_commune_parent(units, users):
    with pytest.raises(ApplicationError) as info:
        village_create(actor=users.province_officer, commune=units.th, code="T3", name="Thôn 3", unit_type="thon")
    assert info.value.code == "not_a_commune"
    with pytest.raises(ApplicationError):
        village_create(actor=users.commune_officer, commune=units.t1, code="T3", name="Thôn 3", unit_type="thon")


def test_village_short_name():
    assert village_short_name("Buôn Ea Khanh", UnitType.BUON) == "Ea Khanh"
    assert village_short_name("Thôn 1", UnitType.THON) == "Thôn 1"
    assert village_short_name("Làng Mới", UnitType.THON) == "Làng Mới"


# -- village_update ---------------------------------------------------------------------------


def test_village_update_renames_with_audit(units, users):
    village = village_update(actor=users.commune_officer, village=units.t1, name="Thôn Đông", code="TD")
    village.refresh_from_db()
    assert (village.code, village.name, village.path) == ("TD", "Thôn Đông", "/2025/38/16000/TD/")
    [event] = _events(GeoEventType.VILLAGE_UPDATED)
    assert event.changes["old"]["code"] == "T1"
    assert event.changes["new"]["name"] == "Thôn Đông"


def test_village_update_without_change_writes_nothing(units, users):
    village_update(actor=users.commune_officer, village=units.t1, name="Thôn 1", unit_type="thon")
    assert _events(GeoEventType.VILLAGE_UPDATED) == []


def test_village_update_refusals(units, users):
    with pytest.raises(PermissionDenied):
        village_update(actor=users.commune_officer, village=units.b1, name="Buôn Khác")
    with pytest.raises(ApplicationError) as info:
        village_update(actor=users.commune_officer, village=units.t1, code="T2")
    assert info.value.code == "duplicate_code"
    with pytest.raises(ValidationError):
        village_update(actor=users.commune_officer, village=units.t1, code="T 1")
    with pytest.raises(ApplicationError) as info:
        village_update(actor=users.commune_officer, village=units.tho_xuan, name="Xã Khác")
    assert info.value.code == "not_a_village"
    units.t1.refresh_from_db()
    assert units.t1.code == "T1"


# -- villages_import_csv ----------------------------------------------------------------------

GOOD_AND_BAD = (
    "\ufeffMã thôn,Tên thôn,Loại\n"
    "T3,Thôn Đông Sơn,Thôn\n"  # row 2: created
    "T 4,Thôn Bốn,Thôn\n"  # row 3: bad code
    "TDP5,Tổ dân phố 5,to_dan_pho\n"  # row 4: created (type given as code)
    "T6,,Thôn\n"  # row 5: no name
    "T7,Thôn Bảy,Quận\n"  # row 6: not a village type
    "\n"  # row 7: blank, skipped
    "T3,Thôn Trùng,Thôn\n"  # row 8: same code as row 2
    "T1,Thôn 1,thon\n"  # row 9: unchanged
    "T2,Thôn Hai,Xóm\n"  # row 10: updated
).encode()


def test_import_keeps_valid_rows_and_reports_broken_ones(units, users):
    result = villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file=GOOD_AND_BAD)
    by_row = {row.row_number: row for row in result.rows}
    assert {n: r.status for n, r in by_row.items()} == {
        2: "created", 3: "error", 4: "created", 5: "error", 6: "error", 8: "error", 9: "unchanged", 10: "updated",
    }  # fmt: skip
    assert "Mã thôn" in by_row[3].message
    assert "tên thôn" in by_row[5].message
    assert "Quận" in by_row[6].message
    assert "dòng 2" in by_row[8].message
    codes = set(AdminUnit.objects.filter(parent=units.tho_xuan).values_list("code", flat=True))
    assert codes == {"T1", "T2", "T3", "TDP5"}
    t2 = AdminUnit.objects.get(parent=units.tho_xuan, code="T2")
    assert (t2.name, t2.unit_type) == ("Thôn Hai", UnitType.XOM)
    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 1, 1, 4)
    assert len(_events(GeoEventType.VILLAGE_CREATED)) == 2
    assert len(_events(GeoEventType.VILLAGE_UPDATED)) == 1


def test_import_same_file_twice_changes_nothing(units, users):
    villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file=GOOD_AND_BAD)
    events_before = AuditEvent.objects.count()
    rows_before = list(
        AdminUnit.objects.filter(parent=units.tho_xuan).values("code", "name", "unit_type", "updated_at")
    )
    result = villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file=GOOD_AND_BAD)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.count() == events_before
    rows_after = list(AdminUnit.objects.filter(parent=units.tho_xuan).values("code", "name", "unit_type", "updated_at"))
    assert rows_after == rows_before


def test_import_accepts_semicolons_without_bom(units, users):
    content = "mã thôn;tên thôn;loại\nB2;Buôn Ea Bar;Buôn\n".encode()
    result = villages_import_csv(actor=users.commune_officer_dl, commune=units.mdrak, file=content)
    assert result.created == 1
    assert AdminUnit.objects.get(parent=units.mdrak, code="B2").short_name == "Ea Bar"


def test_import_rejects_whole_file_when_unreadable(units, users):
    with pytest.raises(ValidationError, match="UTF-8"):
        villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file="mã thôn".encode("utf-16"))
    with pytest.raises(ValidationError, match="Thiếu cột"):
        villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file=b"code,name\nT3,X\n")
    with pytest.raises(ValidationError, match="trống"):
        villages_import_csv(actor=users.commune_officer, commune=units.tho_xuan, file=b"")


def test_import_refuses_out_of_area_and_non_commune(units, users):
    with pytest.raises(PermissionDenied):
        villages_import_csv(actor=users.commune_officer, commune=units.mdrak, file=GOOD_AND_BAD)
    with pytest.raises(ApplicationError):
        villages_import_csv(actor=users.province_officer, commune=units.th, file=GOOD_AND_BAD)
    assert not AdminUnit.objects.filter(code="T3").exists()


# -- unit_set_area_type -----------------------------------------------------------------------


def test_set_area_type_records_reason(units, users):
    unit = unit_set_area_type(
        actor=users.province_officer, unit=units.tho_xuan, area_type=AreaType.URBAN, reason="QĐ 12/QĐ-UBND"
    )
    unit.refresh_from_db()
    assert unit.area_type == AreaType.URBAN
    [event] = _events(GeoEventType.AREA_TYPE_SET)
    assert event.changes == {"old": {"area_type": "rural"}, "new": {"area_type": "urban"}, "reason": "QĐ 12/QĐ-UBND"}


def test_set_area_type_same_value_writes_nothing(units, users):
    unit_set_area_type(actor=users.province_officer, unit=units.tho_xuan, area_type=AreaType.RURAL, reason="Giữ nguyên")
    assert _events(GeoEventType.AREA_TYPE_SET) == []


def test_set_area_type_refusals(units, users):
    with pytest.raises(PermissionDenied):
        unit_set_area_type(actor=users.commune_officer, unit=units.tho_xuan, area_type="urban", reason="x")
    with pytest.raises(PermissionDenied):
        unit_set_area_type(actor=users.province_officer, unit=units.mdrak, area_type="urban", reason="x")
    with pytest.raises(ValidationError) as info:
        unit_set_area_type(actor=users.province_officer, unit=units.tho_xuan, area_type="urban", reason="  ")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        unit_set_area_type(actor=users.province_officer, unit=units.tho_xuan, area_type="suburb", reason="x")
    assert "area_type" in info.value.message_dict
    with pytest.raises(ApplicationError):
        unit_set_area_type(actor=users.province_officer, unit=units.th, area_type="urban", reason="x")
    units.tho_xuan.refresh_from_db()
    assert units.tho_xuan.area_type == AreaType.RURAL
    assert _events(GeoEventType.AREA_TYPE_SET) == []


def test_set_area_type_refuses_a_commune_no_longer_in_force(units, users):
    # A legacy commune's type came with the data set and is history: not changed any more.
    before = units.xuan_hong.area_type
    with pytest.raises(ApplicationError) as info:
        unit_set_area_type(actor=users.province_officer, unit=units.xuan_hong, area_type="urban", reason="QĐ 1")
    assert info.value.code == "unit_not_in_force"
    units.xuan_hong.refresh_from_db()
    assert units.xuan_hong.area_type == before
    assert _events(GeoEventType.AREA_TYPE_SET) == []
