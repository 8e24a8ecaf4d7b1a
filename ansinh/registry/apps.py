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

        # Job kinds register themselves when their modules are imported.
        from . import jobs, services_duplicates  # noqa: F401
