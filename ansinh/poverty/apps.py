from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PovertyConfig(AppConfig):
    name = "ansinh.poverty"
    verbose_name = _("Chuẩn nghèo và phân loại hộ")

    def ready(self) -> None:
        from ansinh.audit import event_types
        from ansinh.registry.panels import register_household_panel

        from . import services_runs  # noqa: F401  (job kinds register themselves when imported)
        from .events import PovertyEventType
        from .panels import household_panel

        event_types.register(PovertyEventType)
        # The registry shows the current class without importing this app (decision 0005).
        register_household_panel("poverty/household_panel.html", household_panel, order=10)
