"""Import pages: upload, detail with errors, approve/commit/cancel, downloads, export."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.registry.choices import ImportStatus
from ansinh.registry.models import Household, ImportBatch, RegistrySettings

from .data.import_files import ROWS, csv_bytes, upload


def _post_file(client, units, content, *, dry_run=True, mode="create", name="ho.csv"):
    data = {"commune": units.tho_xuan.pk, "mode": mode, "file": upload(content, name)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("registry:import_create"), data)


def test_upload_dry_run_then_commit_from_the_pages(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    page = client.get(reverse("registry:import_create"))
    assert page.status_code == 200
    assert "Tải tệp mẫu" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_file(client, units, csv_bytes())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_detail", kwargs={"pk": batch.pk})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    detail = client.get(response["Location"]).content.decode()
    assert "Ghi vào sổ hộ" in detail
    assert reverse("registry:import_error_file", kwargs={"pk": batch.pk}) in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Household.objects.count() == 2
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert "ho.csv" in listing


def test_unreadable_upload_shows_the_reason_on_the_form(client, users, units):
    client.force_login(users.commune_officer)
    response = _post_file(client, units, b"PK\x03\x04broken", name="hong.xlsx")
    assert response.status_code == 200
    assert "không phải là tệp Excel .xlsx hợp lệ" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_commune_outside_the_area_cannot_be_chosen(client, users, units):
    client.force_login(users.commune_officer)
    response = client.post(reverse("registry:import_create"),
                           {"commune": units.mdrak.pk, "mode": "create", "file": upload(csv_bytes())})  # fmt: skip
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()


def test_errors_are_listed_escaped_on_the_detail_page(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    rows = [["H1", "<b>T9</b>", "An", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(rows))
    batch = ImportBatch.objects.get()
    html = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "&lt;b&gt;T9&lt;/b&gt;" in html
    assert "<b>T9</b>" not in html
    download = client.get(reverse("registry:import_error_file", kwargs={"pk": batch.pk}))
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content)))["Kết quả"]
    assert ws.cell(row=2, column=2).comment is not None


def test_uploader_cannot_approve_a_second_user_can(client, users, units, django_capture_on_commit_callbacks):
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(), dry_run=False)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.AWAITING_APPROVAL
    detail = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "người tải lên không tự duyệt được" in detail
    # The uploader has no approve permission: 403 (and with it, the service still refuses self-approval).
    assert client.post(reverse("registry:import_approve", kwargs={"pk": batch.pk})).status_code == 403
    client.force_login(users.commune_chair)
    assert (
        "Duyệt và ghi vào sổ hộ"
        in client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_approve", kwargs={"pk": batch.pk}), follow=True)
    assert "Đã duyệt" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Household.objects.count() == len({r[0] for r in ROWS})


def test_refused_action_comes_back_as_a_message(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(), dry_run=False)
    batch = ImportBatch.objects.get()
    response = client.post(reverse("registry:import_cancel", kwargs={"pk": batch.pk}), follow=True)
    assert "không thể chuyển sang" in response.content.decode()


def test_template_and_export_downloads(client, users, units):
    client.force_login(users.commune_officer)
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200
    assert "mau-nhap-ho-gia-dinh.xlsx" in response["Content-Disposition"]
    assert "Hướng dẫn" in load_workbook(io.BytesIO(response.content)).sheetnames
    response = client.get(reverse("registry:household_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("Mã hộ,Thôn,Họ và tên")
