"""Import pages: upload, detail with errors, approve/commit/cancel, downloads, export."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.registry.choices import ImportStatus
from ansinh.registry.importing import parse_upload
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
    assert '<td class="msg" data-label="Lỗi">Thôn “&lt;b&gt;T9&lt;/b&gt;” không thuộc' in html  # wraps on phones
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


# Four bad households: a village outside the commune (with HTML in it), a date that does not exist,
# a coded cell not in its list (the column's name is a parameter) and a CCCD whose 4th digit says
# "female" for a man (the registry services' refusal, not the import's own check).
BAD_ROWS = [
    ["H1", "<b>T9</b>", "An", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""],
    ["H2", "T1", "Bình", "Chủ hộ", "Nam", "31/02/1980", "", "", "", "", "", ""],
    ["H3", "T1", "Cúc", "Chủ hộ", "<i>xyz</i>", "", "1980", "", "", "", "", ""],
    ["H4", "T1", "Dũng", "Chủ hộ", "Nam", "02/03/1975", "", "", "038175001234", "", "", ""],
]
MESSAGES = {
    "vi": [
        "Thôn “&lt;b&gt;T9&lt;/b&gt;” không thuộc Xã Thọ Xuân (xem trang “Thôn”).",
        "Ngày “31/02/1980” không tồn tại.",
        "“&lt;i&gt;xyz&lt;/i&gt;” không có trong danh mục “Giới tính” (xem trang danh mục).",
        "Số thứ 4 của CCCD (1) không khớp giới tính đã khai.",
    ],
    "en": [
        "Village “&lt;b&gt;T9&lt;/b&gt;” does not belong to Xã Thọ Xuân (see the “Thôn” sheet).",
        "The date “31/02/1980” does not exist.",
        "“&lt;i&gt;xyz&lt;/i&gt;” is not in the “Sex” list (see the list sheet).",
        "The 4th digit of the citizen ID (CCCD) number (1) does not match the sex entered.",
    ],
}


def _workbook_bytes(client, batch) -> bytes:
    download = client.get(reverse("registry:import_error_file", kwargs={"pk": batch.pk}))
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def _workbook(client, batch):
    return load_workbook(io.BytesIO(_workbook_bytes(client, batch)))


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">")


def _read_in(client, batch, language):
    """The error list of the batch page and the result workbook, as `language`'s reader has them."""
    client.cookies["django_language"] = language
    html = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    wb = _workbook(client, batch)
    return html, wb


def _check_reads_in(client, batch, language):
    html, wb = _read_in(client, batch, language)
    other = "vi" if language == "en" else "en"
    label = "Error" if language == "en" else "Lỗi"
    for message, foreign in zip(MESSAGES[language], MESSAGES[other], strict=True):
        assert f'<td class="msg" data-label="{label}">{message}</td>' in html
        assert foreign not in html
    assert "<b>T9</b>" not in html and "<i>xyz</i>" not in html  # values stay escaped
    result_sheet, summary_sheet = wb.worksheets
    rows = list(result_sheet.iter_rows(values_only=True))
    comments = {(cell.row, cell.column): cell.comment.text for row in result_sheet.iter_rows() for cell in row
                if cell.comment}  # fmt: skip
    expected = [_unescaped(m) for m in MESSAGES[language]]
    # Village (B2), birth date (F3), sex (E4) and CCCD (I5): each red cell's comment, and the "Lỗi" column.
    assert [comments[(2, 2)], comments[(3, 6)], comments[(4, 5)], comments[(5, 9)]] == expected
    assert all(message in rows[number][-1] for number, message in enumerate(expected, start=1))
    if language == "en":
        assert result_sheet.title == "Result" and rows[0][-2:] == ("Result", "Error")
        assert rows[1][-1].startswith("Row 2 — Thôn: Village")  # the file's own header stays as written
        assert summary_sheet.title == "Summary"
    else:
        assert result_sheet.title == "Kết quả" and rows[0][-2:] == ("Kết quả", "Lỗi")
        assert rows[1][-1].startswith("Dòng 2 — Thôn: Thôn")
        assert summary_sheet.title == "Tóm tắt"


def test_row_errors_read_in_the_readers_language_whoever_started_the_import(
    client, users, units, django_capture_on_commit_callbacks
):
    """Decision 0024's addendum: a Vietnamese officer's import read by an English reader, and an English
    officer's import read by a Vietnamese one, on the batch page, in the result workbook and in the API."""
    client.force_login(users.commune_officer)
    for starter in ("vi", "en"):
        ImportBatch.objects.all().delete()
        client.cookies["django_language"] = starter
        with django_capture_on_commit_callbacks(execute=True):
            _post_file(client, units, csv_bytes(BAD_ROWS))
        batch = ImportBatch.objects.get()
        assert batch.job.language == starter and batch.counts["invalid"] == 4
        assert set(batch.result_files) == {"en"} and batch.error_file.name != batch.result_files["en"]
        for reader in ("en", "vi"):
            _check_reads_in(client, batch, reader)
            client.cookies["django_language"] = reader
            api = client.get(f"/api/v1/households/imports/{batch.pk}").json()["errors"]
            assert [e["message"] for e in api] == [_unescaped(m) for m in MESSAGES[reader]]
            assert set(api[0]) == {"row", "column", "message"} and api[0]["column"] == "Thôn"
    # The English workbook, fixed and uploaded again by a Vietnamese officer: its result columns are ignored.
    client.cookies["django_language"] = "en"
    content = _workbook_bytes(client, batch)
    sheet = parse_upload(content, "ket-qua.xlsx")
    assert sheet.headers[-2:] == ["Result", "Error"] and sheet.keys[-2:] == [None, None]
    assert len(sheet.rows) == 4 and sheet.keys[:3] == ["code", "village", "full_name"]


def test_errors_stored_as_text_before_entries_still_show(client, users, units, django_capture_on_commit_callbacks):
    """A batch checked before errors were entries: its job's result holds texts and its one workbook."""
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        _post_file(client, units, csv_bytes(BAD_ROWS[:1]))
    batch = ImportBatch.objects.get()
    job = batch.job
    job.result = {**job.result, "errors": [{"row": 2, "column": "Thôn", "message": "Thôn “<b>T9</b>” cũ."}]}
    job.save(update_fields=["result"])
    ImportBatch.objects.filter(pk=batch.pk).update(result_files={})
    client.cookies["django_language"] = "en"
    html = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert '<td class="msg" data-label="Error">Thôn “&lt;b&gt;T9&lt;/b&gt;” cũ.</td>' in html
    assert _workbook(client, batch).worksheets[0].title == "Kết quả"  # the one workbook it has
    api = client.get(f"/api/v1/households/imports/{batch.pk}").json()["errors"]
    assert api == [{"row": 2, "column": "Thôn", "message": "Thôn “<b>T9</b>” cũ."}]
