from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.events import AuditEventType
from ansinh.audit.tables import VN_TZ
from ansinh.audit.tests.helpers import record
from ansinh.jobs.models import Job, JobStatus


@pytest.fixture
def events(units, users):
    th = record(
        unit=units.t1,
        actor=users.commune_officer,
        changes={"old": {"name": "Thôn Một"}, "new": {"name": "Thôn 1"}},
    )
    dl = record(unit=units.b1, actor=users.commune_officer_dl, event_type=AuditEventType.FULL_IDENTITY_VIEWED)
    return th, dl


def list_ids(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("audit:event_list"), params)
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].paginated_rows}


def test_dak_lak_user_never_sees_thanh_hoa_events(client, users, events):
    th, dl = events
    ids = list_ids(client, users.commune_officer_dl)
    assert dl.pk in ids
    assert th.pk not in ids
    assert client.get(reverse("audit:event_detail", kwargs={"pk": th.pk})).status_code == 404


def test_commune_officer_sees_only_own_commune(client, users, events):
    th, dl = events
    ids = list_ids(client, users.commune_officer)
    assert th.pk in ids
    assert dl.pk not in ids


def test_filters(client, users, events):
    th, dl = events
    auditor = users.auditor
    assert list_ids(client, auditor, actor="commune_officer_dl") == {dl.pk}
    assert list_ids(client, auditor, event_type=AuditEventType.FULL_IDENTITY_VIEWED) == {dl.pk}
    assert th.pk in list_ids(client, auditor, target_type="geo.adminunit", target_id=th.target_id)
    assert dl.pk not in list_ids(client, auditor, target_type="geo.adminunit", target_id=th.target_id)
    today = timezone.localdate(th.occurred_at, VN_TZ)
    assert {th.pk, dl.pk} <= list_ids(client, auditor, date_from=today.isoformat(), date_to=today.isoformat())
    assert not list_ids(client, auditor, date_from=(today + timedelta(days=1)).isoformat())
    assert not list_ids(client, auditor, date_to=(today - timedelta(days=1)).isoformat())


def test_list_shows_label_local_time_and_area(client, users, events):
    th, _dl = events
    client.force_login(users.commune_officer)
    html = client.get(reverse("audit:event_list")).content.decode()
    assert "Tải tệp xuất dữ liệu" in html
    assert timezone.localtime(th.occurred_at, VN_TZ).strftime("%d/%m/%Y %H:%M:%S") in html
    assert th.unit_path in html
    assert 'name="event_type"' in html


def test_list_query_count_does_not_grow_with_rows(client, users, units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.auditor)
    url = reverse("audit:event_list")
    client.get(url)  # warm the session and the permission caches of this client

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries_for_page()
    for _ in range(30):
        record(unit=units.t1, actor=users.commune_officer)
    assert queries_for_page() == few


def test_detail_shows_changes_hashes_and_request_id(client, users, units):
    from ansinh.core.context import request_id_var

    # As inside a request: the middleware sets the id, and the service's event carries it.
    token = request_id_var.set("req-abcdef123456")
    try:
        event = record(unit=units.t1, actor=users.commune_officer, changes={"old": {"name": "A"}, "new": {"name": "B"}})
    finally:
        request_id_var.reset(token)
    client.force_login(users.commune_officer)
    html = client.get(reverse("audit:event_detail", kwargs={"pk": event.pk})).content.decode()
    assert '<th scope="row" title="name">Tên</th><td>A</td><td>B</td>' in html  # the unit's field, by its name
    assert event.hash in html
    assert event.prev_hash in html
    assert "req-abcdef123456" in html


def test_verify_button_only_for_national_readers(client, users, events):
    client.force_login(users.auditor)
    assert reverse("audit:verify_start") in client.get(reverse("audit:event_list")).content.decode()
    client.force_login(users.province_officer)
    assert reverse("audit:verify_start") not in client.get(reverse("audit:event_list")).content.decode()


def test_verify_start_runs_the_job_and_redirects_to_it(client, users, events, django_capture_on_commit_callbacks):
    client.force_login(users.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify_start"))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job_detail", kwargs={"pk": job.pk})
    assert (job.kind, job.created_by, job.status) == ("audit.verify", users.auditor, JobStatus.SUCCEEDED)
    assert job.result["intact"] is True


@pytest.mark.parametrize("username", ["commune_officer", "province_officer", "inspector", "no_role"])
def test_verify_start_is_forbidden_below_national_scope(client, users, username):
    client.force_login(getattr(users, username))
    assert client.post(reverse("audit:verify_start")).status_code == 403
    assert not Job.objects.exists()


def test_verify_start_refuses_get(client, users):
    client.force_login(users.auditor)
    assert client.get(reverse("audit:verify_start")).status_code == 405


