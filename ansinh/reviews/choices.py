"""Coded values of the reviews app: campaign statuses (with their transitions) and roles.

Campaign kinds, periods and milestone templates are data (`CampaignKind`, loaded from
``data/campaign_templates.json``), not choices: provinces and later decisions change them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CAMPAIGN_TRANSITIONS", "AssignmentRole", "CampaignStatus", "CommitteeRole", "MilestoneState"]


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
