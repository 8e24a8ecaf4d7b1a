"""Audit event codes of the geo app (2xxx, see `ansinh.audit.event_types`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeoEventType(models.IntegerChoices):
    VILLAGE_CREATED = 2001, _("Thêm thôn/tổ dân phố")
    VILLAGE_UPDATED = 2002, _("Sửa thôn/tổ dân phố")
    AREA_TYPE_SET = 2010, _("Đặt khu vực thành thị/nông thôn")
    DATASET_LOADED = 2020, _("Nạp dữ liệu đơn vị hành chính toàn quốc")