def test_event_type_filter_offers_all_first_so_submitting_the_form_does_not_filter():
    from ansinh.audit.filters import AuditEventFilter

    choices = list(AuditEventFilter({}).form.fields["event_type"].choices)
    assert choices[0][0] == ""
    assert len([c for c in choices if c[0] == ""]) == 1


def test_target_type_reads_as_the_models_name_in_the_readers_language(client, users, events):
    th, _dl = events  # its target is the village Thôn 1 (geo.adminunit)
    client.force_login(users.commune_officer)
    listing = client.get(reverse("audit:event_list")).content.decode()
    assert f"Thôn 1 (Đơn vị hành chính #{th.target_id})" in listing
    assert "geo.adminunit #" not in listing
    detail = client.get(reverse("audit:event_detail", kwargs={"pk": th.pk})).content.decode()
    assert f'<span title="geo.adminunit">Đơn vị hành chính</span> #{th.target_id}' in detail
    client.cookies["django_language"] = "en"
    assert f"Thôn 1 (Administrative unit #{th.target_id})" in client.get(reverse("audit:event_list")).content.decode()
    detail = client.get(reverse("audit:event_detail", kwargs={"pk": th.pk})).content.decode()
    assert f'<span title="geo.adminunit">Administrative unit</span> #{th.target_id}' in detail


def test_a_target_type_no_model_answers_to_shows_as_stored():
    from types import SimpleNamespace

    from django.utils import translation

    from ansinh.audit import target_types
    from ansinh.audit.tables import AuditEventTable

    assert target_types.label_for("registry.household") == "Hộ gia đình"
    with translation.override("en"):
        assert target_types.label_for("registry.household") == "Household"
    # An event about a model since removed, and an event with no target.
    assert target_types.label_for("oldapp.oldmodel") == "oldapp.oldmodel"
    assert target_types.label_for("") == ""
    gone = SimpleNamespace(target_type="oldapp.oldmodel", target_id="7")
    assert AuditEventTable([]).render_target(value="Cũ", record=gone) == "Cũ (oldapp.oldmodel #7)"
    assert AuditEventTable([]).render_target(value="", record=SimpleNamespace(target_type="", target_id="")) == ""


def test_target_type_filter_is_a_list_of_model_names_with_the_stored_labels_as_values(client, users, events):
    from django.utils import translation

    from ansinh.audit.filters import AuditEventFilter

    th, dl = events
    choices = list(AuditEventFilter({}).form.fields["target_type"].choices)
    assert choices[0] == ("", "Tất cả")
    values = [value for value, _label in choices[1:]]
    labels = [label for _value, label in choices[1:]]
    assert ("registry.household", "Hộ gia đình") in choices
    assert ("geo.adminunit", "Đơn vị hành chính") in choices
    assert len(set(values)) == len(values)
    assert len(set(labels)) == len(labels)  # no two types read alike
    with translation.override("en"):
        assert ("registry.household", "Household") in list(AuditEventFilter({}).form.fields["target_type"].choices)
    # The page offers the list, and the stored labels filter as before (links keep working).
    client.force_login(users.auditor)
    html = client.get(reverse("audit:event_list")).content.decode()
    assert '<option value="registry.household">Hộ gia đình</option>' in html
    assert list_ids(client, users.auditor, target_type="geo.adminunit") >= {th.pk, dl.pk}
    assert not list_ids(client, users.auditor, target_type="registry.household") & {th.pk, dl.pk}


def test_target_type_filter_keeps_a_stored_label_of_no_model_and_refuses_other_text(client, users, events):
    client.force_login(users.auditor)
    response = client.get(reverse("audit:event_list"), {"target_type": "oldapp.oldmodel"})
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    assert '<option value="oldapp.oldmodel" selected>oldapp.oldmodel</option>' in response.content.decode()
    assert not list(response.context["table"].paginated_rows)
    response = client.get(reverse("audit:event_list"), {"target_type": "hộ gia đình"})
    assert "target_type" in response.context["filter"].form.errors
    assert not list(response.context["table"].paginated_rows)


def test_the_log_names_people_by_their_name_and_the_system_in_words(client, users, units):
    """The list and the detail said "system" and login names; the login name stays in the tooltip."""
    users.commune_officer.full_name = "Lê Thị Hoa"
    users.commune_officer.save(update_fields=["full_name"])
    by_officer = record(unit=units.t1, actor=users.commune_officer)
    by_system = record(unit=units.t1)
    client.force_login(users.commune_officer)
    page = client.get(reverse("audit:event_list")).content.decode()
    assert '<span title="commune_officer">Lê Thị Hoa</span>' in page
    assert '<span title="system">Hệ thống</span>' in page
    detail = client.get(reverse("audit:event_detail", kwargs={"pk": by_officer.pk})).content.decode()
    assert 'Lê Thị Hoa <span class="muted">(commune_officer)</span>' in detail
    detail = client.get(reverse("audit:event_detail", kwargs={"pk": by_system.pk})).content.decode()
    assert '<dd>Hệ thống <span class="muted">(system)</span></dd>' in detail
