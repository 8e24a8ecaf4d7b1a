"""Background jobs as users see them: what runs, for whom, how far it has got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import ScopedManager

from .texts import job_message_text, stored_text


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    SUCCEEDED = "succeeded", _("Hoàn thành")
    FAILED = "failed", _("Thất bại")


class Job(TimeStampedModel):
    """One background run (an import, a bulk classification …) with its progress and outcome.

    The django-tasks result holds the execution; this row holds what the user needs: the area it
    touches (scope), done/total for the progress bar, messages, and the result summary.
    """

    kind = models.CharField(_("loại"), max_length=60)
    # The text in the starter's language; `label_entry` is the same as an entry (`texts.job_message`), read
    # in the reader's language through `label_text` (jobs created before it have none: the text is shown).
    label = models.CharField(_("mô tả"), max_length=255)
    label_entry = models.JSONField(null=True, blank=True, default=None)
    status = models.CharField(_("trạng thái"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    unit_path = models.CharField(max_length=120, blank=True)
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # Entries {"msgid", "params", "text"} (`texts.job_message`), read in the reader's language through
    # `message_texts`; rows written before that hold plain strings, shown as they are.
    messages = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The failure reason as an entry (or a list of parts), read through `error_text`; None when the
    # reason is free text (an exception's own) or for jobs that failed before it: `error` is shown.
    error_entry = models.JSONField(null=True, blank=True, default=None)
    task_id = models.CharField(max_length=64, blank=True)
    # The language of the person who started it: the job writes its texts in it (label, summary, error and
    # each entry's fallback text); entries are read in each reader's language (decision 0024).
    language = models.CharField(_("ngôn ngữ"), max_length=10, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Where a resumable kind has got to, written in the same transaction as the work it describes
    # (`JobProgress.checkpoint`), so after a crash it names exactly what was committed.
    checkpoint = models.JSONField(default=dict, blank=True)
    # Who runs it now (crash recovery, `recovery.jobs_recover`): how many times a worker started it,
    # the worker's host, process id and process start mark, and the lease the worker keeps renewing
    # while it runs. A running job whose process is gone (same host) or whose lease expired is
    # put back in the queue, or failed after `JOBS_MAX_ATTEMPTS` starts.
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    worker_host = models.CharField(max_length=64, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    worker_started = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    scope_fields = ("unit_path",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("công việc nền")
        verbose_name_plural = _("công việc nền")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit_path"], name="jobs_job_unit_path")]

    def __str__(self) -> str:
        return self.label  # as written: what the audit log records as the job's name

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        # Work can grow while it runs (rows added after `set_total`); never show more than 100 %.
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def label_text(self) -> str:
        """The label in the active language (the reader's); the stored text for a job created before entries."""
        return stored_text(self.label_entry, self.label)[:255]

    def error_text(self) -> str:
        """The failure reason in the reader's language when it is an entry; otherwise as written."""
        return stored_text(self.error_entry, self.error)

    def summary_text(self) -> str:
        """The result's one-line ``summary`` in the reader's language when the kind stored it as an entry
        too (``summary_entry``); as written otherwise."""
        result = self.result if isinstance(self.result, dict) else {}
        summary = result.get("summary")
        return stored_text(result.get("summary_entry"), summary if isinstance(summary, str) else "")

    def message_texts(self) -> list[str]:
        """The progress messages in the active language (the reader's), oldest first."""
        return [job_message_text(entry) for entry in self.messages or ()]
