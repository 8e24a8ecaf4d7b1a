import logging
from types import SimpleNamespace

import pytest

from ansinh.core.exceptions import ApplicationError
from ansinh.jobs import services
from ansinh.jobs.models import Job, JobStatus
from ansinh.jobs.services import JobProgress, job_enqueue, job_run
from ansinh.jobs.tests.kinds import (
    ALREADY_RUN,
    COUNT_KIND,
    CRASH_KIND,
    ENTRY_REFUSE_KIND,
    FREE_TEXT,
    READ_BACK_REFUSE_KIND,
    REFUSE_KIND,
    SECRET,
    SPEAK_KIND,
)


def enqueue(user, kind=COUNT_KIND, **params):
    return job_enqueue(actor=user, kind=kind, label="Thử", unit_path="/2025/38/16000/", params=params)


def test_enqueue_runs_only_after_commit_and_succeeds(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue(users.commune_officer, n=7)
    # Nothing ran inside the transaction: a rollback would leave no orphan task behind.
    job.refresh_from_db()
    assert (job.status, job.task_id, len(callbacks)) == (JobStatus.QUEUED, "", 1)

    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 7, "summary": "Đã đếm 7"}
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    assert job.messages == [{"msgid": "counted %(n)s", "params": {"n": 7}, "text": "counted 7"}]
    assert job.message_texts() == ["counted 7"]
    assert job.task_id
    assert job.started_at <= job.finished_at
    assert job.created_by == users.commune_officer


ENGLISH = ["Failed", "1 attendee", "Completed"]
VIETNAMESE = ["Thất bại", "1 người tham dự", "Hoàn thành"]


@pytest.mark.parametrize(("language", "words"), [("en", ENGLISH), ("vi", VIETNAMESE)])
def test_a_job_writes_its_texts_in_the_language_of_whoever_started_it(users, django_capture_on_commit_callbacks,
                                                                      language, words):  # fmt: skip
    from django.utils import translation

    with translation.override(language), django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue(users.commune_officer, kind=SPEAK_KIND)
    assert job.language == language
    with translation.override("vi" if language == "en" else "en"):  # the worker's own language does not matter
        callbacks[0]()
    job.refresh_from_db()
    # The stored texts (each message's fallback and the summary) are in the starter's language …
    assert [*(entry["text"] for entry in job.messages), job.result["summary"]] == words
    assert [entry["msgid"] for entry in job.messages] == ["Thất bại", "%(n)s người tham dự"]
    # … and the messages are read in the reader's, whoever started the job.
    for reader, expected in (("en", ENGLISH), ("vi", VIETNAMESE)):
        with translation.override(reader):
            assert job.message_texts() == expected[:2]


def test_failing_job_is_failed_without_internals(users, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.ERROR, logger="ansinh.jobs"), django_capture_on_commit_callbacks(execute=True):
        job = enqueue(users.commune_officer, kind=CRASH_KIND)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.finished_at is not None
    assert "Lỗi hệ thống khi chạy công việc" in job.error
    assert f"job-{job.pk}" in job.error  # the id to quote to an administrator
    assert SECRET not in job.error
    assert (job.done, job.total) == (1, 4)  # progress reached before the failure is kept
    # The traceback is in the server log for the administrator.
    assert any(record.exc_info and SECRET in str(record.exc_info[1]) for record in caplog.records)


def test_refused_job_shows_its_own_message(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(users.commune_officer, kind=REFUSE_KIND)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Tệp nhập không có cột CCCD.")
    assert job.error_entry is None  # free text: no entry, the text is shown as written


IMPORT_FROM = "Nhập hộ từ tệp %(name)s"


def test_the_label_is_stored_as_an_entry_beside_its_text_in_the_starters_language(users):
    from django.utils import translation

    with translation.override("en"):
        job = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label=IMPORT_FROM,
                          label_params={"name": "ho.xlsx"})  # fmt: skip
    job.refresh_from_db()
    assert job.label == "Import households from file ho.xlsx"
    assert job.label_entry == {"msgid": IMPORT_FROM, "params": {"name": "ho.xlsx"}, "text": job.label}
    with translation.override("vi"):
        assert job.label_text() == "Nhập hộ từ tệp ho.xlsx"
        assert str(job) == job.label  # the audit log names the job as written


