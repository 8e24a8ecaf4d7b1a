"""Coded answers of the household registry (labels as on the review forms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relation(models.TextChoices):
    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    CHILD_IN_LAW = "child_in_law", _("Con dâu/con rể")
    GRANDCHILD = "grandchild", _("Cháu")
    PARENT = "parent", _("Bố/mẹ")
    PARENT_IN_LAW = "parent_in_law", _("Bố/mẹ vợ hoặc chồng")
    GRANDPARENT = "grandparent", _("Ông/bà")
    SIBLING = "sibling", _("Anh/chị/em")
    OTHER_RELATIVE = "other_relative", _("Họ hàng khác")
    OTHER = "other", _("Khác")


class HealthInsurance(models.TextChoices):
    YES = "yes", _("Có thẻ BHYT")
    NO = "no", _("Không có thẻ BHYT")


class Schooling(models.TextChoices):
    NOT_IN_SCHOOL = "none", _("Không đi học")
    PRESCHOOL = "preschool", _("Mầm non")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    VOCATIONAL = "vocational", _("Giáo dục nghề nghiệp")
    HIGHER = "higher", _("Cao đẳng, đại học trở lên")


class Diploma(models.TextChoices):
    NONE = "none", _("Chưa có bằng cấp")
    PRIMARY = "primary", _("Tốt nghiệp tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Tốt nghiệp THCS")
    UPPER_SECONDARY = "upper_secondary", _("Tốt nghiệp THPT")
    VOCATIONAL = "vocational", _("Chứng chỉ/bằng nghề")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học trở lên")


class Disability(models.TextChoices):
    NONE = "none", _("Không khuyết tật")
    MILD = "mild", _("Khuyết tật nhẹ")
    SEVERE = "severe", _("Khuyết tật nặng")
    ESPECIALLY_SEVERE = "especially_severe", _("Khuyết tật đặc biệt nặng")


class LabourStatus(models.TextChoices):
    WORKING_CONTRACT = "working_contract", _("Làm công ăn lương có hợp đồng")
    WAGE_NO_CONTRACT = "wage_no_contract", _("Làm công ăn lương không có hợp đồng")
    SELF_EMPLOYED = "self_employed", _("Tự làm (nông nghiệp, buôn bán…)")
    UNEMPLOYED = "unemployed", _("Thất nghiệp")
    STUDENT = "student", _("Đang đi học")
    NO_LABOUR_CAPACITY = "no_capacity", _("Không có khả năng lao động")
    RETIRED = "retired", _("Nghỉ hưu, già yếu")
    CHILD = "child", _("Trẻ em (chưa đến tuổi lao động)")
    OTHER = "other", _("Khác")


class Allowance(models.TextChoices):
    NONE = "none", pgettext_lazy("trợ cấp", "Không")
    PENSION = "pension", _("Lương hưu")
    SOCIAL_ALLOWANCE = "social_allowance", _("Trợ cấp xã hội hằng tháng")
    MERITORIOUS = "meritorious", _("Trợ cấp người có công")
    OTHER = "other", _("Trợ cấp khác")


class MemberStatus(models.TextChoices):
    PRESENT = "present", _("Đang trong hộ")
    LEFT = "left", _("Đã chuyển khỏi hộ")
    DEAD = "dead", _("Đã mất")
    MERGED = "merged", _("Đã gộp vào hồ sơ khác (trùng người)")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Đang quản lý")
    MOVED_OUT = "moved_out", _("Đã chuyển đi")
    MERGED = "merged", _("Đã nhập vào hộ khác")
    DISSOLVED = "dissolved", _("Không còn (hộ giải thể)")


class Durability(models.TextChoices):
    DURABLE = "durable", _("Bền chắc")
    NOT_DURABLE = "not_durable", _("Không bền chắc")


class WaterSource(models.TextChoices):
    PIPED = "piped", _("Nước máy")
    PROTECTED_WELL = "protected_well", _("Giếng khoan, giếng đào được bảo vệ")
    RAINWATER = "rainwater", _("Nước mưa được bảo vệ")
    UNPROTECTED = "unprotected", _("Nguồn không hợp vệ sinh (sông, suối, giếng không bảo vệ)")
    BOUGHT = "bought", _("Nước mua (bình, xe chở)")
    OTHER = "other", _("Khác")


class LatrineType(models.TextChoices):
    FLUSH = "flush", _("Tự hoại, bán tự hoại")
    DOUBLE_VAULT = "double_vault", _("Hai ngăn, chìm có ống thông hơi")
    UNHYGIENIC = "unhygienic", _("Không hợp vệ sinh")
    NONE = "none", _("Không có nhà tiêu")


class InfoDevice(models.TextChoices):
    TV = "tv", _("Ti vi")
    RADIO = "radio", _("Đài (radio)")
    COMPUTER = "computer", _("Máy tính")
    SMARTPHONE = "smartphone", _("Điện thoại thông minh")
    LOUDSPEAKER = "loudspeaker", _("Nghe được loa truyền thanh thôn/xã")
    INTERNET = "internet", _("Dùng Internet")


class PovertyClass(models.TextChoices):
    """The household's class under a poverty standard (set by the poverty app's classification)."""

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE = "average", _("Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình")
    NOT_POOR = "not_poor", _("Không nghèo")


class PovertyClassSource(models.TextChoices):
    """Where the household's current class comes from: only a recognition decision (after a review,
    QĐ 24/2021) makes a class official; a classification computed from form B is a result, which
    never replaces a class recognised under the same standard."""

    CLASSIFICATION = "classification", _("kết quả phân loại")
    DECISION = "decision", _("quyết định công nhận")


class MoveStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ xã nơi đến tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    REFUSED = "refused", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã hủy")


# Allowed transitions of a move between communes (one audited service each).
MOVE_TRANSITIONS = {
    MoveStatus.REQUESTED: {MoveStatus.ACCEPTED, MoveStatus.REFUSED, MoveStatus.CANCELLED},
    MoveStatus.ACCEPTED: set(),
    MoveStatus.REFUSED: set(),
    MoveStatus.CANCELLED: set(),
}


class ImportMode(models.TextChoices):
    CREATE = "create", _("Chỉ thêm hộ mới")
    UPDATE = "update", _("Thêm mới và cập nhật hộ đã có")
    SKIP = "skip", _("Bỏ qua hộ đã có")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Đã tải lên")
    VALIDATING = "validating", _("Đang kiểm tra")
    VALIDATED = "validated", _("Đã kiểm tra (chạy thử)")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ người thứ hai duyệt")
    COMMITTING = "committing", _("Đang ghi")
    COMMITTED = "committed", _("Đã ghi")
    FAILED = "failed", _("Thất bại")
    CANCELLED = "cancelled", _("Đã hủy")


IMPORT_TRANSITIONS = {
    ImportStatus.UPLOADED: {ImportStatus.VALIDATING, ImportStatus.CANCELLED},
    ImportStatus.VALIDATING: {ImportStatus.VALIDATED, ImportStatus.AWAITING_APPROVAL, ImportStatus.COMMITTING,
                              ImportStatus.FAILED},
    ImportStatus.VALIDATED: {ImportStatus.COMMITTING, ImportStatus.AWAITING_APPROVAL, ImportStatus.CANCELLED},
    ImportStatus.AWAITING_APPROVAL: {ImportStatus.COMMITTING, ImportStatus.CANCELLED},
    ImportStatus.COMMITTING: {ImportStatus.COMMITTED, ImportStatus.FAILED},
    ImportStatus.COMMITTED: set(),
    ImportStatus.FAILED: set(),
    ImportStatus.CANCELLED: set(),
}  # fmt: skip


class DuplicateKind(models.TextChoices):
    ID_NUMBER = "id_number", _("Trùng số CCCD")
    FUZZY = "fuzzy", _("Giống tên, ngày sinh")


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xem xét")
    SAME = "same", _("Cùng một người (đã gộp)")
    DIFFERENT = "different", _("Hai người khác nhau")
