"""Coded values of the reviews app: campaign statuses (with their transitions) and roles.

Campaign kinds, periods and milestone templates are data (`CampaignKind`, loaded from
``data/campaign_templates.json``), not choices: provinces and later decisions change them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "APPROVAL_TRANSITIONS", "CAMPAIGN_TRANSITIONS", "CASE_TRANSITIONS", "LOCKED_APPROVAL_STATES", "ApplicationChannel",
    "ApprovalState", "AssignmentRole", "CampaignStatus", "CaseOrigin", "CaseState", "CommitteeRole",
    "ComplaintChannel", "ComplaintStatus", "MilestoneState", "ReinspectionStatus", "Transition",
]  # fmt: skip


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chuẩn bị")
    OPEN = "open", _("Đang rà soát")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


# Allowed transitions of a campaign (one audited service each: campaign_open, _close, _cancel).
CAMPAIGN_TRANSITIONS = {
    CampaignStatus.DRAFT: {CampaignStatus.OPEN, CampaignStatus.CANCELLED},
    CampaignStatus.OPEN: {CampaignStatus.CLOSED, CampaignStatus.CANCELLED},
    CampaignStatus.CLOSED: set(),
    CampaignStatus.CANCELLED: set(),
}

# While a campaign is being prepared or run, its committee, assignments and trainings may change.
EDITABLE_STATUSES = frozenset({CampaignStatus.DRAFT, CampaignStatus.OPEN})


class CommitteeRole(models.TextChoices):
    HEAD = "head", _("Trưởng ban")
    DEPUTY = "deputy", _("Phó trưởng ban")
    STANDING = "standing", _("Thành viên thường trực")
    MEMBER = "member", _("Thành viên")


class AssignmentRole(models.TextChoices):
    ENUMERATOR = "enumerator", _("Rà soát viên")
    SUPERVISOR = "supervisor", _("Giám sát viên")


class MilestoneState(models.TextChoices):
    """What one cell of the milestone board says (see `status.milestone_status`)."""

    DONE_ON_TIME = "done_on_time", _("Đã xong, đúng hạn")
    DONE_LATE = "done_late", _("Đã xong, trễ hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    PENDING = "pending", _("Chưa đến hạn")


# Badge class of each state on the board (existing colours; the text label always goes with it).
STATE_BADGES = {
    MilestoneState.DONE_ON_TIME: "badge-ok",
    MilestoneState.DONE_LATE: "badge-warn",
    MilestoneState.DUE_SOON: "badge-warn",
    MilestoneState.OVERDUE: "badge-danger",
    MilestoneState.PENDING: "",
}


# -- review cases (one household in one campaign) -----------------------------------------------


class CaseOrigin(models.TextChoices):
    """Why the household is in the review (QĐ 24/2021/QĐ-TTg Điều 4 khoản 1, step 1)."""

    POOR_LIST = "poor_list", _("Đang trong danh sách hộ nghèo")
    NEAR_POOR_LIST = "near_poor_list", _("Đang trong danh sách hộ cận nghèo")
    APPLIED = "applied", _("Có giấy đề nghị rà soát")


class ApplicationChannel(models.TextChoices):
    """How the Giấy đề nghị (Mẫu số 01) reached the commune (directly, by post, online portal)."""

    IN_PERSON = "in_person", _("Nộp trực tiếp")
    POST = "post", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến (Cổng dịch vụ công)")


class CaseState(models.TextChoices):
    LISTED = "listed", _("Trong danh sách rà soát")
    SCREENED_OUT = "screened_out", _("Loại qua phiếu A")
    SURVEYING = "surveying", _("Đang rà soát phiếu B")
    SURVEYED = "surveyed", _("Đã chấm điểm phiếu B")
    MET = "met", _("Đã thống nhất tại họp dân")
    POSTED = "posted", _("Đang niêm yết công khai")
    DECIDED = "decided", _("Đã có quyết định công nhận của xã")
    APPROVED = "approved", _("Đã phê duyệt kết quả")
    WITHDRAWN = "withdrawn", _("Đã rút khỏi đợt rà soát")


# The whole procedure of QĐ 24/2021/QĐ-TTg Điều 4 for one household, as allowed transitions.
# Each step is one audited service (services_cases, services_survey, services_posting,
# services_inspection, services_decision) and moves a case only along this map.
# - listed → screened_out: an applicant household matches an exclusion criterion of phiếu A;
# - listed → surveying: passed phiếu A, or already on the poor / near-poor list (no phiếu A);
# - surveying → surveyed: phiếu B collected and scored;
# - surveyed → met: the village meeting agrees (at least 50% of attendees);
#   surveyed → surveying: agreement under 50%, the review is redone and the meeting held again;
# - met → posted: the results are posted at the village and the commune;
# - posted → surveying: a complaint during posting (or a re-inspection finding) is upheld, re-surveyed;
#   surveyed → surveying and met → surveying also happen when phiếu B must be redone before posting;
#   posted → decided: the commune chair's recognition decision (Mẫu 02), certificates (Mẫu 03);
# - decided → approved: the commune's results approved (services_approval, all its cases at once);
#   approved → decided: the level above returns the commune's results for revision;
#   decided → surveying: while returned for revision, a household is re-surveyed (then posted and
#   decided again, which amends the commune's decision);
# - any state before the decision → withdrawn (moved away, merged, application withdrawn).
CASE_TRANSITIONS = {
    CaseState.LISTED: {CaseState.SCREENED_OUT, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.SCREENED_OUT: set(),
    CaseState.SURVEYING: {CaseState.SURVEYED, CaseState.WITHDRAWN},
    CaseState.SURVEYED: {CaseState.MET, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.MET: {CaseState.POSTED, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.POSTED: {CaseState.DECIDED, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.DECIDED: {CaseState.APPROVED, CaseState.SURVEYING},
    CaseState.APPROVED: {CaseState.DECIDED},
    CaseState.WITHDRAWN: set(),
}


def case_can_move(old: str, new: str) -> bool:
    """Whether the procedure allows a case to move from `old` to `new` (both CaseState values)."""
    return new in CASE_TRANSITIONS.get(CaseState(old), set())


# -- steps 4–10 -----------------------------------------------------------------------------------


class ComplaintChannel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    LETTER = "letter", _("Đơn, thư")
    PHONE = "phone", _("Điện thoại")
    ONLINE = "online", _("Trực tuyến")
    MEETING = "meeting", _("Tại cuộc họp, buổi tiếp dân")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Đang xác minh")
    UPHELD = "upheld", _("Đúng, rà soát lại")
    REJECTED = "rejected", _("Không đúng")


class ReinspectionStatus(models.TextChoices):
    OPEN = "open", _("Đang phúc tra")
    CLOSED = "closed", _("Đã kết thúc phúc tra")


class ApprovalState(models.TextChoices):
    """One unit's results in the campaign's approval chain (step 10)."""

    WAITING = "waiting", _("Chờ cấp dưới")
    READY = "ready", _("Sẵn sàng phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    ACCEPTED = "accepted", _("Cấp trên đã tiếp nhận")
    RETURNED = "returned", _("Trả lại để chỉnh sửa")


# Allowed moves of one unit's approval row (services_approval, one audited service each):
# waiting → ready (its cases all decided / its children all approved, and submitted);
# ready → approved (an approver of that level, not the submitter); approved → accepted (the level
# above approved); approved → returned (the level above sends it back with a reason);
# returned → ready (fixed and submitted again); accepted → approved (the level above was itself
# returned for revision, so its acceptance of the children is withdrawn and it may return one).
APPROVAL_TRANSITIONS = {
    ApprovalState.WAITING: {ApprovalState.READY},
    ApprovalState.READY: {ApprovalState.APPROVED, ApprovalState.WAITING},
    ApprovalState.APPROVED: {ApprovalState.ACCEPTED, ApprovalState.RETURNED},
    ApprovalState.ACCEPTED: {ApprovalState.APPROVED},
    ApprovalState.RETURNED: {ApprovalState.READY},
}

# A unit whose results are approved (or accepted above) is locked: no step may change its cases.
LOCKED_APPROVAL_STATES = frozenset({ApprovalState.APPROVED, ApprovalState.ACCEPTED})


class Transition(models.TextChoices):
    """How a household's class changed from the previous review to this one (frozen results)."""

    NEWLY_POOR = "newly_poor", _("Hộ nghèo mới")
    RE_POOR = "re_poor", _("Hộ tái nghèo")
    NEWLY_NEAR_POOR = "newly_near_poor", _("Hộ cận nghèo mới")
    RE_NEAR_POOR = "re_near_poor", _("Hộ tái cận nghèo")
    ESCAPED_POVERTY = "escaped_poverty", _("Thoát nghèo")
    POOR_TO_NEAR_POOR = "poor_to_near_poor", _("Từ hộ nghèo thành hộ cận nghèo")
    NEAR_POOR_TO_POOR = "near_poor_to_poor", _("Từ hộ cận nghèo thành hộ nghèo")
    ESCAPED_NEAR_POVERTY = "escaped_near_poverty", _("Thoát cận nghèo")
    REMAINED_POOR = "remained_poor", _("Vẫn là hộ nghèo")
    REMAINED_NEAR_POOR = "remained_near_poor", _("Vẫn là hộ cận nghèo")
    AVERAGE = "average", _("Hộ có mức sống trung bình")
    MOVED_AWAY = "moved_away", _("Chuyển đi nơi khác")
    DIED = "died", _("Hộ không còn (chết, nhập hộ)")
    NOT_POOR = "not_poor", _("Không nghèo (không đổi)")
    OTHER = "other", _("Khác")
