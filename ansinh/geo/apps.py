from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "ansinh.geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from ansinh.audit import areas, event_types

        from .events import GeoEventType
        from .selectors import unit_labels_by_path

        event_types.register(GeoEventType)
        # The audit pages name an event's area by its units (the audit app does not import this one).
        areas.register(unit_labels_by_path)
