"""Coded values of the reviews app: campaign statuses (with their transitions) and roles.

Campaign kinds, periods and milestone templates are data (`CampaignKind`, loaded from
``data/campaign_templates.json``), not choices: provinces and later decisions change them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CAMPAIGN_TRANSITIONS", "CASE_TRANSITIONS", "ApplicationChannel", "AssignmentRole", "CampaignStatus", "CaseOrigin",
    "CaseState", "CommitteeRole", "MilestoneState",
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
# Only listing (→ listed), form A (listed → screened_out | surveying) and the start of the survey
# (listed → surveying) have services so far; the later steps get one audited service each
# (form B, village meeting, posting, complaints and re-inspection, decision, approval) and must
# move a case only along this map.
# - listed → screened_out: an applicant household matches an exclusion criterion of phiếu A;
# - listed → surveying: passed phiếu A, or already on the poor / near-poor list (no phiếu A);
# - surveying → surveyed: phiếu B collected and scored;
# - surveyed → met: the village meeting agrees (at least 50% of attendees);
#   surveyed → surveying: agreement under 50%, the review is redone and the meeting held again;
# - met → posted: the results are posted at the village and the commune;
# - posted → surveying: a complaint during posting (or the re-inspection) is upheld, re-surveyed;
#   posted → decided: the commune chair's recognition decision (Mẫu 02), certificates (Mẫu 03);
# - decided → approved: approved upward where the campaign's approval chain asks for it;
# - any state before the decision → withdrawn (moved away, merged, application withdrawn).
CASE_TRANSITIONS = {
    CaseState.LISTED: {CaseState.SCREENED_OUT, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.SCREENED_OUT: set(),
    CaseState.SURVEYING: {CaseState.SURVEYED, CaseState.WITHDRAWN},
    CaseState.SURVEYED: {CaseState.MET, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.MET: {CaseState.POSTED, CaseState.WITHDRAWN},
    CaseState.POSTED: {CaseState.DECIDED, CaseState.SURVEYING, CaseState.WITHDRAWN},
    CaseState.DECIDED: {CaseState.APPROVED},
    CaseState.APPROVED: set(),
    CaseState.WITHDRAWN: set(),
}


def case_can_move(old: str, new: str) -> bool:
    """Whether the procedure allows a case to move from `old` to `new` (both CaseState values)."""
    return new in CASE_TRANSITIONS.get(CaseState(old), set())
