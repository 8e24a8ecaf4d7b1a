from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "ansinh.reviews"
    verbose_name = _("Rà soát hộ nghèo, hộ cận nghèo")

    def ready(self) -> None:
        from ansinh.audit import event_types

        from .events import ReviewsEventType

        event_types.register(ReviewsEventType)
