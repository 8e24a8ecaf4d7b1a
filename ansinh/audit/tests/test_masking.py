"""Identity numbers recorded in audit events are read masked outside the reader's full-identity
area, on the event page and in the API; the stored event (and its hash) is unchanged."""

import pytest
from django.urls import reverse

from ansinh.audit.masking import ChangesReader
from ansinh.audit.models import AuditEvent
from ansinh.audit.selectors import change_rows
from ansinh.audit.tests.helpers import record

CCCD_OLD, CCCD_NEW = "038075000123", "038175000456"
CHANGES = {
    "old": {"id_number": CCCD_OLD, "full_name": "Lê Văn An"},
    "new": {"id_number": CCCD_NEW, "full_name": "Lê Văn Ân"},
    "details": [{"id_number": CCCD_NEW, "member_ids": [1, 2]}],
}


@pytest.fixture
def event(units):
    return record(unit=units.t1, changes=CHANGES)


def _page(client, user, event):
    client.force_login(user)
    return client.get(reverse("audit:event_detail", args=[event.pk])).content.decode()


def _api(client, user, event):
    client.force_login(user)
    one = client.get(f"/api/v1/audit-events/{event.pk}").json()["changes"]
    listed = next(e for e in client.get("/api/v1/audit-events/").json()["items"] if e["id"] == event.pk)["changes"]
    return one, listed


@pytest.mark.parametrize("who", ["province_officer", "province_approver", "auditor", "inspector"])
def test_readers_without_the_full_identity_permission_see_masked_numbers(client, users, event, who):
    user = getattr(users, who)
    page = _page(client, user, event)
    assert CCCD_OLD not in page and CCCD_NEW not in page
    assert "•••••••••123" in page and "•••••••••456" in page
    for changes in _api(client, user, event):
        assert changes["old"]["id_number"] == "•••••••••123" and changes["new"]["id_number"] == "•••••••••456"
        assert changes["details"][0]["id_number"] == "•••••••••456" and changes["details"][0]["member_ids"] == [1, 2]
        assert changes["new"]["full_name"] == "Lê Văn Ân"


@pytest.mark.parametrize("who", ["commune_officer", "system_admin"])
def test_readers_with_the_permission_over_the_area_see_the_whole_number(client, users, event, who):
    user = getattr(users, who)
    page = _page(client, user, event)
    assert CCCD_OLD in page and CCCD_NEW in page
    for changes in _api(client, user, event):
        assert changes == CHANGES


def test_masking_reads_only_and_keeps_the_stored_event(users, event):
    assert ChangesReader(users.auditor)(event)["new"]["id_number"] == "•••••••••456"
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == CHANGES and stored.hash == event.hash


def test_a_national_event_is_masked_for_a_commune_officer(users):
    national = record(unit="", changes={"new": {"id_number": CCCD_NEW}})
    assert ChangesReader(users.commune_officer)(national) == {"new": {"id_number": "•••••••••456"}}
    assert ChangesReader(users.system_admin)(national) == {"new": {"id_number": CCCD_NEW}}


def test_change_rows_read_as_the_objects_fields(users, units):
    event = record(
        unit=units.t1,
        target=units.t1,
        changes={"old": {"area_type": "rural", "valid_from": "2025-07-01", "unknown": 3},
                 "new": {"area_type": "urban", "valid_from": "2026-01-01", "unknown": None}},
    )  # fmt: skip
    rows = {name: (label, old, new) for name, label, old, new in change_rows(event, user=users.system_admin)}
    assert rows["area_type"] == ("Khu vực", "Nông thôn", "Thành thị")
    assert rows["valid_from"][1:] == ("01/07/2025", "01/01/2026")
    assert rows["unknown"] == ("unknown", 3, None)


def test_a_form_bs_income_and_score_are_masked_for_a_reader_without_the_income_permission(units):
    from types import SimpleNamespace

    from ansinh.core.scoping import AreaScope
    from ansinh.poverty.privacy import VIEW_INCOME_PERM

    detail = {"total": 150, "items": [{"code": "tv", "points": 5}]}
    recorded = {"new": {"standard": "2022-2025", "income_per_capita": 1_050_000, "income_score": None,
                        "score_detail": detail, "farming": True}}  # fmt: skip
    event = record(unit=units.t1, changes=recorded)

    def area_scope(perm):
        return AreaScope.nothing() if perm == VIEW_INCOME_PERM else AreaScope.everywhere()

    reader = SimpleNamespace(is_authenticated=True, is_active=True, area_scope=area_scope)
    new = ChangesReader(reader)(event)["new"]
    assert new == {"standard": "2022-2025", "income_per_capita": "••• (ẩn)", "income_score": None,
                   "score_detail": "••• (ẩn)", "farming": True}  # fmt: skip
    everyone = SimpleNamespace(is_authenticated=True, is_active=True, area_scope=lambda perm: AreaScope.everywhere())
    assert ChangesReader(everyone)(event) == recorded
