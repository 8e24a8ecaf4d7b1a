"""Coded values of the poverty app (labels as on the review forms and decisions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The classes are the registry's (its households keep their current class for lists and filters).
from ansinh.registry.choices import PovertyClass

__all__ = ["RUN_TRANSITIONS", "AnswerSource", "Flag", "IncomeSource", "PovertyClass", "RunStatus"]


class Flag(models.TextChoices):
    LOW_INCOME = "low_income", _("Người lao động có thu nhập thấp (NĐ 30/2025)")


class IncomeSource(models.TextChoices):
    PROXY_SCORE = "proxy_score", _("Điểm thu nhập theo phiếu B")
    DECLARED = "declared", _("Thu nhập kê khai")
    COMPUTED = "computed", _("Thu nhập tính toán")


class AnswerSource(models.TextChoices):
    DERIVED = "derived", _("Suy ra từ sổ hộ")
    FORM_B = "form_b", _("Trả lời trên phiếu B")
    OVERRIDE = "override", _("Điều tra viên sửa (có lý do)")
    MISSING = "missing", _("Chưa có thông tin")


class RunStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Đang tính thử")
    PREVIEWED = "previewed", _("Đã tính thử, chờ ghi")
    COMMITTING = "committing", _("Đang ghi kết quả")
    COMMITTED = "committed", _("Đã ghi kết quả")
    FAILED = "failed", _("Lỗi")
    CANCELLED = "cancelled", _("Đã hủy")


# Allowed transitions of a bulk classification run (one audited service each).
RUN_TRANSITIONS = {
    RunStatus.PREVIEWING: {RunStatus.PREVIEWED, RunStatus.FAILED},
    RunStatus.PREVIEWED: {RunStatus.COMMITTING, RunStatus.CANCELLED},
    RunStatus.COMMITTING: {RunStatus.COMMITTED, RunStatus.FAILED},
    RunStatus.COMMITTED: set(),
    RunStatus.FAILED: set(),
    RunStatus.CANCELLED: set(),
}
