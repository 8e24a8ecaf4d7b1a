"""Crash recovery in one process: which jobs are lost, what recovery does to them, and the worker's lease.

The same guarantees with real processes killed by SIGKILL are in `test_crash_kill.py`.
"""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ansinh.audit.models import AuditEvent
from ansinh.audit.verification import verify_all
from ansinh.jobs import services, workers
from ansinh.jobs.events import JobsEventType
from ansinh.jobs.models import Job, JobStatus
from ansinh.jobs.recovery import LOST_LEASE, LOST_PROCESS, WORKER_LOST_EXCEPTION, jobs_recover, lost_reason
from ansinh.jobs.services import _Lease, job_enqueue, job_run, register_job_kind
from ansinh.jobs.tests.kinds import COUNT_KIND

RESUME_KIND = "tests.crash_resume"
TAKEN_BACK_KIND = "tests.crash_taken_back"
ABANDONED: list[tuple[int, str]] = []


def resume_job(job, progress):
    """Counts to `n`, starting from the checkpoint a previous start left."""
    n = int(job.params["n"])
    start = int(job.checkpoint.get("counted", 0))
    progress.set_total(n)
    return {"started_from": start, "counted": n}


def taken_back_job(job, progress):
    """While it runs, recovery (as for a lost worker) takes the job back and queues it again."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    return {"done": True}


register_job_kind(RESUME_KIND, resume_job, on_abandon=lambda job, message: ABANDONED.append((job.pk, message)))
register_job_kind(TAKEN_BACK_KIND, taken_back_job)


def dead_pid() -> int:
    """The id of a process of this host that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_job(user, *, kind=RESUME_KIND, host=None, pid=None, started="", beat_age=0, attempts=1, task_id=""):
    """A job left "running" by a worker, as `job_run` marks it."""
    job = job_enqueue(actor=user, kind=kind, label="Nhập thử", unit_path="/2025/38/16000/", params={"n": 5})
    beat = timezone.now() - timedelta(seconds=beat_age)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=attempts, worker_host=host or workers.hostname(), worker_pid=pid,
        worker_started=started, heartbeat_at=beat, started_at=beat, checkpoint={"counted": 3}, done=3, task_id=task_id,
    )  # fmt: skip
    job.refresh_from_db()
    return job


def db_task(status: str, *, worker_id: str = "", started_ago: float = 0) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, task_path="ansinh.jobs.tasks.run_job", args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default", run_after=timezone.now(), worker_ids=[worker_id] if worker_id else [],
        started_at=timezone.now() - timedelta(seconds=started_ago), exception_class_path="", traceback="",
    )  # fmt: skip


def test_the_requeue_message_is_read_in_the_readers_language(users, django_capture_on_commit_callbacks):
    from django.utils import translation

    job = running_job(users.commune_officer, pid=dead_pid())
    Job.objects.filter(pk=job.pk).update(language="en")  # started by an officer working in English
    with django_capture_on_commit_callbacks(execute=False):
        jobs_recover()
    job.refresh_from_db()
    (entry,) = job.messages
    assert entry["params"] == {"n": 1}
    assert entry["text"].startswith("The worker process stopped abruptly (start 1)")  # the starter's language
    with translation.override("vi"):
        assert job.message_texts()[0].startswith("Tiến trình xử lý bị dừng đột ngột (lần chạy thứ 1)")
    with translation.override("en"):
        assert job.message_texts() == [entry["text"]]


def test_a_job_whose_worker_died_is_requeued_and_resumes_from_its_checkpoint(users, django_capture_on_commit_callbacks):
    task = db_task("RUNNING")
    job = running_job(users.commune_officer, pid=dead_pid(), task_id=str(task.pk))

    with django_capture_on_commit_callbacks(execute=True):
        report = jobs_recover()

    assert (report.requeued, report.failed) == ([job.pk], [])
    job.refresh_from_db()
    # The new task ran it at once (immediate backend in tests), from the checkpoint kept by recovery.
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"started_from": 3, "counted": 5}
    assert job.attempts == 2
    assert job.task_id != str(task.pk)
    assert "bị dừng đột ngột" in job.message_texts()[0]
    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == ("FAILED", WORKER_LOST_EXCEPTION)
    event = AuditEvent.objects.get(event_type=JobsEventType.JOB_REQUEUED)
    assert (event.target_id, event.unit_path) == (str(job.pk), job.unit_path)
    assert event.changes["new"]["reason"] == LOST_PROCESS
    assert event.changes["new"]["checkpoint"] == {"counted": 3}
    assert verify_all()[1] == []


