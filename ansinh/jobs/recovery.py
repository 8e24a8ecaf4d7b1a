"""Crash recovery: jobs whose worker died are put back in the queue (or failed after too many tries).

A worker killed mid-job (SIGKILL, power loss, out of memory) leaves its job "running" and its
django-tasks result "running" for ever: nothing else would ever look at them again. `jobs_recover`
finds such jobs and queues a fresh task for each, keeping the job's ``checkpoint`` so a resumable
kind goes on from its last committed step. It runs when a worker starts (`jobs_worker`), from time
to time inside it, and as ``manage.py jobs_recover``.

A running job is lost when
- its worker ran on this host and that process is gone (exact, checked at once), or
- its lease (`services.lease_seconds`, renewed while the job runs) has expired (any host).

The dead task's result row is closed as failed: django-tasks-db only picks "ready" rows, and
`job_run` refuses a job that is not queued, so neither the old task nor a retried one can run the
job a second time; the new task is the only one that can.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from . import workers
from .events import JobsEventType
from .models import Job, JobStatus
from .services import MAX_MESSAGES, _enqueue_task, abandon_hook, lease_seconds, max_attempts, record_event
from .texts import job_message

logger = logging.getLogger("ansinh.jobs")

LOST_PROCESS = "process_gone"
LOST_LEASE = "lease_expired"
ORPHAN_TASK = "task_lost"
WORKER_LOST_EXCEPTION = "ansinh.jobs.recovery.WorkerLost"

REQUEUED_MESSAGE = gettext_noop(
    "Tiến trình xử lý bị dừng đột ngột (lần chạy thứ %(n)s); công việc được đưa lại vào hàng đợi "
    "và chạy tiếp từ phần đã lưu."
)


ABANDONED_ERROR = gettext_noop(
    "Công việc bị gián đoạn %(n)s lần (tiến trình xử lý dừng đột ngột) nên không tự chạy lại nữa. "
    "Vui lòng kiểm tra dữ liệu rồi tạo lại công việc hoặc báo quản trị viên."
)


class WorkerLost(Exception):
    """Recorded on a django-tasks result whose worker died (never raised)."""


@dataclass
class RecoveryReport:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.requeued) + len(self.failed) + len(self.orphans)


def lost_reason(job: Job, *, now: datetime, host: str, lease: timedelta) -> str | None:
    """Why a running job is lost, or None while its worker may still be at it."""
    if job.worker_host == host and job.worker_pid and not workers.process_alive(job.worker_pid, job.worker_started):
        return LOST_PROCESS
    beat = job.heartbeat_at or job.started_at
    if beat is None or beat < now - lease:
        return LOST_LEASE
    return None


def _task_uuid(task_id: str) -> uuid.UUID | None:
    """The database backend's result id; None for another backend's (e.g. the immediate one's)."""
    try:
        return uuid.UUID(task_id)
    except (ValueError, TypeError, AttributeError):
        return None


def _close_task_result(task_id: str, reason: str) -> None:
    """Mark the dead task's result failed (it stays "running" otherwise), if it is a database task."""
    from django_tasks_db.models import DBTaskResult

    pk = _task_uuid(task_id)
    if pk is not None:
        DBTaskResult.objects.filter(pk=pk, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(), exception_class_path=WORKER_LOST_EXCEPTION,
            traceback=f"WorkerLost: {reason}",
        )  # fmt: skip


def _recover_running(job_id: int, attempts: int, reason: str) -> str | None:
    """Requeue or fail one lost running job; None when it changed since it was looked at."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RUNNING or job.attempts != attempts:
            return None
        old = {"status": job.status, "attempts": job.attempts, "worker": f"{job.worker_host}/{job.worker_pid}",
               "task_id": job.task_id, "done": job.done}  # fmt: skip
        _close_task_result(job.task_id, reason)
        now = timezone.now()
        if job.attempts >= max_attempts():
            job.status = JobStatus.FAILED
            # An entry read in the reader's language; its text (and the kind's hook's) in the job's.
            with translation.override(job.language) if job.language else nullcontext():
                job.error_entry = job_message(ABANDONED_ERROR, {"n": job.attempts})
            job.error = job.error_entry["text"]
            job.finished_at = now
            event = JobsEventType.JOB_ABANDONED
            hook = abandon_hook(job.kind)
            if hook is not None:
                hook(job, job.error)
        else:
            job.status = JobStatus.QUEUED
            # Read in the reader's language; its fallback text in the job's, like the job's own messages.
            with translation.override(job.language) if job.language else nullcontext():
                entry = job_message(REQUEUED_MESSAGE, {"n": job.attempts})
            job.messages = [*job.messages, entry][-MAX_MESSAGES:]
            event = JobsEventType.JOB_REQUEUED
            transaction.on_commit(partial(_enqueue_task, job.pk))
        job.save(update_fields=["status", "error", "error_entry", "finished_at", "messages", "updated_at"])
        new = {"status": job.status, "reason": reason, "checkpoint": job.checkpoint}
        record_event(event_type=event, target=job, changes={"old": old, "new": new})
        return job.status


def _orphaned_queued(*, now: datetime, host: str, lease: timedelta) -> list[tuple[int, str]]:
    """Queued jobs whose task will never run them: the task ended, or its worker died, before the job
    was marked running (a kill between the task's claim and `job_run`'s first commit)."""
    from django_tasks_db.models import DBTaskResult

    queued: dict[uuid.UUID, tuple[int, str]] = {}
    for task_id, job_id in Job.objects.filter(status=JobStatus.QUEUED).exclude(task_id="").values_list("task_id", "pk"):
        pk = _task_uuid(task_id)
        if pk is not None:
            queued[pk] = (job_id, task_id)
    if not queued:
        return []
    found = []
    for result in DBTaskResult.objects.filter(pk__in=list(queued)).exclude(status="READY"):
        job_id, task_id = queued[result.pk]
        if result.status == "RUNNING":
            who = workers.parse_task_worker_id(result.worker_ids[-1] if result.worker_ids else "")
            dead_here = who is not None and who.host == host[:30] and not workers.process_alive(who.pid, who.started)
            if not dead_here and result.started_at and result.started_at >= now - lease:
                continue
        found.append((job_id, task_id))
    return found


def _recover_orphan(job_id: int, task_id: str) -> bool:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED or job.task_id != task_id:
            return False
        _close_task_result(task_id, ORPHAN_TASK)
        transaction.on_commit(partial(_enqueue_task, job.pk))
        old = {"status": job.status, "task_id": task_id}
        record_event(event_type=JobsEventType.JOB_ORPHAN_REQUEUED, target=job,
                     changes={"old": old, "new": {"reason": ORPHAN_TASK}})  # fmt: skip
        return True


def jobs_recover(*, now: datetime | None = None) -> RecoveryReport:
    """Put every lost job back in the queue (failed after `max_attempts` starts), auditing each.

    Safe to run from several workers at once: each job is re-checked under its row lock.
    """
    now = now or timezone.now()
    host = workers.hostname()
    lease = timedelta(seconds=lease_seconds())
    report = RecoveryReport()
    running = Job.objects.filter(status=JobStatus.RUNNING).only(
        "pk", "attempts", "worker_host", "worker_pid", "worker_started", "heartbeat_at", "started_at"
    )
    for job in running:
        reason = lost_reason(job, now=now, host=host, lease=lease)
        if reason is None:
            continue
        outcome = _recover_running(job.pk, job.attempts, reason)
        if outcome == JobStatus.QUEUED:
            report.requeued.append(job.pk)
        elif outcome == JobStatus.FAILED:
            report.failed.append(job.pk)
        if outcome:
            logger.warning("Recovered job %s (%s): %s", job.pk, reason, outcome)
    for job_id, task_id in _orphaned_queued(now=now, host=host, lease=lease):
        if _recover_orphan(job_id, task_id):
            report.orphans.append(job_id)
            logger.warning("Requeued job %s whose task %s never ran it", job_id, task_id)
    return report
