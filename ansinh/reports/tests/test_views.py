"""The dashboard page: light on queries, explicit when the user has no active role."""

import re

from django.urls import reverse

from ansinh.audit.tests.helpers import record
from ansinh.jobs.models import Job, JobStatus

DASHBOARD = reverse("reports:dashboard")


def test_dashboard_shows_name_areas_jobs_and_events(client, users, units, django_assert_max_num_queries):
    Job.objects.create(
        kind="import", label="Nhập danh sách hộ", status=JobStatus.RUNNING, created_by=users.province_officer
    )
    for _ in range(15):
        record(unit=units.t1)
    client.force_login(users.province_officer)
    with django_assert_max_num_queries(12):
        response = client.get(DASHBOARD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Xin chào, province_officer" in page
    assert "Tỉnh Thanh Hóa" in page
    assert "Nhập danh sách hộ" in page
    assert len(response.context["recent_events"]) == 10
    assert "Hoạt động gần đây trong địa bàn" in page


def test_dashboard_without_audit_permission_has_no_events_section(client, users):
    client.force_login(users.village_head)
    response = client.get(DASHBOARD)
    assert response.context["recent_events"] is None
    assert "Hoạt động gần đây" not in response.content.decode()


def test_dashboard_of_a_user_without_role(client, users, django_assert_max_num_queries):
    client.force_login(users.no_role)
    with django_assert_max_num_queries(8):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Bạn chưa có vai trò nào đang hiệu lực" in response.content.decode()
    assert response.context["areas"] == []


def test_recent_events_name_the_actor_by_full_name_and_the_system_in_words(client, users, units):
    users.commune_officer.full_name = "Lê Thị Hoa"
    users.commune_officer.save(update_fields=["full_name"])
    users.enumerator.full_name = ""
    users.enumerator.save(update_fields=["full_name"])
    record(unit=units.t1, actor=users.commune_officer)
    record(unit=units.t1, actor=users.enumerator)
    record(unit=units.t1)  # a command or the job worker: no user
    client.force_login(users.province_officer)
    cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", client.get(DASHBOARD).content.decode())
    assert {"Lê Thị Hoa", users.enumerator.username, "Hệ thống"} <= set(cells)
    assert "system" not in cells and users.commune_officer.username not in cells
    client.cookies["django_language"] = "en"
    cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", client.get(DASHBOARD).content.decode())
    assert "System" in cells and "system" not in cells and "Hệ thống" not in cells


def test_import_batches_awaiting_approval_are_listed_for_those_who_may_approve_them(
    client, users, units, django_capture_on_commit_callbacks
):
    from ansinh.registry.models import RegistrySettings
    from ansinh.registry.services_import import import_batch_create
    from ansinh.registry.tests.data.import_files import csv_bytes, upload

    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(csv_bytes()),
                                    mode="create", dry_run=False)  # fmt: skip
    url = reverse("registry:import_detail", kwargs={"pk": batch.pk})
    for user, shown in [(users.commune_chair, True), (users.commune_officer, False),
                        (users.commune_officer_dl, False)]:  # fmt: skip
        client.force_login(user)
        page = client.get(DASHBOARD).content.decode()
        assert ("Lần nhập chờ bạn duyệt" in page) is shown
        assert (f'href="{url}"' in page) is shown
    client.force_login(users.commune_chair)
    page = client.get(DASHBOARD).content.decode()
    assert "thêm 2 hộ, cập nhật 0 hộ" in page and "Xã Thọ Xuân" in page


def test_area_counts_are_written_the_vietnamese_way_in_both_languages(client, users, units, monkeypatch):
    from ansinh.reports import selectors
    from ansinh.reports.selectors import Area

    monkeypatch.setattr(selectors, "dashboard_areas", lambda user: [Area(unit=None, communes=3321, villages=10596)])
    client.force_login(users.province_officer)
    page = client.get(DASHBOARD).content.decode()
    assert "<strong>3.321</strong> xã/phường" in page and "<strong>10.596</strong> thôn/tổ dân phố" in page
    client.cookies["django_language"] = "en"
    page = client.get(DASHBOARD).content.decode()
    assert "<strong>3.321</strong>" in page and "<strong>10.596</strong>" in page


def test_households_moving_in_are_listed_for_the_commune_that_must_accept_them(client, users, units):
    from django.utils import timezone

    from ansinh.registry.services_life import household_move_request
    from ansinh.registry.tests.factories import make_household

    moves = [
        household_move_request(actor=users.commune_officer, to_commune=units.mdrak, move_date=timezone.localdate(),
                               household=make_household(units.tho_xuan, code=f"MV{i}", actor=users.commune_officer))
        for i in range(12)
    ]  # fmt: skip
    first = reverse("registry:move_detail", kwargs={"pk": moves[0].pk})
    for user, shown in [(users.commune_officer_dl, True), (users.commune_officer, False),
                        (users.province_officer_dl, False), (users.auditor, False)]:  # fmt: skip
        client.force_login(user)
        page = client.get(DASHBOARD).content.decode()
        assert ("12 hộ chuyển đến chờ tiếp nhận" in page) is shown
        assert (f'href="{first}"' in page) is shown
    client.force_login(users.commune_officer_dl)
    page = client.get(DASHBOARD).content.decode()
    assert len(re.findall(r'href="/households/moves/\d+/"', page)) == 10  # the ten oldest, then a link to them all
    assert "từ Xã Thọ Xuân, Tỉnh Thanh Hóa đến Xã M&#x27;Đrắk, Tỉnh Đắk Lắk" in page
    assert "?direction=in&amp;status=requested" in page


def test_pending_jobs_are_named_in_the_readers_language(client, users, settings):
    name = "Kiểm tra toàn vẹn nhật ký kiểm toán"
    entry = {"msgid": name, "params": {}, "text": name}
    Job.objects.create(kind="audit.verify", label=entry["text"], label_entry=entry, status=JobStatus.QUEUED,
                       created_by=users.province_officer)  # fmt: skip
    Job.objects.create(kind="import", label="Nhập hộ (cũ)", status=JobStatus.RUNNING,
                       created_by=users.province_officer)  # fmt: skip
    client.force_login(users.province_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(DASHBOARD).content.decode()
    assert "<li>Verify audit log integrity — " in page
    assert "<li>Nhập hộ (cũ) — " in page  # a job created before entries: as written


def test_commune_and_village_cards_give_the_households_by_class_and_the_poverty_rate(client, users, units):
    from ansinh.registry.models import Household
    from ansinh.registry.tests.factories import make_household

    for code, klass in [("A1", "poor"), ("A2", "near_poor"), ("A3", "not_poor"), ("A4", "not_poor")]:
        household = make_household(units.tho_xuan, code=code, village=units.t1, actor=users.commune_officer)
        Household.objects.filter(pk=household.pk).update(poverty_class=klass)
    client.force_login(users.commune_officer)
    page = client.get(DASHBOARD).content.decode()
    assert "Hộ đang quản lý" in page and "Hộ nghèo" in page
    assert "(25,00%)" in page  # 1 poor and 1 near-poor of 4
    assert f"/households/?status=active&amp;commune={units.tho_xuan.pk}&amp;poverty_class=poor" in page
    client.force_login(users.village_head)
    page = client.get(DASHBOARD).content.decode()
    assert f"status=active&amp;village={units.t1.pk}&amp;poverty_class=near_poor" in page
    for reader in (users.helping_agency_member, users.province_officer):  # may not read households; too large
        client.force_login(reader)
        assert "Hộ đang quản lý" not in client.get(DASHBOARD).content.decode()