def test_a_job_interrupted_too_often_is_failed_with_a_clear_message(users, settings):
    settings.JOBS_MAX_ATTEMPTS = 2
    job = running_job(users.commune_officer, pid=dead_pid(), attempts=2)
    ABANDONED.clear()

    report = jobs_recover()

    assert (report.requeued, report.failed) == ([], [job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "bị gián đoạn 2 lần" in job.error
    assert job.finished_at is not None
    assert [(job.pk, job.error)] == ABANDONED  # the kind's own object can be failed too
    assert AuditEvent.objects.filter(event_type=JobsEventType.JOB_ABANDONED, target_id=str(job.pk)).count() == 1
    with pytest.raises(services.ApplicationError):
        job_run(job.pk)


def test_the_reason_a_job_was_given_up_is_read_in_the_readers_language(users, settings):
    from django.utils import translation

    from ansinh.jobs.recovery import ABANDONED_ERROR

    settings.JOBS_MAX_ATTEMPTS = 2
    job = running_job(users.commune_officer, pid=dead_pid(), attempts=2)
    Job.objects.filter(pk=job.pk).update(language="en")  # started by an officer working in English
    ABANDONED.clear()
    jobs_recover()
    job.refresh_from_db()
    assert job.error_entry == {"msgid": ABANDONED_ERROR, "params": {"n": 2}, "text": job.error}
    assert job.error.startswith("The job was interrupted 2 times")  # the starter's language
    assert [(job.pk, job.error)] == ABANDONED  # the kind's hook gets the text; the entry is on the job
    with translation.override("vi"):
        assert job.error_text().startswith("Công việc bị gián đoạn 2 lần")


def test_live_workers_keep_their_jobs(users, settings):
    settings.JOBS_LEASE_SECONDS = 60
    me = workers.this_process()
    mine = running_job(users.commune_officer, pid=me.pid, started=me.started, beat_age=5)
    elsewhere = running_job(users.commune_officer, host="other-host", pid=me.pid, beat_age=30)

    assert jobs_recover().total == 0
    assert set(Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True)) == {mine.pk, elsewhere.pk}
    assert not AuditEvent.objects.filter(event_type__in=JobsEventType.values).exists()


def test_an_expired_lease_loses_the_job_on_any_host(users, settings, django_capture_on_commit_callbacks):
    settings.JOBS_LEASE_SECONDS = 60
    job = running_job(users.commune_officer, host="other-host", pid=12345, beat_age=61)
    now = timezone.now()
    assert lost_reason(job, now=now, host=workers.hostname(), lease=timedelta(seconds=60)) == LOST_LEASE

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = jobs_recover()
    assert report.requeued == [job.pk]
    assert len(callbacks) == 1  # one new task, sent after the commit
    job.refresh_from_db()
    assert (job.status, job.checkpoint, job.done) == (JobStatus.QUEUED, {"counted": 3}, 3)


def test_a_reused_process_id_is_not_taken_for_the_dead_worker(users):
    me = workers.this_process()
    if not me.started:
        pytest.skip("no /proc start marks on this platform")
    job = running_job(users.commune_officer, pid=me.pid, started="0-1")  # same pid, another process's start
    assert jobs_recover().requeued == [job.pk]


def test_recovery_of_a_job_that_changed_meanwhile_does_nothing(users):
    job = running_job(users.commune_officer, pid=dead_pid())
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)  # finished between the look and the lock
    assert jobs_recover().total == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


def test_a_queued_job_whose_task_died_before_starting_it_is_requeued(users, django_capture_on_commit_callbacks):
    dead = workers.WorkerIdentity(host=workers.hostname(), pid=dead_pid(), started="")
    claimed = db_task("RUNNING", worker_id=dead.task_worker_id)
    live = db_task("RUNNING", worker_id=workers.this_process().task_worker_id)
    ready = db_task("READY")
    with django_capture_on_commit_callbacks(execute=False):
        orphan = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="a", params={"n": 2})
        waiting = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="b", params={"n": 2})
        queued = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="c", params={"n": 2})
    for job, task in ((orphan, claimed), (waiting, live), (queued, ready)):
        Job.objects.filter(pk=job.pk).update(task_id=str(task.pk))

    with django_capture_on_commit_callbacks(execute=True):
        report = jobs_recover()

    assert report.orphans == [orphan.pk]
    assert Job.objects.get(pk=orphan.pk).status == JobStatus.SUCCEEDED
    assert set(Job.objects.filter(pk__in=[waiting.pk, queued.pk]).values_list("status", flat=True)) == {"queued"}
    claimed.refresh_from_db()
    assert claimed.status == "FAILED"
    assert AuditEvent.objects.filter(event_type=JobsEventType.JOB_ORPHAN_REQUEUED).count() == 1


def test_job_run_records_its_worker_and_does_not_overwrite_a_job_taken_back(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        done = job_enqueue(actor=users.commune_officer, kind=COUNT_KIND, label="x", params={"n": 1})
    done.refresh_from_db()
    me = workers.this_process()
    assert (done.worker_host, done.worker_pid, done.worker_started, done.attempts) == (me.host, me.pid, me.started, 1)
    assert done.heartbeat_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        taken = job_enqueue(actor=users.commune_officer, kind=TAKEN_BACK_KIND, label="y")
    taken.refresh_from_db()
    # The stale run finished after recovery had queued the job again: its outcome is not written.
    assert (taken.status, taken.result, taken.finished_at) == (JobStatus.QUEUED, {}, None)


def test_the_lease_is_renewed_only_for_the_same_start(users):
    job = running_job(users.commune_officer, pid=workers.this_process().pid, beat_age=100, attempts=1)
    before = job.heartbeat_at
    _Lease(job, interval=1).renew()
    job.refresh_from_db()
    assert job.heartbeat_at > before

    Job.objects.filter(pk=job.pk).update(attempts=2)  # recovered and started again elsewhere
    stale = Job(pk=job.pk, attempts=1)
    beat = Job.objects.get(pk=job.pk).heartbeat_at
    _Lease(stale, interval=1).renew()
    assert Job.objects.get(pk=job.pk).heartbeat_at == beat


def test_process_identity_and_liveness():
    me = workers.this_process()
    assert workers.process_alive(me.pid, me.started)
    assert not workers.process_alive(dead_pid())
    assert not workers.process_alive(None)
    assert workers.parse_task_worker_id(me.task_worker_id) == workers.WorkerIdentity(me.host[:30], me.pid, me.started)
    assert workers.parse_task_worker_id("3f9a0c") is None  # db_worker's own random ids
    assert len(workers.WorkerIdentity("h" * 64, 4194304, "abcdef01-123456789").task_worker_id) <= 64


def test_jobs_recover_command_reports_what_it_did(users, capsys):
    job = running_job(users.commune_officer, pid=dead_pid())
    call_command("jobs_recover")
    assert f"requeued=[{job.pk}]" in capsys.readouterr().out
