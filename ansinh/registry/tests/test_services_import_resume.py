"""A batch's import job killed half-way and run again: it goes on from its checkpoint.

A kill is simulated by a BaseException raised inside the chunk after the `k` committed ones: like
SIGKILL it escapes every ``except Exception`` (the batch is not marked failed) and only the chunk's
own transaction is undone. The re-run gets the job row with its checkpoint, as the worker's
recovery hands it back.
"""

import re

import pytest
from django.db import transaction
from django.utils import translation
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.audit.verification import verify_all
from ansinh.jobs.models import Job
from ansinh.jobs.recovery import ABANDONED_ERROR
from ansinh.jobs.services import JobProgress
from ansinh.registry import services_import
from ansinh.registry.choices import ImportStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household, ImportBatch, Member
from ansinh.registry.services_import import import_batch_create, import_batch_run

from .data.import_files import csv_bytes, upload


class Killed(BaseException):
    """The worker dying: no handler of the import sees it."""


def _file() -> bytes:
    """Seven households in chunks of two; an invalid one in the first chunk and in the third."""
    rows = []
    for i in range(7):
        cccd = "12345" if i == 1 else f"03807500{i:04d}"
        year = "19x5" if i == 5 else "1975"
        rows.append([f"K{i:03d}", "T1", f"Nguyễn Văn {i}", "Chủ hộ", "Nam", "", year, "Kinh", cccd, "", "", ""])
        rows.append([f"K{i:03d}", "", f"Nguyễn Thị {i}", "Con", "Nữ", "", "2001", "Mường", "", "", "", ""])
    return csv_bytes(rows)


def _batch(users, units, *, dry_run=False) -> ImportBatch:
    """A batch with its queued job (the job's on-commit start is not run: the test runs it)."""
    batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(_file()),
                                mode="create", dry_run=dry_run)  # fmt: skip
    batch.refresh_from_db()
    return batch


def _run(batch: ImportBatch) -> dict:
    return import_batch_run(batch=batch, progress=JobProgress(Job.objects.get(pk=batch.job_id)))


def _kill_in_chunk(monkeypatch, number: int) -> None:
    real = services_import._HouseholdImport.run_chunk
    calls = []

    def run_chunk(self, chunk):
        calls.append(1)
        if len(calls) == number:
            raise Killed
        return real(self, chunk)

    monkeypatch.setattr(services_import._HouseholdImport, "run_chunk", run_chunk)


def _registry() -> list[tuple]:
    return sorted(Member.objects.values_list("household__code", "full_name", "id_number", "relation"))


def _outcome(batch: ImportBatch, result: dict) -> tuple:
    batch.refresh_from_db()
    return result, batch.status, batch.counts, batch.message


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(services_import, "CHUNK_HOUSEHOLDS", 2)


@pytest.mark.parametrize("committed_chunks", [0, 1, 2, 3])
def test_a_killed_import_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_run(
    users, units, monkeypatch, small_chunks, committed_chunks
):
    with transaction.atomic():  # the uninterrupted run, undone afterwards
        clean = _batch(users, units)
        expected = _outcome(clean, _run(clean))
        expected_registry = _registry()
        transaction.set_rollback(True)
    assert expected[1] == ImportStatus.COMMITTED
    assert {k: expected[2][k] for k in ("created", "invalid")} == {"created": 5, "invalid": 2}
    assert not Household.objects.exists()

    batch = _batch(users, units)
    _kill_in_chunk(monkeypatch, committed_chunks + 1)
    with pytest.raises(Killed):
        _run(batch)
    job = Job.objects.get(pk=batch.job_id)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTING
    assert job.checkpoint.get("chunks_done", 0) == committed_chunks
    written = sum(1 for letter in job.checkpoint.get("outcomes", "") if letter == "c")
    assert Household.objects.count() == written
    monkeypatch.undo()
    monkeypatch.setattr(services_import, "CHUNK_HOUSEHOLDS", 2)

    result = _outcome(batch, _run(batch))
    assert result[:3] == expected[:3]
    assert result[3] == expected[3]
    job.refresh_from_db()
    assert (job.done, job.total) == (14, 14)  # the rows of the file, counted once
    assert _registry() == expected_registry  # every household exactly once
    registered = AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_REGISTERED).count()
    assert registered == Household.objects.count() == 5
    assert not verify_all()[1]


def test_the_errors_of_resumed_chunks_are_in_the_result(users, units, monkeypatch, small_chunks):
    batch = _batch(users, units)
    _kill_in_chunk(monkeypatch, 3)
    with pytest.raises(Killed):
        _run(batch)
    monkeypatch.undo()
    monkeypatch.setattr(services_import, "CHUNK_HOUSEHOLDS", 2)
    result = _run(batch)
    by_row = {(e["row"], e["column"]) for e in result["errors"]}
    assert (4, "Số CCCD") in by_row  # K001's head, first chunk (not worked again)
    assert (12, "Năm sinh") in by_row  # K005's head, third chunk
    assert result["counts"]["invalid_rows"] == 2


