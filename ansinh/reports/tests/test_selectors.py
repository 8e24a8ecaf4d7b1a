"""Dashboard figures come from the database, through the user's own scope."""

from datetime import date

from ansinh.accounts.models import User
from ansinh.accounts.services import role_assignment_create
from ansinh.audit.tests.helpers import record
from ansinh.jobs.models import Job, JobStatus
from ansinh.reports.selectors import (
    dashboard_areas,
    dashboard_pending_jobs,
    dashboard_quick_links,
    dashboard_recent_events,
)


def _areas(user):
    return [(a.name, a.communes, a.villages, [r.code for r in a.roles]) for a in dashboard_areas(user=user)]


def test_province_area_counts_its_communes_and_villages(users):
    assert _areas(users.province_officer) == [("Tỉnh Thanh Hóa", 2, 2, ["province_officer"])]


def test_commune_and_legacy_district_areas(users):
    assert _areas(users.commune_officer) == [("Xã Thọ Xuân", 1, 2, ["commune_officer"])]
    assert _areas(users.district_officer) == [("Huyện Thọ Xuân", 1, 0, ["district_officer"])]


def test_national_area_counts_the_2025_structure_once(users):
    # Three 2025 communes (Thọ Xuân, Hạc Thành, M'Đrắk); the legacy Xuân Hồng is not counted again.
    assert _areas(users.auditor) == [("Toàn quốc", 3, 3, ["auditor"])]


def test_several_roles_on_one_unit_make_one_area(users, units, roles):
    role_assignment_create(actor=None, user=users.commune_officer, role=roles["supervisor"], unit=units.tho_xuan)
    role_assignment_create(actor=None, user=users.commune_officer, role=roles["enumerator"], unit=units.t1)
    user = User.objects.get(pk=users.commune_officer.pk)
    assert _areas(user) == [
        ("Xã Thọ Xuân", 1, 2, ["commune_officer", "supervisor"]),
        ("Thôn 1, Xã Thọ Xuân", 0, 1, ["enumerator"]),
    ]


def test_no_active_role_means_no_area(users, units, roles):
    role_assignment_create(
        actor=None, user=users.no_role, role=roles["commune_officer"], unit=units.tho_xuan,
        valid_from=date(2025, 7, 1), valid_to=date(2025, 7, 31),
    )  # fmt: skip
    assert dashboard_areas(user=User.objects.get(pk=users.no_role.pk)) == []


def test_pending_jobs_are_the_users_unfinished_ones(users):
    mine = Job.objects.create(
        kind="import", label="Nhập hộ", status=JobStatus.RUNNING, created_by=users.commune_officer
    )
    Job.objects.create(kind="import", label="Xong", status=JobStatus.SUCCEEDED, created_by=users.commune_officer)
    Job.objects.create(kind="import", label="Lỗi", status=JobStatus.FAILED, created_by=users.commune_officer)
    Job.objects.create(kind="import", label="Của người khác", status=JobStatus.QUEUED, created_by=users.commune_chair)
    assert dashboard_pending_jobs(user=users.commune_officer) == [mine]


def test_recent_events_are_in_area_and_need_the_permission(users, units):
    in_area = record(unit=units.t1)
    out_of_area = record(unit=units.b1)
    events = dashboard_recent_events(user=users.commune_officer)
    assert in_area in events
    assert out_of_area not in events
    assert len(events) <= 10
    assert events[0].label  # a readable label, not a bare code
    assert dashboard_recent_events(user=users.village_head) is None


def test_quick_links_follow_permissions(users):
    officer_links = {str(link["label"]) for link in dashboard_quick_links(user=users.province_officer)}
    assert "Giao vai trò" in officer_links
    head_links = {str(link["label"]) for link in dashboard_quick_links(user=users.village_head)}
    assert "Giao vai trò" not in head_links
    assert "Tài khoản của tôi" in head_links
    # Everyday work first: the households and the reviews for who may read them; moves between
    # communes for the commune officer; none of them for a role that reads neither.
    assert {"Hộ gia đình", "Các đợt rà soát"} <= head_links and "Chuyển hộ giữa các xã" not in head_links
    assert "Chuyển hộ giữa các xã" in {str(link["label"]) for link in dashboard_quick_links(user=users.commune_officer)}
    agency_links = {str(link["label"]) for link in dashboard_quick_links(user=users.helping_agency_member)}
    assert not {"Hộ gia đình", "Các đợt rà soát"} & agency_links


def test_a_village_card_counts_no_units_beneath_it(client, users):
    client.force_login(users.village_head)
    page = client.get("/").content.decode()
    assert "Thôn 1, Xã Thọ Xuân" in page and "thôn/tổ dân phố</p>" not in page
    client.force_login(users.commune_officer)
    assert "thôn/tổ dân phố</p>" in client.get("/").content.decode()
