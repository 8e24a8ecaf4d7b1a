from django.urls import reverse

from ansinh.audit.tests.helpers import record


def test_admin_is_read_only_and_scoped(client, users, units):
    officer = users.commune_officer
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    th = record(unit=units.t1, actor=officer)
    dl = record(unit=units.b1)
    client.force_login(officer)
    changelist = client.get(reverse("admin:audit_auditevent_changelist"))
    assert changelist.status_code == 200
    shown = {event.pk for event in changelist.context["cl"].result_list}
    assert th.pk in shown
    assert dl.pk not in shown
    page = client.get(reverse("admin:audit_auditevent_change", args=[th.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.get(reverse("admin:audit_auditevent_change", args=[dl.pk])).status_code == 404
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[th.pk])).status_code == 403
