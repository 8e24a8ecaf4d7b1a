"""Starting and running background jobs.

A job kind is a function ``fn(job, progress) -> dict`` registered under a name; `job_enqueue`
creates the visible `Job` row and hands its id to django-tasks once the transaction commits;
the worker calls `job_run`, which records the outcome on the row. Callers check who may start a
kind before calling `job_enqueue` (it does not know the kind's rules).
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ansinh.core.context import request_id_var
from ansinh.core.exceptions import ApplicationError

from . import workers
from .models import Job, JobStatus
from .texts import StoredEntry, application_error, failure_entry, job_message

logger = logging.getLogger("ansinh.jobs")

JobFunction = Callable[[Job, "JobProgress"], dict[str, Any] | None]

_KINDS: dict[str, JobFunction] = {}
# Called (inside the recovery's transaction) when a job interrupted too often is failed for good,
# so the kind can mark its own object (batch, run …) failed too.
_ABANDON_HOOKS: dict[str, Callable[[Job, str], None]] = {}

# A job's messages are shown on its page; keeping the last ones bounds the row's size.
MAX_MESSAGES = 200

KIND_UNKNOWN = gettext_noop("Loại công việc không tồn tại: %(kind)s")
NOT_QUEUED_ERROR = gettext_noop("Không đưa được công việc vào hàng đợi. Vui lòng thử lại sau.")
SYSTEM_ERROR = gettext_noop(
    "Lỗi hệ thống khi chạy công việc. Quản trị viên xem chi tiết trong nhật ký máy chủ (mã %(rid)s)."
)


def register_job_kind(kind: str, fn: JobFunction, *, on_abandon: Callable[[Job, str], None] | None = None) -> None:
    """Make `kind` runnable. Registering the same function again is harmless (app reloads).

    `on_abandon(job, message)`, if given, runs when crash recovery fails the job for good: `message` is
    the reason as text in the job's language, ``job.error_entry`` the same as an entry (decision 0024).
    """
    existing = _KINDS.get(kind)
    if existing is not None and existing is not fn:
        raise ValueError(f"Job kind {kind!r} is already registered to {existing!r}.")
    _KINDS[kind] = fn
    if on_abandon is not None:
        _ABANDON_HOOKS[kind] = on_abandon


def abandon_hook(kind: str) -> Callable[[Job, str], None] | None:
    return _ABANDON_HOOKS.get(kind)


# Recovery audits every job it puts back or gives up. The audit app sits a layer above jobs (its own
# chain verification is a job), so it registers its writer here at start-up and jobs never imports it.
_EVENT_WRITER: list[Callable[..., Any]] = []


def register_event_writer(writer: Callable[..., Any]) -> None:
    """`writer(actor=, event_type=, target=, unit_path=, changes=)`: called in the caller's transaction."""
    _EVENT_WRITER[:] = [writer]


def record_event(*, event_type, target: Job, changes: dict[str, Any]) -> None:
    if not _EVENT_WRITER:
        raise RuntimeError("No audit writer registered for job events (is ansinh.audit installed?).")
    _EVENT_WRITER[0](actor=None, event_type=event_type, target=target, unit_path=target.unit_path, changes=changes)


def lease_seconds() -> int:
    """How long a running job's lease lasts without renewal before recovery may take it back."""
    return int(getattr(settings, "JOBS_LEASE_SECONDS", 600))


def max_attempts() -> int:
    """Starts of one job before recovery fails it instead of queueing it again."""
    return int(getattr(settings, "JOBS_MAX_ATTEMPTS", 3))


def job_kind_registered(kind: str) -> bool:
    return kind in _KINDS


