"""Background jobs as users see them: what runs, for whom, how far it has got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import ScopedManager

from .texts import job_message_text


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
    label = models.CharField(_("mô tả"), max_length=255)
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
    task_id = models.CharField(max_length=64, blank=True)
    # The language of the person who started it: the job writes its summary, errors and each message's
    # fallback text in it (they are stored as text), so an officer working in English reads them in English.
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
        return self.label

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

    def message_texts(self) -> list[str]:
        """The progress messages in the active language (the reader's), oldest first."""
        return [job_message_text(entry) for entry in self.messages or ()]
