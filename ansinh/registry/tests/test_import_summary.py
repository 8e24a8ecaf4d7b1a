"""An import batch's summary is read in the reader's language (the counts are stored, not the text)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ansinh.registry.choices import ImportStatus
from ansinh.registry.models import ImportBatch, import_summary

from .data.import_files import csv_bytes, upload

COUNTS = {"rows": 7, "created": 3, "updated": 1, "skipped": 2, "invalid": 1}


def _batch(status, counts=COUNTS, message="Đã thêm 3 hộ, cập nhật 1 hộ, bỏ qua 2 hộ; 1 hộ có lỗi chưa ghi."):
    return ImportBatch(status=status, counts=counts, message=message)


@pytest.mark.parametrize(
    ("status", "written"),
    [
        (ImportStatus.COMMITTED, True),
        (ImportStatus.VALIDATED, False),
        (ImportStatus.AWAITING_APPROVAL, False),
        (ImportStatus.COMMITTING, False),
        (ImportStatus.CANCELLED, False),
    ],
)
def test_summary_follows_the_status_and_the_active_language(status, written):
    batch = _batch(status)
    with translation.override("vi"):
        vietnamese = batch.summary()
    with translation.override("en"):
        english = batch.summary()
    if written:
        assert vietnamese == "Đã thêm 3 hộ, cập nhật 1 hộ, bỏ qua 2 hộ; 1 hộ có lỗi chưa ghi."
    else:
        assert vietnamese.startswith("Chạy thử: sẽ thêm 3 hộ, cập nhật 1 hộ, bỏ qua 2 hộ; 1 hộ có lỗi")
    assert english != vietnamese
    assert all(str(n) in english for n in (3, 1, 2))
    assert not any(ch in english for ch in "ộờểạ")


def test_a_failed_batch_or_one_without_counts_shows_its_stored_message():
    assert _batch(ImportStatus.FAILED, message="Công việc bị gián đoạn 3 lần.").summary() == (
        "Công việc bị gián đoạn 3 lần."
    )
    assert _batch(ImportStatus.VALIDATING, counts={}, message="").summary() == ""


def test_missing_counts_read_as_zero():
    with translation.override("vi"):
        assert import_summary({"created": 5}, written=True) == (
            "Đã thêm 5 hộ, cập nhật 0 hộ, bỏ qua 0 hộ; 0 hộ có lỗi chưa ghi."
        )


@pytest.fixture
def checked_batch(client, users, units, django_capture_on_commit_callbacks):
    """A dry run checked by a Vietnamese-speaking officer: its stored message is Vietnamese."""
    client.force_login(users.commune_officer)
    data = {"commune": units.tho_xuan.pk, "mode": "create", "file": upload(csv_bytes()), "dry_run": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_create"), data)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATED
    assert batch.message.startswith("Chạy thử")
    return batch


def test_the_batch_page_shows_the_summary_in_the_readers_language(client, checked_batch):
    url = reverse("registry:import_detail", kwargs={"pk": checked_batch.pk})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    with translation.override("en"):
        english = import_summary(checked_batch.counts, written=False)
    assert english in page
    assert checked_batch.message not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert checked_batch.message in client.get(url).content.decode()


def test_the_api_gives_the_summary_in_the_readers_language(client, checked_batch):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"/api/v1/households/imports/{checked_batch.pk}").json()
    with translation.override("en"):
        assert body["message"] == import_summary(checked_batch.counts, written=False)


# -- a failed batch's reason, and the import job's label and summary (decision 0024's second addendum) ----

CHANGED = {
    "vi": "Tệp đã lưu không còn khớp với tệp được tải lên (mã băm khác).",
    "en": "The stored file no longer matches the uploaded file (different hash).",
}


def test_a_failed_batch_shows_its_stored_entry_in_the_readers_language_else_its_text():
    entry = {"msgid": CHANGED["vi"], "params": {}, "text": CHANGED["en"]}
    batch = ImportBatch(status=ImportStatus.FAILED, counts={"rows": 3}, message=CHANGED["en"], message_entry=entry)
    with translation.override("vi"):
        assert batch.summary() == CHANGED["vi"]
    batch.message_entry = None  # a batch failed before entries, or a reason in free text
    with translation.override("vi"):
        assert batch.summary() == CHANGED["en"]


def _failed_batch(users, units, language):
    """A dry run uploaded by an officer working in `language` whose stored file changed before its job ran."""
    from django.db import transaction

    from ansinh.jobs.services import job_run
    from ansinh.registry.services_import import import_batch_create

    with translation.override(language), transaction.atomic():
        batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(csv_bytes()),
                                    mode="create", dry_run=True)  # fmt: skip
    with open(batch.file.path, "ab") as handle:
        handle.write(b"H99,,X,Chu ho,Nam,,1990\n")
    job_run(batch.job_id)
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.FAILED, CHANGED[language])  # in the starter's language
    return batch


@pytest.mark.parametrize(("starter", "reader"), [("en", "vi"), ("vi", "en")])
def test_a_failed_batchs_reason_and_its_jobs_label_follow_the_reader(client, users, units, starter, reader):
    batch = _failed_batch(users, units, starter)
    client.force_login(users.commune_chair)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = reader
    page = client.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert f"<p><strong>{CHANGED[reader]}</strong></p>" in page  # the batch card
    assert f'<p class="error" role="alert">{CHANGED[reader]}</p>' in page  # the job's card
    assert CHANGED[starter] not in page
    assert client.get(f"/api/v1/households/imports/{batch.pk}").json()["message"] == CHANGED[reader]
    job = client.get(f"/api/v1/jobs/{batch.job_id}").json()
    label = {"vi": "Nhập hộ từ tệp ho.csv", "en": "Import households from file ho.csv"}
    assert (job["label"], job["error"]) == (label[reader], CHANGED[reader])


def test_a_reason_in_free_text_stays_as_written_and_an_unexpected_one_is_ours(users, units, monkeypatch):
    from ansinh.core.exceptions import ApplicationError
    from ansinh.registry import services_import

    for raised, message, entry in (
        (ApplicationError("Một lý do không có trong danh mục."), "Một lý do không có trong danh mục.", None),
        (RuntimeError("/srv/secret.py"), "Lỗi hệ thống khi xử lý tệp.", services_import.FILE_SYSTEM_ERROR),
    ):
        batch = services_import.import_batch_create(actor=users.commune_officer, commune=units.tho_xuan,
                                                    file=upload(csv_bytes()), mode="create", dry_run=True)  # fmt: skip

        def fail(*args, raised=raised, **kwargs):
            raise raised

        monkeypatch.setattr(services_import, "_load_sheet", fail)
        with pytest.raises(type(raised)):
            services_import.import_batch_run(batch=batch)
        batch.refresh_from_db()
        assert batch.message == message
        assert (batch.message_entry or {}).get("msgid") == entry
        with translation.override("en"):
            assert batch.summary() == ("System error while processing the file." if entry else message)


def test_the_import_jobs_summary_is_read_in_the_readers_language(client, checked_batch):
    job = checked_batch.job
    job.refresh_from_db()
    assert job.result["summary"] == checked_batch.message
    assert job.result["summary_entry"] == checked_batch.message_entry
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode()
    with translation.override("en"):
        assert f"<p><strong>{import_summary(checked_batch.counts, written=False)}</strong></p>" in page
