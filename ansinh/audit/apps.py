from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ansinh.audit"
    verbose_name = _("Nhật ký kiểm toán")

    def ready(self) -> None:
        from ansinh.core import partitions as core_partitions
        from ansinh.jobs.events import JobsEventType
        from ansinh.jobs.services import register_event_writer

        from . import event_types, jobs, partitions
        from .events import AuditEventType
        from .services import audit_record

        event_types.register(AuditEventType)
        event_types.register(JobsEventType)  # the jobs app is below us: we register its events and writer
        register_event_writer(audit_record)
        jobs.register()
        core_partitions.register(partitions.SPEC)  # `geo_load` gives it a partition per province
