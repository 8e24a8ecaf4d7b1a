from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "ansinh.geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from ansinh.audit import event_types

        from .events import GeoEventType

        event_types.register(GeoEventType)
