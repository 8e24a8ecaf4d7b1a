from django.db import models
from django.utils.translation import gettext_lazy as _


class JobsEventType(models.IntegerChoices):
    JOB_REQUEUED = 4001, _("Đưa lại công việc bị gián đoạn vào hàng đợi")
    JOB_ABANDONED = 4002, _("Dừng công việc bị gián đoạn quá nhiều lần")
    JOB_ORPHAN_REQUEUED = 4003, _("Đưa lại công việc chưa được chạy vào hàng đợi")
