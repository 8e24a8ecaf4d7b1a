from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    verbose_name = _("Sổ hộ gia đình")

    def ready(self) -> None:
        from ansinh.audit import event_types

        from .events import RegistryEventType

        event_types.register(RegistryEventType)

        # Job kinds register themselves when their modules are imported.
        from . import jobs, services_duplicates  # noqa: F401
