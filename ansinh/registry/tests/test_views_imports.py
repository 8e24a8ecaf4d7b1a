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
    assert '<td class="msg">Thôn “&lt;b&gt;T9&lt;/b&gt;” không thuộc' in html  # the message may wrap on phones
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


def test_an_xlsx_export_too_large_comes_back_to_the_list_with_the_reason(client, users, units, settings):
    from ansinh.audit.models import AuditEvent
    from ansinh.registry.events import RegistryEventType

    from .factories import head, make_household, member

    make_household(units.tho_xuan, village=units.t1, code="H1", actor=users.commune_officer,
                   members=[head(), member()])  # fmt: skip
    settings.ANSINH_XLSX_EXPORT_MAX_ROWS = 1
    client.force_login(users.commune_officer)
    response = client.get(reverse("registry:household_export"), {"format": "xlsx", "village": units.t1.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('registry:household_list')}?village={units.t1.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Danh sách có 2 dòng, quá nhiều cho một tệp Excel tải về (tối đa 1 dòng)" in page
    assert not AuditEvent.objects.filter(event_type=RegistryEventType.EXPORT_DOWNLOADED).exists()
    csv_response = client.get(reverse("registry:household_export"), {"format": "csv"})  # csv has no limit
    assert csv_response.status_code == 200 and len(b"".join(csv_response.streaming_content).splitlines()) == 3


# Rows that all fail (unknown village, no name): a dry run that would add and update nothing.
INVALID_ROWS = [["H9", "Thôn Không Có", "", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]


def test_dry_run_is_called_so_only_until_it_is_written(client, users, units, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes())
    batch = ImportBatch.objects.get()
    detail_url = reverse("registry:import_detail", kwargs={"pk": batch.pk})
    assert "Chỉ thêm hộ mới · chạy thử" in client.get(detail_url).content.decode()
    assert '<span class="badge">chạy thử</span>' in client.get(reverse("registry:import_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    detail = client.get(detail_url).content.decode()
    assert "Chỉ thêm hộ mới · đã chạy thử trước khi ghi" in detail
    assert "· chạy thử<" not in detail
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert '<span class="badge">chạy thử</span>' not in listing
    assert '<span class="badge">đã chạy thử trước khi ghi</span>' in listing
    # The summary is printed once (the batch card), not again by the job's progress card.
    assert detail.count("Đã thêm 2 hộ") == 1


def test_import_list_scrolls_inside_its_own_container(client, users, units, django_capture_on_commit_callbacks):
    # On a phone the wide table scrolls by itself instead of widening the page.
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes())
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Nhập hộ từ tệp">\n<table' in listing


def test_page_of_a_running_import_polls_and_keeps_a_no_script_reload_link(client, users, units):
    client.force_login(users.commune_officer)
    _post_file(client, units, csv_bytes())  # the job is queued, not run
    batch = ImportBatch.objects.get()
    html = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert f'hx-get="{reverse("jobs:job_progress", kwargs={"pk": batch.job_id})}"' in html
    assert "<noscript><a" in html and "Tải lại trang khi xong" in html


def test_dry_run_with_nothing_to_write_offers_no_write(client, users, units, django_capture_on_commit_callbacks):
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(INVALID_ROWS))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATED
    assert (batch.counts["created"], batch.counts["updated"]) == (0, 0)
    detail_url = reverse("registry:import_detail", kwargs={"pk": batch.pk})
    detail = client.get(detail_url).content.decode()
    assert "Gửi duyệt để ghi vào sổ hộ" not in detail
    assert reverse("registry:import_commit", kwargs={"pk": batch.pk}) not in detail
    assert "Không có hộ nào để thêm mới hoặc cập nhật" in detail
    assert "Hủy lần nhập" in detail  # it can still be withdrawn
    # Posting anyway is refused by the service, with the reason on the page.
    response = client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}), follow=True)
    assert "không có gì để ghi vào sổ hộ" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED


def test_batch_needing_approval_with_nothing_to_write_is_not_sent_to_the_approver(
    client, users, units, django_capture_on_commit_callbacks
):
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(INVALID_ROWS), dry_run=False)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATED
    client.force_login(users.commune_chair)
    detail = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "Duyệt và ghi vào sổ hộ" not in detail


def test_job_page_of_an_import_links_back_to_its_batch(client, users, units):
    client.force_login(users.commune_officer)
    _post_file(client, units, csv_bytes())
    batch = ImportBatch.objects.get()
    html = client.get(reverse("jobs:job_detail", kwargs={"pk": batch.job_id})).content.decode()
    assert f'href="{reverse("registry:import_detail", kwargs={"pk": batch.pk})}">Xem lần nhập</a>' in html
