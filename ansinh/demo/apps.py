from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: real units, demo accounts, the scenarios of shared/domain/scenarios.md.

    It sits above every other app (it only calls their services), so no app depends on it.
    """

    name = "ansinh.demo"
    verbose_name = "Dữ liệu minh họa"

    def ready(self) -> None:
        from ansinh.audit import event_types

        from .events import DemoEventType

        event_types.register(DemoEventType)
