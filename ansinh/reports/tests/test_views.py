"""The dashboard page: light on queries, explicit when the user has no active role."""

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
