"""Services of accounts: each writes its row and its audit event together, or refuses and writes nothing."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.accounts.api_auth import hash_secret
from ansinh.accounts.events import AccountsEventType
from ansinh.accounts.models import ApiToken, Role, RoleAssignment, User
from ansinh.accounts.services import (
    api_token_create,
    api_token_revoke,
    login_lockout_record,
    role_assignment_create,
    role_assignment_end,
    role_update_permissions,
    user_create,
    user_update,
)
from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError

STRONG_PASSWORD = "Lúa-chín-đầy-đồng-2025"


def _counts() -> tuple[int, int]:
    return RoleAssignment.objects.count(), AuditEvent.objects.count()


# -- role assignments ----------------------------------------------------------------------------
def test_assignment_create_records_event_in_the_units_chain(users, units, roles):
    assignment = role_assignment_create(
        actor=users.province_officer, user=users.no_role, role=roles["supervisor"], unit=units.tho_xuan
    )
    event = AuditEvent.objects.get(event_type=AccountsEventType.ROLE_ASSIGNED, target_id=str(assignment.pk))
    assert event.unit_path == units.tho_xuan.path
    assert event.actor == users.province_officer
    assert event.changes["new"]["role"] == "supervisor"
    assert users.no_role.has_perm("geo.view_adminunit", units.t1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        # The Thanh Hóa officer has no power over Đắk Lắk.
        ({"role": "supervisor", "unit": "mdrak"}, PermissionDenied),
        # District roles exist only in the legacy three-level structure (before 1/7/2025).
        ({"role": "district_officer", "unit": "tho_xuan"}, ApplicationError),
        ({"role": "supervisor", "unit": "tho_xuan", "valid_from": date(2026, 1, 10), "valid_to": date(2026, 1, 1)},
         ValidationError),
        # Only a national administrator may give a national role.
        ({"role": "auditor", "unit": None}, PermissionDenied),
    ],
    ids=["out-of-area", "legacy-role-on-2025-unit", "reversed-dates", "national-by-province-officer"],
)  # fmt: skip
def test_assignment_create_refusals_write_nothing(users, units, roles, kwargs, error):
    before = _counts()
    unit = getattr(units, kwargs.pop("unit")) if kwargs.get("unit") else kwargs.pop("unit", None)
    role = roles[kwargs.pop("role")]
    with pytest.raises(error):
        role_assignment_create(actor=users.province_officer, user=users.no_role, role=role, unit=unit, **kwargs)
    assert _counts() == before


def test_assignment_create_refuses_a_duplicate_and_writes_nothing(users, units, roles):
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        role_assignment_create(
            actor=users.province_officer, user=users.commune_officer, role=roles["commune_officer"], unit=units.tho_xuan
        )
    assert exc.value.code == "duplicate_assignment"
    assert _counts() == before


def test_legacy_role_on_legacy_unit_is_accepted(users, units, roles):
    # The legacy Thọ Xuân district is reported under Thanh Hóa (successor path), so it is in area.
    assignment = role_assignment_create(
        actor=users.province_officer, user=users.no_role, role=roles["district_officer"],
        unit=units.tho_xuan_district, valid_from=date(2025, 1, 1), valid_to=date(2025, 6, 30),
    )  # fmt: skip
    assert assignment.unit == units.tho_xuan_district


@pytest.mark.parametrize(
    ("role", "unit", "dates", "field", "message"),
    [
        # The legacy district ended on 30/6/2025: no assignment may start after that day ...
        ("district_officer", "tho_xuan_district", {"valid_from": date(2025, 7, 1)}, "valid_from",
         "Huyện Thọ Xuân chỉ có hiệu lực đến ngày 30/06/2025: phân công phải bắt đầu trong thời gian"),
        # ... nor start today (the default) ...
        ("district_officer", "tho_xuan_district", {}, "valid_from", "chỉ có hiệu lực đến ngày 30/06/2025"),
        # ... nor end after it.
        ("district_officer", "tho_xuan_district", {"valid_from": date(2025, 1, 1), "valid_to": date(2025, 7, 31)},
         "valid_to", "Huyện Thọ Xuân chỉ có hiệu lực đến ngày 30/06/2025: phân công không thể kết thúc sau"),
        ("commune_officer", "xuan_hong", {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31)},
         "valid_from", "Xã Xuân Hồng chỉ có hiệu lực đến ngày 30/06/2025"),
        # A 2025 unit (and its villages) exists only from 1/7/2025.
        ("supervisor", "tho_xuan", {"valid_from": date(2025, 6, 30)}, "valid_from",
         "Xã Thọ Xuân có hiệu lực từ ngày 01/07/2025: phân công không thể bắt đầu trước ngày này."),
        ("village_head", "t1", {"valid_from": date(2024, 1, 1), "valid_to": date(2026, 1, 1)}, "valid_from",
         "Thôn 1 có hiệu lực từ ngày 01/07/2025"),
    ],
    ids=["legacy-start-after-end", "legacy-start-today", "legacy-end-after-end", "legacy-commune-after-end",
         "2025-start-before-reform", "2025-village-start-before-reform"],
)  # fmt: skip
def test_assignment_outside_the_units_validity_is_refused(users, units, roles, role, unit, dates, field, message):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        role_assignment_create(
            actor=users.province_officer, user=users.no_role, role=roles[role], unit=getattr(units, unit), **dates
        )
    assert list(exc.value.message_dict) == [field]
    assert message in exc.value.message_dict[field][0]
    assert _counts() == before


def test_assignment_on_the_units_boundary_days_is_accepted(users, units, roles):
    # First day of a 2025 unit; a legacy district's whole life; an open end on a district that has
    # ended (its officer keeps reading, and in the demo replaying, the district's records).
    first = role_assignment_create(
        actor=users.province_officer, user=users.no_role, role=roles["supervisor"], unit=units.tho_xuan,
        valid_from=date(2025, 7, 1),
    )  # fmt: skip
    whole = role_assignment_create(
        actor=users.province_officer, user=users.no_role, role=roles["district_officer"],
        unit=units.tho_xuan_district, valid_from=date(2019, 1, 1), valid_to=date(2025, 6, 30),
    )  # fmt: skip
    open_end = role_assignment_create(
        actor=users.province_officer, user=users.enumerator, role=roles["district_officer"],
        unit=units.tho_xuan_district, valid_from=date(2025, 6, 30),
    )  # fmt: skip
    assert (first.valid_from, whole.valid_to, open_end.valid_to) == (date(2025, 7, 1), date(2025, 6, 30), None)


def test_assignment_end_keeps_the_row_and_removes_the_permission(users, units):
    assignment = RoleAssignment.objects.get(user=users.commune_officer)
    ended = role_assignment_end(actor=users.province_officer, assignment=assignment, end=timezone.localdate())
    assert ended.valid_to == timezone.localdate()
    event = AuditEvent.objects.get(event_type=AccountsEventType.ROLE_ASSIGNMENT_ENDED)
    assert event.changes == {"old": {"valid_to": None}, "new": {"valid_to": timezone.localdate().isoformat()}}
    # Ending "today" still leaves today; from tomorrow it grants nothing.
    user = User.objects.get(pk=users.commune_officer.pk)
    assert not user.area_scope("geo.view_adminunit").is_empty
    assert RoleAssignment.objects.active_on(timezone.localdate() + timedelta(days=1)).filter(user=user).count() == 0


def test_assignment_end_refusals(users):
    out_of_area = RoleAssignment.objects.get(user=users.commune_officer_dl)
    before = _counts()
    with pytest.raises(PermissionDenied):
        role_assignment_end(actor=users.province_officer, assignment=out_of_area)
    in_area = RoleAssignment.objects.get(user=users.commune_officer)
    role_assignment_end(actor=users.province_officer, assignment=in_area, end=date(2025, 12, 31))
    with pytest.raises(ApplicationError):
        role_assignment_end(actor=users.province_officer, assignment=in_area, end=date(2025, 12, 31))
    assert AuditEvent.objects.count() == before[1] + 1


# -- roles ---------------------------------------------------------------------------------------
def test_role_update_permissions_is_audited_and_takes_effect(users, roles):
    admin = User.objects.create_superuser("root", password=STRONG_PASSWORD)
    role = roles["helping_agency_member"]
    granted = sorted(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all())
    assert "geo.view_adminunit" in granted
    assert not users.helping_agency_member.has_perm("audit.view_auditevent")
    role_update_permissions(
        actor=admin,
        role=role,
        permissions=["geo.view_adminunit", "audit.view_auditevent"],
        name="Thành viên cơ quan giúp đỡ, kết nghĩa",
    )
    event = AuditEvent.objects.filter(event_type=AccountsEventType.ROLE_PERMISSIONS_CHANGED).latest("id")
    assert event.changes["old"] == {"permissions": granted, "name": "Thành viên cơ quan giúp đỡ"}
    assert event.changes["new"]["permissions"] == ["audit.view_auditevent", "geo.view_adminunit"]
    assert Role.objects.get(pk=role.pk).name == "Thành viên cơ quan giúp đỡ, kết nghĩa"
    assert User.objects.get(pk=users.helping_agency_member.pk).has_perm("audit.view_auditevent")


def test_role_update_without_change_writes_no_event(roles):
    before = AuditEvent.objects.count()
    perms = list(roles["helping_agency_member"].permissions.all())
    role_update_permissions(actor=None, role=roles["helping_agency_member"], permissions=perms)
    assert AuditEvent.objects.count() == before


def test_role_update_refusals_write_nothing(users, roles):
    before = AuditEvent.objects.count()
    granted = sorted(roles["helping_agency_member"].permissions.values_list("codename", flat=True))
    with pytest.raises(PermissionDenied):
        role_update_permissions(actor=users.province_officer, role=roles["helping_agency_member"], permissions=[])
    with pytest.raises(ValidationError):
        role_update_permissions(actor=None, role=roles["helping_agency_member"], permissions=["geo.no_such_permission"])
    assert AuditEvent.objects.count() == before
    assert sorted(roles["helping_agency_member"].permissions.values_list("codename", flat=True)) == granted


# -- users ---------------------------------------------------------------------------------------
def test_user_create_is_audited_without_the_password(db):
    user = user_create(actor=None, username="can_bo_xa", password=STRONG_PASSWORD, full_name="Lê Thị Hoa")
    assert user.check_password(STRONG_PASSWORD)
    assert not user.role_codes()
    event = AuditEvent.objects.get(event_type=AccountsEventType.USER_CREATED)
    assert event.changes["new"]["username"] == "can_bo_xa"
    assert STRONG_PASSWORD not in str(event.changes)


def test_user_create_refusals_write_nothing(users):
    before = (User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError):
        user_create(actor=None, username="COMMUNE_OFFICER", password=STRONG_PASSWORD)  # taken, ignoring case
    with pytest.raises(ValidationError) as weak:
        user_create(actor=None, username="moi", password="12345678")
    assert "password" in weak.value.message_dict
    with pytest.raises(PermissionDenied):
        user_create(actor=users.commune_officer, username="moi", password=STRONG_PASSWORD)
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_user_update_deactivation_is_audited_and_removes_every_permission(users):
    user_update(actor=None, user=users.commune_officer, is_active=False, position="Nghỉ hưu")
    user = User.objects.get(pk=users.commune_officer.pk)
    assert not user.is_active
    assert not user.has_perm("geo.view_adminunit")
    event = AuditEvent.objects.get(event_type=AccountsEventType.USER_UPDATED)
    assert event.changes == {
        "old": {"is_active": True, "position": ""},
        "new": {"is_active": False, "position": "Nghỉ hưu"},
    }
    with pytest.raises(ValidationError):
        user_update(actor=None, user=user, password="x")


# -- tokens --------------------------------------------------------------------------------------
def test_token_create_stores_only_the_hash(users):
    new = api_token_create(actor=users.commune_officer, name="phần mềm xã")
    stored = ApiToken.objects.get(pk=new.token.pk)
    secret_part = new.secret.split("_")[2]
    assert stored.secret_hash == hash_secret(secret_part)
    assert secret_part not in str(AuditEvent.objects.latest("id").changes)
    assert new.secret.startswith(f"ansinh_{stored.prefix}_")


def test_token_create_refusals(users):
    with pytest.raises(ValidationError):
        api_token_create(actor=users.commune_officer, name="  ")
    with pytest.raises(ValidationError):
        api_token_create(actor=users.commune_officer, name="x", expires_at=timezone.now() - timedelta(minutes=1))
    assert not ApiToken.objects.exists()


def test_token_revoke_only_own_and_once(users):
    token = api_token_create(actor=users.commune_officer, name="x").token
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=users.commune_officer_dl, token=token)
    api_token_revoke(actor=users.commune_officer, token=token)
    with pytest.raises(ApplicationError):
        api_token_revoke(actor=users.commune_officer, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_login_lockout_record_keeps_username_only(users):
    login_lockout_record(username="commune_officer", ip_address="10.0.0.5")
    event = AuditEvent.objects.get(event_type=AccountsEventType.LOGIN_LOCKED_OUT)
    assert event.target_id == str(users.commune_officer.pk)
    assert event.changes == {"new": {"username": "commune_officer", "ip_address": "10.0.0.5"}}
    assert event.actor is None


def test_roles_reload_adds_newly_listed_permissions_but_keeps_an_administrators_removal(roles, tmp_path):
    import json

    from ansinh.accounts.services import ROLES_FILE, roles_load

    role = roles["village_head"]
    view_unit = Permission.objects.get(content_type__app_label="geo", codename="view_adminunit")
    role.permissions.remove(view_unit)  # an administrator's edit
    data = json.loads(ROLES_FILE.read_text(encoding="utf-8"))
    spec = next(r for r in data["roles"] if r["code"] == "village_head")
    spec["permissions"].append("geo.manage_village")  # a grant the file did not list before
    changed = tmp_path / "roles.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    roles_load(actor=None, path=changed)

    granted = {p.codename for p in role.permissions.all()}
    assert "manage_village" in granted
    assert "view_adminunit" not in granted
    assert roles_load(actor=None, path=changed) == {"created": 0, "updated": 0}