def test_a_check_pass_killed_half_way_runs_again(users, units, monkeypatch, small_chunks):
    batch = _batch(users, units, dry_run=True)
    _kill_in_chunk(monkeypatch, 2)
    with pytest.raises(Killed):
        _run(batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATING
    monkeypatch.undo()
    monkeypatch.setattr(services_import, "CHUNK_HOUSEHOLDS", 2)
    result = _run(batch)
    assert result["status"] == ImportStatus.VALIDATED
    assert (result["counts"]["created"], result["counts"]["invalid"]) == (5, 2)
    assert not Household.objects.exists()


def test_a_job_killed_after_finishing_only_reports_and_a_stale_job_does_nothing(users, units, small_chunks):
    # Checked before `batch` writes the same households, so it still has them to add (a batch with
    # nothing to write could not be committed).
    dry = _batch(users, units, dry_run=True)
    old_job = Job.objects.get(pk=dry.job_id)
    _run(dry)
    batch = _batch(users, units)
    first = _run(batch)
    events = AuditEvent.objects.count()
    again = _run(batch)  # killed between the batch's last commit and the job's own end
    assert again == first
    assert AuditEvent.objects.count() == events
    services_import.import_batch_commit(actor=users.commune_officer, batch=dry)  # a new job takes over
    dry.refresh_from_db()
    assert dry.status == ImportStatus.COMMITTING and dry.job_id != old_job.pk
    stale = import_batch_run(batch=dry, progress=JobProgress(old_job))
    assert stale["status"] == ImportStatus.COMMITTING
    assert AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_REGISTERED).count() == 5


def test_a_batch_whose_job_recovery_gives_up_on_is_failed_with_the_reason(users, units, monkeypatch, small_chunks):
    from ansinh.registry.jobs import abandon_import

    batch = _batch(users, units)
    _kill_in_chunk(monkeypatch, 2)
    with pytest.raises(Killed):
        _run(batch)
    job = Job.objects.get(pk=batch.job_id)
    # Recovery has put the reason on the job as an entry too: the batch keeps it, read in the reader's language.
    job.error_entry = {"msgid": ABANDONED_ERROR, "params": {"n": 3}, "text": "Công việc bị gián đoạn 3 lần."}
    with transaction.atomic():
        abandon_import(job, "Công việc bị gián đoạn 3 lần.")
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.FAILED, "Công việc bị gián đoạn 3 lần.")
    assert batch.message_entry == job.error_entry
    with translation.override("en"):
        assert batch.summary().startswith("The job was interrupted 3 times")
    event = AuditEvent.objects.filter(target_id=str(batch.pk)).latest("pk")
    assert event.changes["new"] == {"status": "failed", "error": "Công việc bị gián đoạn 3 lần."}
    # An older job of the batch (a new one has taken it over) changes nothing.
    other = Job.objects.create(kind=job.kind, label="cũ", params={"batch_id": batch.pk})
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTING)
    abandon_import(other, "x")
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.COMMITTING


def test_the_job_says_when_it_writes_the_result_workbook_and_queues_the_duplicate_scan(users, units):
    batch = _batch(users, units)
    _run(batch)
    batch.refresh_from_db()
    job = Job.objects.get(pk=batch.job_id)
    assert job.message_texts() == [
        "Đang viết tệp kết quả (14 dòng)…",
        "Đã viết xong tệp kết quả.",
        f"Đã xếp lịch tìm người trùng trong {units.tho_xuan.name}.",
    ]
    # Stored as source strings with their parameters, so a reader in English reads them in English.
    assert [(entry["msgid"], entry["params"]) for entry in job.messages] == [
        ("Đang viết tệp kết quả (%(n)s dòng)…", {"n": 14}),
        ("Đã viết xong tệp kết quả.", {}),
        ("Đã xếp lịch tìm người trùng trong %(unit)s.", {"unit": units.tho_xuan.name}),
    ]
    with translation.override("en"):
        assert job.message_texts() == [
            "Writing the result workbook (14 rows)…",
            "The result workbook is written.",
            f"A duplicate scan of {units.tho_xuan.name} is queued.",
        ]
    assert batch.status == ImportStatus.COMMITTED
    assert re.search(rf"/ket-qua-{batch.pk}-ho(_\w+)?\.xlsx$", batch.error_file.name)  # storage may add a suffix
    with batch.error_file.open("rb") as handle:
        assert load_workbook(handle)["Tóm tắt"]["B4"].value == 5  # households created
