from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Its audit event types (`events.JobsEventType`) and the writer of those events are registered by
    the audit app, one layer above (`ansinh.audit.apps`)."""

    name = "ansinh.jobs"
    verbose_name = _("Công việc chạy nền")
