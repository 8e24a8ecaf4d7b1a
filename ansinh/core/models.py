"""Abstract bases shared by every app. The core app has no domain tables of its own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds creation and last-change times to a row."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, editable=False)

    class Meta:
        abstract = True
