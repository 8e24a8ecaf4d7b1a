from django.db import models
from django.utils.translation import gettext_lazy as _


class PovertyEventType(models.IntegerChoices):
    STANDARD_LOADED = 6001, _("Nạp chuẩn nghèo từ tệp dữ liệu")
    STANDARD_EDITED = 6002, _("Sửa chuẩn nghèo")
    ASSESSMENT_RECORDED = 6010, _("Ghi thông tin thu nhập, thiếu hụt của hộ")
    HOUSEHOLD_CLASSIFIED = 6020, _("Phân loại hộ")
    RUN_PREVIEWED = 6030, _("Tính thử phân loại hàng loạt")
    RUN_COMMITTED = 6031, _("Ghi kết quả phân loại hàng loạt")
    RUN_CANCELLED = 6032, _("Hủy đợt phân loại hàng loạt")
    RUN_FAILED = 6033, _("Đợt phân loại hàng loạt bị lỗi")