class JobProgress:
    """Progress of one running job, written to its row cheaply.

    `advance` only counts in memory and writes when `min_interval` seconds or `every` items have
    passed since the last write, so a loop over a million rows costs a few hundred UPDATEs.
    `set_total` and `message` write at once: they are rare and the user should see them.
    Writes are plain UPDATEs outside the job's own transactions, so the page polling the job
    sees them while the work goes on.
    """

    def __init__(
        self, job: Job, *, min_interval: float = 0.5, every: int = 1000, clock: Callable[[], float] = time.monotonic
    ):
        self.job = job
        self.min_interval = min_interval
        self.every = every
        self._clock = clock
        self._last_write = clock()
        self._since_write = 0
        self.writes = 0

    def set_total(self, n: int) -> None:
        self.job.total = max(int(n), 0)
        self.flush()

    def advance(self, n: int = 1) -> None:
        self.job.done += n
        self._since_write += n
        if self._since_write >= self.every or self._clock() - self._last_write >= self.min_interval:
            self.flush()

    def message(
        self, msgid: str, params: dict[str, Any] | None = None, *, plural: str | None = None, count: int | None = None
    ) -> None:
        """Add a message for the job's page. `msgid` is the untranslated source string (mark it with
        ``gettext_noop``) and `params` its parameters: the page renders it in its reader's language
        (`texts.job_message`; `plural`/`count` for a message with plural forms)."""
        entry = job_message(msgid, params, plural=plural, count=count)
        self.job.messages = [*self.job.messages, entry][-MAX_MESSAGES:]
        self.flush()

    def checkpoint(self, state: dict[str, Any]) -> None:
        """Record how far the work has got (e.g. ``{"chunks_done": 7}``) for a resumed run.

        A plain UPDATE on the current connection: called inside the kind's own `transaction.atomic`
        block, it commits or rolls back together with the work it describes, so a run killed between
        two chunks leaves a checkpoint naming exactly the committed chunks. The row's ``done`` is
        written with it. A resumed run reads ``job.checkpoint``.
        """
        self.job.checkpoint = _json_safe(state)
        Job.objects.filter(pk=self.job.pk).update(checkpoint=self.job.checkpoint, done=self.job.done,
                                                  updated_at=timezone.now())  # fmt: skip

    def flush(self) -> None:
        now = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(
            done=self.job.done, total=self.job.total, messages=self.job.messages, updated_at=now, heartbeat_at=now
        )
        self.writes += 1
        self._since_write = 0
        self._last_write = self._clock()


def _json_safe(value: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder))


def _json_safe_entry(entry: StoredEntry) -> StoredEntry:
    """An entry as JSON (a parameter read back from an exception may be any value); None stays None."""
    return None if entry is None else json.loads(json.dumps(entry, default=str))


@transaction.atomic
def job_enqueue(
    *,
    actor,
    kind: str,
    label: str,
    label_params: dict[str, Any] | None = None,
    unit_path: str = "",
    params: dict[str, Any] | None = None,
) -> Job:
    """Create a queued job and schedule its run for when the current transaction commits.

    `label` is the untranslated source string of the job's name (mark it with ``gettext_noop``) and
    `label_params` its parameters (a translatable one as an entry, `texts.lazy_entry`): the job keeps
    it as an entry, read in each reader's language, beside its text in the starter's (decision 0024).
    Scheduling on commit means a worker never picks up a job whose row (or whose input data)
    was rolled back. Refuses an unknown kind.
    """
    if kind not in _KINDS:
        raise application_error(KIND_UNKNOWN, {"kind": kind}, code="job_kind_unknown")
    label_entry = job_message(label, label_params)
    job = Job.objects.create(
        kind=kind,
        label=label_entry["text"][:255],
        label_entry=label_entry,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        unit_path=unit_path or "",
        params=_json_safe(params),
        language=translation.get_language() or "",
    )
    transaction.on_commit(partial(_enqueue_task, job.pk))
    return job


def _enqueue_task(job_id: int) -> None:
    from .tasks import run_job

    try:
        result = run_job.enqueue(job_id)
    except Exception:
        logger.exception("Could not enqueue job %s", job_id)
        error = job_message(NOT_QUEUED_ERROR)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error=error["text"], error_entry=error, finished_at=timezone.now()
        )
        return
    # Only the task id: with an immediate backend the job has already run and its outcome
    # must not be overwritten by this stale instance.
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def _user_message(exc: Exception) -> tuple[str, StoredEntry]:
    """What the job page shows, as text in the job's language and as an entry read in the reader's
    (`texts.failure_entry`; None for a refusal's free text, kept as written): our own refusals
    verbatim, anything else without internals."""
    if isinstance(exc, ApplicationError):
        return exc.message, failure_entry(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages), failure_entry(exc)
    entry = job_message(SYSTEM_ERROR, {"rid": request_id_var.get() or "-"})
    return entry["text"], entry


