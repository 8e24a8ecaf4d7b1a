from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PovertyConfig(AppConfig):
    name = "ansinh.poverty"
    verbose_name = _("Chuẩn nghèo và phân loại hộ")

    def ready(self) -> None:
        from ansinh.audit import event_types, masking
        from ansinh.core import partitions as core_partitions
        from ansinh.registry.panels import register_history_presenter, register_household_panel

        from . import partitions, services_runs  # noqa: F401  (job kinds register themselves when imported)
        from .events import PovertyEventType
        from .history import assessment_changes, classification_changes
        from .panels import household_panel
        from .privacy import INCOME_KEYS, VIEW_INCOME_PERM, income_mask

        event_types.register(PovertyEventType)
        # `geo_load` (below this app) gives the results (decision 0034) and form B (decision 0037) a
        # partition per province.
        core_partitions.register(partitions.SPEC)
        core_partitions.register(partitions.ASSESSMENTS)
        # A form B's income and score read masked in the audit log where the reader may not see them.
        for key in INCOME_KEYS:
            masking.register(key, perm=VIEW_INCOME_PERM, mask=lambda _value: str(income_mask()))
        # The registry shows the current class without importing this app (decision 0005).
        register_household_panel("poverty/household_panel.html", household_panel, order=10)
        # …and this app's events in the household's history, with incomes masked where they must be.
        register_history_presenter(PovertyEventType.ASSESSMENT_RECORDED, assessment_changes)
        register_history_presenter(PovertyEventType.HOUSEHOLD_CLASSIFIED, classification_changes)
