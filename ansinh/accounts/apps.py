from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ansinh.accounts"
    verbose_name = _("Tài khoản và phân quyền")

    def ready(self) -> None:
        from ansinh.audit import event_types

        from . import receivers  # noqa: F401  (connects the axes lock-out receiver)
        from .events import AccountsEventType

        event_types.register(AccountsEventType)
