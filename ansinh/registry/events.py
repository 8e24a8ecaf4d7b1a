from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryEventType(models.IntegerChoices):
    HOUSEHOLD_REGISTERED = 5001, _("Đăng ký hộ")
    HOUSEHOLD_UPDATED = 5002, _("Sửa thông tin hộ")
    HOUSEHOLD_HEAD_CHANGED = 5003, _("Đổi chủ hộ")
    MEMBER_ADDED = 5010, _("Thêm thành viên")
    MEMBER_UPDATED = 5011, _("Sửa thông tin thành viên")
    MEMBER_BORN = 5012, _("Khai sinh thành viên mới")
    MEMBER_DIED = 5013, _("Thành viên mất")
    MEMBER_JOINED_BY_MARRIAGE = 5014, _("Nhập hộ do kết hôn")
    MEMBER_LEFT_BY_MARRIAGE = 5015, _("Rời hộ do kết hôn")
    HOUSEHOLD_SPLIT = 5020, _("Tách hộ")
    HOUSEHOLD_MERGED = 5021, _("Nhập hộ")
    HOUSEHOLD_MOVE_REQUESTED = 5022, _("Đề nghị chuyển hộ đến nơi khác")
    HOUSEHOLD_MOVE_ACCEPTED = 5023, _("Tiếp nhận hộ chuyển đến")
    HOUSEHOLD_MOVE_REFUSED = 5024, _("Từ chối tiếp nhận hộ chuyển đến")
    IDENTITY_DUPLICATE_CONFIRMED = 5030, _("Xác nhận nhập trùng số CCCD")
    DUPLICATE_MARKED_SAME = 5031, _("Xác định là cùng một người (gộp)")
    DUPLICATE_MARKED_DIFFERENT = 5032, _("Xác định là hai người khác nhau")
    IMPORT_COMMITTED = 5040, _("Nhập dữ liệu hộ từ tệp")
    IMPORT_APPROVED = 5041, _("Duyệt lần nhập dữ liệu")
    EXPORT_DOWNLOADED = 5050, _("Xuất danh sách hộ")
    FULL_IDENTITY_VIEWED = 5051, _("Xem đầy đủ số CCCD")
