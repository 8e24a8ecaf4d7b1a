"""The audit pages name an event's area by its units (the stored path stays in a tooltip)."""

from django.urls import reverse

from ansinh.audit.tests.helpers import record


def test_the_list_names_each_events_area_with_its_path_in_the_tooltip(client, users, units):
    village, national = record(unit=units.t1), record(unit="")
    client.force_login(users.auditor)
    page = client.get(reverse("audit:event_list")).content.decode()
    assert f'<span title="{units.t1.path}">Thôn 1, Xã Thọ Xuân</span>' in page
    assert "Toàn quốc" in page
    body = client.get(reverse("audit:event_detail", args=[village.pk])).content.decode()
    assert "Thôn 1, Xã Thọ Xuân" in body and f"<code>{units.t1.path}</code>" in body
    body = client.get(reverse("audit:event_detail", args=[national.pk])).content.decode()
    assert "Toàn quốc" in body


def test_a_commune_officer_reads_the_names_of_their_own_area(client, users, units):
    record(unit=units.t1)
    client.force_login(users.commune_officer)
    page = client.get(reverse("audit:event_list")).content.decode()
    assert "Thôn 1, Xã Thọ Xuân" in page
