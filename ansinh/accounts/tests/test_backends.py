"""Permissions come only from assignments in force today, and only over their unit's subtree."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.utils import timezone

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.services import role_assignment_create
from ansinh.audit.models import AuditEvent
from ansinh.geo.models import AdminUnit
from config.settings import base


def _assign(user, role, unit, *, valid_from, valid_to=None):
    role_assignment_create(actor=None, user=user, role=role, unit=unit, valid_from=valid_from, valid_to=valid_to)
    return User.objects.get(pk=user.pk)  # fresh instance: no cached scope


def test_active_assignment_grants_permission_only_inside_its_area(users, units):
    officer = users.commune_officer
    assert officer.has_perm("geo.view_adminunit")
    assert officer.has_perm("geo.view_adminunit", units.t1)
    assert not officer.has_perm("geo.view_adminunit", units.b1)
    assert not officer.has_perm("accounts.manage_roleassignment")
    visible = set(AdminUnit.objects.visible_to(officer).values_list("code", flat=True))
    # Its commune, villages, and the legacy commune it succeeded (reported under it).
    assert visible == {"16000", "T1", "T2", "15850"}


def test_expired_assignment_gives_no_permission_and_no_visibility(units, roles):
    user = User.objects.create_user("expired", password="x")
    yesterday = timezone.localdate() - timedelta(days=1)
    user = _assign(user, roles["commune_officer"], units.tho_xuan, valid_from=date(2025, 7, 1), valid_to=yesterday)
    assert not user.has_perm("geo.view_adminunit")
    assert not user.has_perm("geo.view_adminunit", units.t1)
    assert user.get_all_permissions() == set()
    assert not AdminUnit.objects.visible_to(user).exists()
    assert not RoleAssignment.objects.visible_to(user).exists()
    assert not AuditEvent.objects.visible_to(user).exists()


def test_future_assignment_gives_nothing_yet(units, roles):
    user = User.objects.create_user("future", password="x")
    user = _assign(user, roles["commune_officer"], units.tho_xuan, valid_from=timezone.localdate() + timedelta(days=3))
    assert not user.has_perm("geo.view_adminunit")


def test_inactive_user_has_no_permission_even_with_an_active_assignment(users):
    user = users.province_officer
    user.is_active = False
    assert not user.has_perm("geo.view_adminunit")
    assert user.get_all_permissions() == set()
    assert not AdminUnit.objects.visible_to(user).exists()


def test_permissions_are_per_role_and_area(users, units, roles):
    # Commune officer in Thọ Xuân, and also province officer in Đắk Lắk: manage only in Đắk Lắk.
    user = _assign(users.commune_officer, roles["province_officer"], units.dl, valid_from=date(2025, 7, 1))
    assert user.has_perm("accounts.manage_roleassignment", units.mdrak)
    assert not user.has_perm("accounts.manage_roleassignment", units.tho_xuan)
    assert user.has_perm("geo.view_adminunit", units.tho_xuan)


def test_django_groups_and_user_permissions_grant_nothing(users):
    group = Group.objects.create(name="g")
    perm = Permission.objects.get(codename="manage_roleassignment")
    group.permissions.add(perm)
    users.no_role.groups.add(group)
    users.no_role.user_permissions.add(perm)
    user = User.objects.get(pk=users.no_role.pk)
    assert not user.has_perm("accounts.manage_roleassignment")


def test_argon2_is_the_first_password_hasher():
    # Test settings use MD5 for speed; production and development use base settings.
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert get_hasher().algorithm == "argon2"
        assert make_password("Mật-khẩu-đủ-dài").startswith("argon2$")


def test_session_settings_are_a_two_hour_sliding_window():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_role_is_shown_in_the_interface_language(roles):
    from django.utils import translation

    role = roles["commune_chair"]
    with translation.override("vi"):
        assert str(role) == "Chủ tịch UBND xã"
    with translation.override("en"):
        assert str(role) == "Commune chair"


def test_the_permissions_of_every_role_in_force_are_read_in_one_query(units, roles, django_assert_num_queries):
    """Two roles: their permission names, as the roles' `Permission` objects give them, from one read."""
    user = User.objects.create_user("two_roles", password="x")
    user = _assign(user, roles["commune_officer"], units.tho_xuan, valid_from=date(2025, 7, 1))
    user = _assign(user, roles["province_approver"], units.th, valid_from=date(2025, 7, 1))
    expected = {
        role.pk: frozenset(f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all())
        for role in (roles["commune_officer"], roles["province_approver"])
    }
    with django_assert_num_queries(2):  # the assignments, then every role's permissions
        assignments = user.active_assignments()
        assert {a.role_id: user.role_perms(a) for a in assignments} == expected
        assert (
            user.get_all_permissions()
            == expected[roles["commune_officer"].pk] | expected[roles["province_approver"].pk]
        )
        assert user.has_perm("registry.view_household") and user.has_perm("registry.view_household", units.t1)
    empty = roles["commune_officer"]
    empty.permissions.clear()
    fresh = User.objects.get(pk=user.pk)
    assert fresh.role_perms(next(a for a in fresh.active_assignments() if a.role_id == empty.pk)) == frozenset()
