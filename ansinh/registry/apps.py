from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    verbose_name = _("Sổ hộ gia đình")

    def ready(self) -> None:
        from ansinh.audit import event_types, masking

        from .events import RegistryEventType
        from .identity import mask_id_number
        from .selectors import FULL_IDENTITY_PERM

        event_types.register(RegistryEventType)
        # Identity numbers recorded in audit events read masked where the reader may not see them whole.
        masking.register("id_number", perm=FULL_IDENTITY_PERM, mask=lambda value: mask_id_number(str(value)))

        # Moves between communes, splits and merges read in words on the household page's history.
        from .history_life import LIFE_EVENT_TYPES, present_split_or_merge
        from .history_moves import MOVE_EVENT_TYPES, present_move
        from .panels import register_history_presenter

        for event_type in MOVE_EVENT_TYPES:
            register_history_presenter(event_type, present_move)
        for event_type in LIFE_EVENT_TYPES:
            register_history_presenter(event_type, present_split_or_merge)

        # Job kinds register themselves when their modules are imported.
        from . import jobs, services_duplicates  # noqa: F401
