from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoEventType(models.IntegerChoices):
    SYNTHETIC_REGISTRY_GENERATED = 9001, _("Sinh dữ liệu sổ hộ giả lập")
