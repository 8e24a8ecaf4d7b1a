from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountsEventType(models.IntegerChoices):
    USER_CREATED = 3001, _("Tạo tài khoản")
    USER_UPDATED = 3002, _("Sửa tài khoản")
    ROLE_ASSIGNED = 3010, _("Giao vai trò")
    ROLE_ASSIGNMENT_ENDED = 3011, _("Kết thúc vai trò")
    ROLE_PERMISSIONS_CHANGED = 3012, _("Sửa quyền của vai trò")
    API_TOKEN_CREATED = 3020, _("Tạo mã truy cập API")
    API_TOKEN_REVOKED = 3021, _("Thu hồi mã truy cập API")
    LOGIN_LOCKED_OUT = 3030, _("Khóa đăng nhập do sai mật khẩu nhiều lần")
