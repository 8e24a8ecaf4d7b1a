from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventType(models.IntegerChoices):
    FULL_IDENTITY_VIEWED = 1001, _("Xem số định danh đầy đủ")
    EXPORT_DOWNLOADED = 1002, _("Tải tệp xuất dữ liệu")
