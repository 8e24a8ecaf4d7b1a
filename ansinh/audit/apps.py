from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ansinh.audit"
    verbose_name = _("Nhật ký kiểm toán")

    def ready(self) -> None:
        from . import event_types, jobs
        from .events import AuditEventType

        event_types.register(AuditEventType)
        jobs.register()
