"""/api/v1/households/imports: multipart upload, follow, approve, commit, cancel, export."""

from ansinh.registry.choices import ImportStatus
from ansinh.registry.models import Household, ImportBatch, RegistrySettings

from .data.import_files import csv_bytes, upload

BASE = "/api/v1/households/imports/"


def _upload(client, units, *, dry_run=True, content=None, commune=None):
    return client.post(BASE, {"file": upload(content or csv_bytes()), "commune_id": (commune or units.tho_xuan).pk,
                              "mode": "create", "dry_run": str(dry_run).lower()})  # fmt: skip


def test_multipart_upload_then_commit(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, units)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["dry_run"] is True
    batch_id = body["id"]
    body = client.get(f"{BASE}{batch_id}").json()
    assert body["status"] == ImportStatus.VALIDATED
    assert body["counts"]["created"] == 2
    assert body["error_file_url"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}{batch_id}/commit")
    assert response.status_code == 200
    assert client.get(f"{BASE}{batch_id}").json()["status"] == ImportStatus.COMMITTED
    assert Household.objects.count() == 2
    listing = client.get(BASE).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == batch_id


def test_errors_are_returned_with_row_and_column(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    rows = [["H1", "", "An", "Chủ hộ", "Nam", "", "1970", "", "999", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = _upload(client, units, content=csv_bytes(rows)).json()["id"]
    errors = client.get(f"{BASE}{batch_id}").json()["errors"]
    assert errors[0]["row"] == 2 and errors[0]["column"] == "Số CCCD"


def test_unreadable_file_is_422_and_out_of_area_commune_404(client, users, units):
    client.force_login(users.commune_officer)
    response = _upload(client, units, content=b"\x00\x01")
    assert response.status_code == 422
    assert _upload(client, units, commune=units.mdrak).status_code == 404
    assert not ImportBatch.objects.exists()


def test_self_approval_is_refused_and_a_second_user_approves(client, users, units,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    client.force_login(users.system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = _upload(client, units, dry_run=False).json()["id"]
    assert client.get(f"{BASE}{batch_id}").json()["status"] == ImportStatus.AWAITING_APPROVAL
    response = client.post(f"{BASE}{batch_id}/approve")
    assert response.status_code == 409
    assert response.json()["code"] == "import_self_approval"
    client.force_login(users.commune_chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}{batch_id}/approve")
    assert response.status_code == 200
    assert response.json()["approved_by"] == "commune_chair"
    assert ImportBatch.objects.get().status == ImportStatus.COMMITTED


def test_cancel_then_nothing_more(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = _upload(client, units).json()["id"]
    assert client.post(f"{BASE}{batch_id}/cancel").json()["status"] == ImportStatus.CANCELLED
    assert client.post(f"{BASE}{batch_id}/commit").status_code == 409


def test_export_csv_and_xlsx(client, users, units):
    client.force_login(users.commune_officer)
    response = client.get(f"{BASE}export", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    response = client.get(f"{BASE}export", {"format": "xlsx"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_export_xlsx_too_large_is_refused_with_the_reason(client, users, units, settings):
    from .factories import head, make_household

    make_household(units.tho_xuan, village=units.t1, code="H1", actor=users.commune_officer, members=[head()])
    settings.ANSINH_XLSX_EXPORT_MAX_ROWS = 0
    client.force_login(users.commune_officer)
    response = client.get(f"{BASE}export", {"format": "xlsx"})
    assert response.status_code == 409
    assert response.json()["code"] == "export_too_large_for_xlsx"
    assert "xuất CSV" in response.json()["message"]
