"""Pages of accounts: sign-in with lock-out, the profile with tokens, and role-assignment pages."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.events import AccountsEventType
from ansinh.accounts.models import ApiToken, Role, RoleAssignment, User
from ansinh.accounts.services import api_token_create, role_assignment_create
from ansinh.audit.models import AuditEvent
from conftest import DEMO_PASSWORD

LOGIN = reverse("accounts:login")


# -- sign-in, lock-out, sign-out ------------------------------------------------------------------
def test_login_success_goes_to_the_dashboard(client, users):
    response = client.post(LOGIN, {"username": "commune_officer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard")
    assert client.session.get_expiry_age() == 2 * 60 * 60


def test_wrong_password_shows_a_vietnamese_error(client, users):
    response = client.post(LOGIN, {"username": "commune_officer", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, users):
    before = AuditEvent.objects.count()
    for _ in range(4):
        assert client.post(LOGIN, {"username": "commune_officer", "password": "sai-mat-khau"}).status_code == 200
    locked = client.post(LOGIN, {"username": "commune_officer", "password": "sai-mat-khau"})
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "15 phút" in locked.content.decode()
    # The right password does not help while the lock lasts, and no session is opened.
    again = client.post(LOGIN, {"username": "commune_officer", "password": DEMO_PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert User.objects.get(username="commune_officer").last_login is None
    events = AuditEvent.objects.filter(event_type=AccountsEventType.LOGIN_LOCKED_OUT)
    assert events.count() == 2  # the lock-out, then the attempt refused during it
    assert AuditEvent.objects.count() == before + 2  # nothing else was written
    for event in events:
        assert event.changes["new"]["username"] == "commune_officer"
        assert "sai-mat-khau" not in str(event.changes)
        assert DEMO_PASSWORD not in str(event.changes)


def test_lockout_of_one_username_does_not_lock_another(client, users):
    for _ in range(5):
        client.post(LOGIN, {"username": "commune_officer", "password": "sai"})
    response = client.post(LOGIN, {"username": "commune_chair", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_deactivated_account_cannot_sign_in(client, users):
    # A deactivated account is a block the administrator set on purpose; it must not open a session.
    users.commune_officer.is_active = False
    users.commune_officer.save(update_fields=["is_active"])
    response = client.post(LOGIN, {"username": "commune_officer", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_user_whose_roles_all_expired_signs_in_but_sees_nothing(client, users):
    RoleAssignment.objects.filter(user=users.commune_officer).update(
        valid_from=date(2020, 1, 1), valid_to=timezone.localdate() - timedelta(days=1)
    )
    response = client.post(LOGIN, {"username": "commune_officer", "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bạn chưa có vai trò nào đang hiệu lực" in page
    assert response.context["areas"] == []
    assert client.get(reverse("accounts:assignment_list")).status_code == 403


def test_logout_is_post_only(client, users):
    client.force_login(users.commune_officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_missing_csrf_token_is_refused_with_the_translated_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.commune_officer)
    token = api_token_create(actor=users.commune_officer, name="x").token
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_expired_session_is_refused(client, users):
    client.force_login(users.commune_officer)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert LOGIN in response["Location"]


def test_each_request_slides_the_session_window(client, users):
    client.force_login(users.commune_officer)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("accounts:profile"))
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(hours=1, minutes=59)


# -- profile, password, tokens --------------------------------------------------------------------
def test_profile_shows_roles_areas_and_validity(client, users, units, roles):
    role_assignment_create(
        actor=None, user=users.commune_officer, role=roles["supervisor"], unit=units.hac_thanh,
        valid_from=date(2025, 7, 1), valid_to=date(2025, 12, 31),
    )  # fmt: skip
    client.force_login(users.commune_officer)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Công chức xã phụ trách giảm nghèo" in page
    assert "Xã Thọ Xuân" in page
    assert "Phường Hạc Thành" in page
    assert "31/12/2025" in page
    assert "hết hiệu lực" in page


def test_profile_of_a_national_role_says_whole_country(client, users):
    client.force_login(users.auditor)
    assert "Toàn quốc" in client.get(reverse("accounts:profile")).content.decode()


def test_password_change(client, users):
    client.force_login(users.commune_officer)
    new_password = "Đồng-lúa-xanh-mướt-2025"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert User.objects.get(pk=users.commune_officer.pk).check_password(new_password)
    assert "_auth_user_id" in client.session  # the session survives its own password change


def test_password_change_refuses_a_wrong_old_password(client, users):
    client.force_login(users.commune_officer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "sai", "new_password1": "Đồng-lúa-xanh-2025", "new_password2": "Đồng-lúa-xanh-2025"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=users.commune_officer.pk).check_password(DEMO_PASSWORD)


def test_token_create_shows_the_secret_once(client, users):
    client.force_login(users.commune_officer)
    response = client.post(reverse("accounts:token_create"), {"name": "kế toán xã", "expires_on": "2099-12-31"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "chỉ hiện một lần" in response.content.decode()
    token = ApiToken.objects.get(user=users.commune_officer)
    assert token.expires_at.date() == date(2099, 12, 31)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "kế toán xã" in profile
    assert secret not in profile
    assert secret.split("_")[2] not in profile


def test_token_create_refuses_a_past_expiry(client, users):
    client.force_login(users.commune_officer)
    response = client.post(reverse("accounts:token_create"), {"name": "x", "expires_on": "2020-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_token_revoke(client, users):
    token = api_token_create(actor=users.commune_officer, name="x").token
    client.force_login(users.commune_officer)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    # A second revoke is refused with a message, not an error page.
    again = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "đã bị thu hồi" in again.content.decode()


# -- role assignments ------------------------------------------------------------------------------
def test_assignment_list_shows_only_the_viewers_area(client, users, django_assert_max_num_queries):
    client.force_login(users.province_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:assignment_list"))
    usernames = {a.user.username for a in response.context["object_list"]}
    assert {"commune_officer", "village_head", "province_officer", "province_approver"} <= usernames
    # The legacy district is reported under Thanh Hóa; Đắk Lắk and national roles are not visible.
    assert "district_officer" in usernames
    assert not usernames & {"commune_officer_dl", "province_officer_dl", "auditor", "system_admin"}


def test_assignment_list_query_count_does_not_grow_with_rows(
    client, users, units, roles, django_assert_max_num_queries
):
    for i in range(30):
        user = User.objects.create_user(f"extra{i}", password="x")
        role_assignment_create(actor=None, user=user, role=roles["enumerator"], unit=units.t2)
    client.force_login(users.province_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:assignment_list"))
    assert len(response.context["object_list"]) > 30


def test_assignment_list_filters(client, users, units, roles):
    role_assignment_create(
        actor=None, user=users.no_role, role=roles["supervisor"], unit=units.hac_thanh,
        valid_from=date(2025, 7, 1), valid_to=date(2025, 12, 31),
    )  # fmt: skip
    client.force_login(users.province_officer)
    url = reverse("accounts:assignment_list")
    supervisor = Role.objects.get(code="supervisor")

    def names(params):
        return sorted(a.user.username for a in client.get(url, params).context["object_list"])

    assert names({"role": supervisor.pk}) == ["no_role", "supervisor"]
    assert names({"role": supervisor.pk, "active": "0"}) == ["no_role"]
    assert names({"role": supervisor.pk, "active": "1"}) == ["supervisor"]
    assert names({"username": "village"}) == ["village_head"]


def test_national_viewer_sees_every_assignment(client, users):
    client.force_login(users.auditor)
    response = client.get(reverse("accounts:assignment_list"))
    assert response.context["paginator"].count == RoleAssignment.objects.count()
    assert "Kết thúc" not in response.content.decode()  # the auditor reads, never manages


def _create_form(**overrides):
    data = {
        "username": "no_role", "role": Role.objects.get(code="supervisor").pk, "unit_structure": "2025",
        "unit_code": "16000", "valid_from": "2025-08-01", "valid_to": "", "note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_assignment_create(client, users, units):
    client.force_login(users.province_officer)
    response = client.post(reverse("accounts:assignment_create"), _create_form(unit_code="16000/T1"))
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=users.no_role)
    assert assignment.unit == units.t1
    assert assignment.created_by == users.province_officer
    assert AuditEvent.objects.filter(event_type=AccountsEventType.ROLE_ASSIGNED, target_id=str(assignment.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit_code": "24000"}, "Không tìm thấy đơn vị này trong địa bàn của bạn"),  # Đắk Lắk
        ({"unit_code": "66"}, "Không tìm thấy đơn vị này trong địa bàn của bạn"),
        ({"role": "district_officer"}, "chỉ dùng cho đơn vị trước 01/7/2025"),
        ({"username": "commune_officer", "role": "commune_officer"}, "đã có vai trò này"),
        ({"valid_from": "2026-02-01", "valid_to": "2026-01-01"}, "Ngày kết thúc phải sau ngày bắt đầu"),
        ({"unit_code": ""}, "không được giao vai trò trên địa bàn này"),  # national
        ({"username": "khong_co"}, "Không có tài khoản"),
        # The legacy district ended on 30/6/2025; the 2025 commune starts on 1/7/2025.
        ({"role": "district_officer", "unit_structure": "legacy", "unit_code": "393"},
         "Huyện Thọ Xuân chỉ có hiệu lực đến ngày 30/06/2025"),
        ({"valid_from": "2025-06-01"}, "Xã Thọ Xuân có hiệu lực từ ngày 01/07/2025"),
    ],
    ids=["out-of-area-commune", "out-of-area-province", "legacy-role", "duplicate", "reversed-dates", "national",
         "unknown-user", "legacy-unit-ended", "before-the-units-start"],
)  # fmt: skip
def test_assignment_create_refusals_write_nothing(client, users, overrides, message):
    if "role" in overrides:
        overrides["role"] = Role.objects.get(code=overrides["role"]).pk
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    client.force_login(users.province_officer)
    response = client.post(reverse("accounts:assignment_create"), _create_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_assignment_end(client, users):
    assignment = RoleAssignment.objects.get(user=users.commune_officer)
    client.force_login(users.province_officer)
    assert client.get(reverse("accounts:assignment_end", args=[assignment.pk])).status_code == 405
    response = client.post(reverse("accounts:assignment_end", args=[assignment.pk]))
    assert response.status_code == 302
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to == timezone.localdate()


def test_assignment_end_out_of_area_is_not_found_and_writes_nothing(client, users):
    assignment = RoleAssignment.objects.get(user=users.commune_officer_dl)
    before = AuditEvent.objects.count()
    client.force_login(users.province_officer)
    assert client.post(reverse("accounts:assignment_end", args=[assignment.pk])).status_code == 404
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to is None
    assert AuditEvent.objects.count() == before
