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
