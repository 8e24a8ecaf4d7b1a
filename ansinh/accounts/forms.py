"""Forms for sign-in, tokens and role assignments. Forms parse input; services decide."""

import django_filters
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.geo.choices import Structure

from .models import Role, RoleAssignment


class LoginForm(AuthenticationForm):
    """Django's sign-in form with our own Vietnamese messages (source strings are Vietnamese)."""

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: sai mật khẩu 5 lần liên tiếp, tài khoản "
            "sẽ bị tạm khóa 15 phút."
        ),
        "inactive": _("Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ quản trị viên."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Tên mã truy cập"), max_length=100, help_text=_("Ví dụ: phần mềm kế toán của xã."))
    expires_on = forms.DateField(
        label=_("Hết hạn vào ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Để trống nếu không đặt hạn. Nên đặt hạn cho mã dùng tạm."),
    )


class RoleAssignmentCreateForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập của người được giao"), max_length=150)
    role = forms.ModelChoiceField(label=_("Vai trò"), queryset=Role.objects.all(), empty_label=None)
    unit_structure = forms.ChoiceField(label=_("Cơ cấu hành chính"), choices=Structure.choices, initial=Structure.Y2025)
    unit_code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=60,
        required=False,
        help_text=_(
            "Mã tỉnh, huyện (cơ cấu cũ) hoặc xã; với thôn ghi “mã xã/mã thôn”. Để trống = toàn quốc "
            "(chỉ quản trị cấp quốc gia)."
        ),
    )
    valid_from = forms.DateField(label=_("Hiệu lực từ"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Hiệu lực đến"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned


ACTIVE_CHOICES = (("1", _("Đang hiệu lực")), ("0", _("Đã hết hiệu lực")))


class RoleAssignmentFilter(django_filters.FilterSet):
    """Filters of the assignment list; the queryset is already scoped by the view."""

    role = django_filters.ModelChoiceFilter(
        label=_("Vai trò"), queryset=Role.objects.all(), field_name="role", empty_label=_("Tất cả")
    )
    active = django_filters.ChoiceFilter(label=_("Hiệu lực"), choices=ACTIVE_CHOICES, method="filter_active",
                                         empty_label=_("Tất cả"))  # fmt: skip
    username = django_filters.CharFilter(label=_("Người dùng"), method="filter_username")

    class Meta:
        model = RoleAssignment
        fields = ["role", "active", "username"]

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.active_on(today) if value == "1" else queryset.ended_before(today)

    def filter_username(self, queryset, name, value):
        return queryset.filter(Q(user__username__icontains=value) | Q(user__full_name__icontains=value))
