"""Django admin for accounts: saves go through audited services; out-of-area rows answer 404."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from ansinh.accounts.events import AccountsEventType
from ansinh.accounts.models import Role, RoleAssignment, User
from ansinh.audit.models import AuditEvent


def _superuser():
    return User.objects.create_superuser("root", password="Gốc-rễ-vững-chắc-2025")


def test_role_admin_save_goes_through_the_audited_service(client, roles):
    client.force_login(_superuser())
    role = roles["village_head"]
    perms = Permission.objects.filter(codename__in=["view_adminunit", "view_auditevent"])
    response = client.post(
        reverse("admin:accounts_role_change", args=[role.pk]),
        {"name": "Trưởng thôn, bản", "description": "", "permissions": [p.pk for p in perms]},
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.filter(event_type=AccountsEventType.ROLE_PERMISSIONS_CHANGED).latest("id")
    assert event.changes["new"] == {
        "permissions": ["audit.view_auditevent", "geo.view_adminunit"],
        "name": "Trưởng thôn, bản",
    }
    assert set(Role.objects.get(pk=role.pk).permissions.values_list("codename", flat=True)) == {
        "view_adminunit", "view_auditevent",
    }  # fmt: skip


def test_role_admin_cannot_add_or_delete(client, roles):
    client.force_login(_superuser())
    assert client.get(reverse("admin:accounts_role_add")).status_code == 403
    assert client.post(reverse("admin:accounts_role_delete", args=[roles["village_head"].pk])).status_code == 403


def test_user_admin_add_and_change_are_audited(client, db):
    client.force_login(_superuser())
    password = "Trăng-rằm-tháng-tám-2025"
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "moi", "full_name": "Trần Văn Mới", "password1": password, "password2": password},
    )
    assert response.status_code == 302, response.content[:3000]
    user = User.objects.get(username="moi")
    assert user.check_password(password)
    assert AuditEvent.objects.filter(event_type=AccountsEventType.USER_CREATED, target_id=str(user.pk)).exists()
    change = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"username": "moi", "full_name": "Trần Văn Mới", "position": "Công chức", "organisation": "", "email": "",
         "is_active": "on", "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"},
    )  # fmt: skip
    assert change.status_code == 302, change.content[:3000]
    event = AuditEvent.objects.get(event_type=AccountsEventType.USER_UPDATED, target_id=str(user.pk))
    assert event.changes == {"old": {"position": ""}, "new": {"position": "Công chức"}}


def test_assignment_admin_is_read_only_and_scoped(client, users):
    officer = users.province_officer
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    changelist = client.get(reverse("admin:accounts_roleassignment_changelist"))
    assert changelist.status_code == 200
    shown = {a.user.username for a in changelist.context["cl"].result_list}
    assert "commune_officer" in shown
    assert "commune_officer_dl" not in shown
    in_area = RoleAssignment.objects.get(user=users.commune_officer)
    out_of_area = RoleAssignment.objects.get(user=users.commune_officer_dl)
    page = client.get(reverse("admin:accounts_roleassignment_change", args=[in_area.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.get(reverse("admin:accounts_roleassignment_change", args=[out_of_area.pk])).status_code == 404
    assert client.get(reverse("admin:accounts_roleassignment_add")).status_code == 403
