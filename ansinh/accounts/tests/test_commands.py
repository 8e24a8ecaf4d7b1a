"""Operator commands: thin wrappers over the services, refusing cleanly and writing nothing on error."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ansinh.accounts.models import Role, RoleAssignment, User
from ansinh.audit.models import AuditEvent

PASSWORD = "Mùa-gặt-bội-thu-2025"


def test_load_roles_creates_then_keeps_admin_edits_unless_reset(db):
    call_command("accounts_load_roles")
    assert Role.objects.filter(code="commune_officer").exists()
    count = Role.objects.count()
    Role.objects.filter(code="village_head").update(name="Đã sửa")
    call_command("accounts_load_roles")
    assert Role.objects.count() == count
    assert Role.objects.get(code="village_head").name == "Đã sửa"
    call_command("accounts_load_roles", "--reset")
    assert Role.objects.get(code="village_head").name == "Trưởng thôn"


def test_create_user_with_a_role_on_a_village(units, roles, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", PASSWORD)
    call_command(
        "accounts_create_user", "truong_thon_1", "--role", "village_head", "--unit-code", "16000/T1",
        "--password-env", "NEW_USER_PASSWORD", "--full-name", "Nguyễn Văn Bình",
    )  # fmt: skip
    user = User.objects.get(username="truong_thon_1")
    assert user.check_password(PASSWORD)
    assert user.full_name == "Nguyễn Văn Bình"
    assert RoleAssignment.objects.get(user=user).unit == units.t1
    assert PASSWORD not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_create_user_national_and_legacy(units, roles, monkeypatch):
    monkeypatch.setenv("PW", PASSWORD)
    call_command("accounts_create_user", "kiem_toan", "--role", "auditor", "--password-env", "PW")
    assert RoleAssignment.objects.get(user__username="kiem_toan").unit is None
    call_command(
        "accounts_create_user", "huyen", "--role", "district_officer", "--unit-structure", "legacy",
        "--unit-code", "393", "--password-env", "PW", "--valid-from", "2019-01-01",
    )  # fmt: skip
    assignment = RoleAssignment.objects.get(user__username="huyen")
    assert assignment.unit == units.tho_xuan_district
    assert (assignment.valid_from, assignment.valid_to) == (date(2019, 1, 1), None)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--role", "village_head", "--unit-code", "16000/T1"], None, "empty or not set"),
        (["--role", "no_such_role"], PASSWORD, "Unknown role"),
        (["--role", "village_head", "--unit-code", "99999"], PASSWORD, "No unit"),
        (["--role", "village_head", "--unit-code", "16000/T1"], "123", "Mật khẩu"),
        # The user would be created, then the role refused: the transaction takes both back.
        (["--role", "district_officer", "--unit-code", "16000"], PASSWORD, "chỉ dùng cho đơn vị trước"),
        # Today is after the legacy district ended: the assignment must be dated while it existed.
        (["--role", "district_officer", "--unit-structure", "legacy", "--unit-code", "393"], PASSWORD,
         "chỉ có hiệu lực đến ngày 30/06/2025"),
        (["--role", "district_officer", "--unit-structure", "legacy", "--unit-code", "393",
          "--valid-from", "2019-01-01", "--valid-to", "2025-12-31"], PASSWORD, "không thể kết thúc sau ngày này"),
    ],
    ids=["no-password", "unknown-role", "unknown-unit", "weak-password", "legacy-role-on-2025-unit",
         "legacy-unit-ended-before-today", "legacy-end-after-unit-end"],
)  # fmt: skip
def test_create_user_refusals_write_nothing(units, roles, monkeypatch, args, env, message):
    if env is None:
        monkeypatch.delenv("PW", raising=False)
    else:
        monkeypatch.setenv("PW", env)
    before = (User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("accounts_create_user", "moi", *args, "--password-env", "PW")
    assert (User.objects.count(), AuditEvent.objects.count()) == before