@pytest.mark.parametrize(("kind", "msgids"), [
    (ENTRY_REFUSE_KIND, ALREADY_RUN),  # an entry made where it was raised
    (READ_BACK_REFUSE_KIND, ["Loại công việc không tồn tại: %(kind)s", None]),  # read back; free text as written
    (CRASH_KIND, services.SYSTEM_ERROR),  # our own words for an unexpected failure
])  # fmt: skip
def test_a_failure_reason_is_stored_as_an_entry_beside_its_text(users, django_capture_on_commit_callbacks, kind,
                                                                msgids):  # fmt: skip
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = enqueue(users.commune_officer, kind=kind)
    job.refresh_from_db()
    entry = job.error_entry
    if isinstance(msgids, list):
        assert [part["msgid"] if isinstance(part, dict) else None for part in entry] == msgids
        assert entry[1] == FREE_TEXT
    else:
        assert entry["msgid"] == msgids
    with translation.override("en"):
        assert job.error_text() == job.error  # the starter reads what was written
    with translation.override("vi"):
        assert job.error_text() != job.error
    assert SECRET not in str(entry)


def test_rerunning_a_finished_job_is_refused(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(users.commune_officer, n=2)
    job.refresh_from_db()
    finished_at = job.finished_at
    with pytest.raises(ApplicationError) as excinfo:
        job_run(job.pk)
    assert excinfo.value.code == "job_not_queued"
    job.refresh_from_db()
    assert (job.status, job.finished_at, job.done) == (JobStatus.SUCCEEDED, finished_at, 2)


def test_unknown_kind_is_refused(users):
    with pytest.raises(ApplicationError):
        job_enqueue(actor=users.commune_officer, kind="no.such.kind", label="x")
    assert not Job.objects.exists()


def test_registering_another_function_under_a_taken_kind_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        services.register_job_kind(COUNT_KIND, lambda job, progress: {})


def test_failed_enqueue_marks_the_job_failed(users, django_capture_on_commit_callbacks, monkeypatch):
    from ansinh.jobs import tasks

    def broken_enqueue(*args, **kwargs):
        raise ConnectionError("queue down")

    # Task objects are frozen; replace the task as the services module will import it.
    monkeypatch.setattr(tasks, "run_job", SimpleNamespace(enqueue=broken_enqueue))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue(users.commune_officer)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "hàng đợi" in job.error
    assert job.error_entry["msgid"] == services.NOT_QUEUED_ERROR


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def stored(job):
    return Job.objects.values_list("done", "total", "messages").get(pk=job.pk)


def test_progress_writes_every_n_items_or_after_the_interval(users):
    job = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="x")
    clock = FakeClock()
    progress = JobProgress(job, min_interval=0.5, every=10, clock=clock)
    progress.set_total(100)
    assert stored(job) == (0, 100, [])
    for _ in range(9):
        progress.advance()
    assert stored(job)[0] == 0  # nine quick items: no write yet
    progress.advance()
    assert stored(job)[0] == 10  # the tenth item writes
    progress.advance(3)
    assert stored(job)[0] == 10
    clock.now = 0.6
    progress.advance()
    assert stored(job)[0] == 14  # half a second passed: the next item writes
    progress.message("Đã đọc tệp")
    assert stored(job) == (14, 100, [{"msgid": "Đã đọc tệp", "params": {}, "text": "Đã đọc tệp"}])
    assert progress.writes == 4


def test_messages_are_capped(users, monkeypatch):
    monkeypatch.setattr(services, "MAX_MESSAGES", 3)
    job = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="x")
    progress = JobProgress(job)
    for i in range(5):
        progress.message(f"m{i}")
    assert [entry["msgid"] for entry in stored(job)[2]] == ["m2", "m3", "m4"]


def test_percent_never_exceeds_100():
    assert Job(status=JobStatus.RUNNING, done=12, total=10).percent == 100
    assert Job(status=JobStatus.RUNNING, done=1, total=4).percent == 25
    assert Job(status=JobStatus.RUNNING, done=0, total=0).percent == 0


def test_checkpoint_commits_and_rolls_back_with_the_work_it_describes(users):
    from django.db import transaction

    job = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="x")
    progress = JobProgress(job)
    with transaction.atomic():
        progress.advance(2000)
        progress.checkpoint({"chunks_done": 1})
    assert Job.objects.values_list("checkpoint", "done").get(pk=job.pk) == ({"chunks_done": 1}, 2000)

    with pytest.raises(RuntimeError), transaction.atomic():
        progress.checkpoint({"chunks_done": 2})
        raise RuntimeError("the chunk failed")
    assert Job.objects.get(pk=job.pk).checkpoint == {"chunks_done": 1}  # the failed chunk's checkpoint is gone