class _Lease(threading.Thread):
    """Renews a running job's lease every `interval` seconds from its own connection, so a job busy
    in one long transaction still shows it is alive. A renewal that waits on a lock gives up after a
    few seconds and tries again at the next tick; a job taken over meanwhile is no longer renewed."""

    def __init__(self, job: Job, interval: float):
        super().__init__(name=f"job-{job.pk}-lease", daemon=True)
        self.job_id, self.attempt, self.interval = job.pk, job.attempts, interval
        self._stop_event = threading.Event()
        self.renewals = 0

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                self.renew()
        finally:
            connections.close_all()  # this thread's own connections

    def renew(self) -> None:
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '5s'")
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING, attempts=self.attempt).update(
                    heartbeat_at=timezone.now()
                )
            self.renewals += 1
        except DatabaseError:
            logger.warning("Could not renew the lease of job %s; retrying in %ss", self.job_id, self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


def _start_lease(job: Job) -> _Lease | None:
    """A lease renewer for a job run by a worker (not inside a caller's transaction, e.g. a test's:
    another connection could not see the row there)."""
    interval = max(1.0, lease_seconds() / 20)
    if connection.in_atomic_block:
        return None
    lease = _Lease(job, interval)
    lease.start()
    return lease


def job_run(job_id: int) -> Job:
    """Run a queued job: running → succeeded (with its result) or failed (with a readable error).

    Refuses a job that is not queued (already running or finished), so a retried task never
    runs the work twice. The work itself runs outside any transaction: the kind decides its own
    transactions, and progress writes become visible while it runs.

    The row records who runs it (host, process, start mark), counts the start in ``attempts`` and
    holds a lease renewed while the work goes on (`_Lease`, progress writes); crash recovery
    (`recovery.jobs_recover`) uses them. The outcome is written only if the job is still this
    start's (not taken back by recovery meanwhile).
    """
    me = workers.this_process()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            raise ApplicationError(
                _("Công việc #%(id)s đã chạy (trạng thái: %(status)s), không chạy lại.")
                % {"id": job.pk, "status": job.get_status_display()},
                code="job_not_queued",
            )
        job.status = JobStatus.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.attempts += 1
        job.worker_host, job.worker_pid, job.worker_started = me.host, me.pid, me.started
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "worker_host", "worker_pid",
                                "worker_started", "updated_at"])  # fmt: skip

    # Audit events written by the job carry this id, tying them to the job in the log.
    token = request_id_var.set(f"job-{job.pk}")
    progress = JobProgress(job)
    lease = _start_lease(job)
    # In the language of whoever started it: what it stores as text (summary, error, and each entry's
    # fallback text) is in that language; entries (messages, error) are read in the reader's (`texts`).
    with translation.override(job.language) if job.language else nullcontext():
        try:
            fn = _KINDS.get(job.kind)
            if fn is None:
                raise application_error(KIND_UNKNOWN, {"kind": job.kind})
            result = fn(job, progress)
        except Exception as exc:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            job.status = JobStatus.FAILED
            job.error, job.error_entry = _user_message(exc)
            job.result = {}
        else:
            job.status = JobStatus.SUCCEEDED
            job.result = _json_safe(result)
            job.error, job.error_entry = "", None
        finally:
            request_id_var.reset(token)
            if lease is not None:
                lease.stop()
    job.finished_at = timezone.now()
    written = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
        status=job.status, result=job.result, error=job.error, error_entry=_json_safe_entry(job.error_entry),
        done=job.done, total=job.total,
        messages=job.messages, finished_at=job.finished_at, updated_at=job.finished_at,
    )  # fmt: skip
    if not written:
        logger.warning("Job %s was taken back by crash recovery while it ran; its outcome is not recorded", job.pk)
        job.refresh_from_db()
    return job
