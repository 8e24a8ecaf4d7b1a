import pytest

from ansinh.audit.events import AuditEventType
from ansinh.audit.tests.helpers import record

URL = "/api/v1/audit-events/"


@pytest.fixture
def events(units, users):
    th = record(unit=units.t1, actor=users.commune_officer, changes={"new": {"name": "Thôn 1"}})
    dl = record(unit=units.b1, actor=users.commune_officer_dl, event_type=AuditEventType.FULL_IDENTITY_VIEWED)
    return th, dl


def ids(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_dak_lak_user_never_sees_thanh_hoa_events(client, users, events):
    th, dl = events
    client.force_login(users.commune_officer_dl)
    seen = ids(client)
    assert dl.pk in seen
    assert th.pk not in seen
    response = client.get(f"{URL}{th.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_get_returns_the_event(client, users, events):
    th, _dl = events
    client.force_login(users.commune_officer)
    body = client.get(f"{URL}{th.pk}").json()
    assert body["id"] == th.pk
    assert body["event_label"] == "Tải tệp xuất dữ liệu"
    assert body["actor_label"] == "commune_officer"
    assert body["changes"] == {"new": {"name": "Thôn 1"}}
    assert (body["hash"], body["prev_hash"], body["chain_key"]) == (th.hash, th.prev_hash, "2025:38")
    # The type stays machine-readable; its name comes beside it, in the reader's language.
    assert (body["target_type"], body["target_type_label"]) == ("geo.adminunit", "Đơn vị hành chính")
    client.cookies["django_language"] = "en"
    english = client.get(f"{URL}{th.pk}").json()
    assert (english["target_type"], english["target_type_label"]) == ("geo.adminunit", "Administrative unit")


def test_filters_and_pagination(client, users, events):
    th, dl = events
    client.force_login(users.auditor)
    assert ids(client, actor="commune_officer_dl") == {dl.pk}
    assert ids(client, event_type=int(AuditEventType.FULL_IDENTITY_VIEWED)) == {dl.pk}
    assert ids(client, target_type="geo.adminunit", target_id=th.target_id) == {th.pk}
    day = th.occurred_at.astimezone().date().isoformat()
    assert {th.pk, dl.pk} <= ids(client, date_from=day, date_to=day)
    page = client.get(URL, {"page_size": 1}).json()
    assert (page["page_size"], len(page["items"])) == (1, 1)
    assert page["pages"] == page["count"] >= 2


def test_invalid_filter_answers_422(client, users):
    client.force_login(users.auditor)
    response = client.get(URL, {"event_type": 99999})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    response = client.get(URL, {"target_type": "hộ gia đình"})  # a type is filtered by its label, not its name
    assert response.status_code == 422
    assert "target_type" in response.json()["details"]


def test_target_type_filter_takes_any_stored_label(client, users, events):
    client.force_login(users.auditor)
    assert ids(client, target_type="registry.household") == set()
    assert ids(client, target_type="oldapp.oldmodel") == set()  # a model since removed: no error


def test_without_permission_is_forbidden(client, users, events):
    client.force_login(users.village_head)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{events[0].pk}").status_code == 403
