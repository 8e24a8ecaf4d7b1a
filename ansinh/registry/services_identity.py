"""Showing a member's full identity number: allowed to some roles, and always on the record.

Pages and the API show CCCD numbers masked (`identity.mask_id_number`); a role that needs the full
number asks for it one member at a time, and each look is an audit event, so who looked at whose
number can be answered later (Luật Bảo vệ dữ liệu cá nhân 2025; Nghị định 13/2023/NĐ-CP).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError

from .events import RegistryEventType
from .models import Member

FULL_IDENTITY_PERM = "registry.view_full_identity"


def member_identity_reveal(*, actor, member: Member) -> str:
    """The member's full identity number, recorded as a FULL_IDENTITY_VIEWED audit event.

    Refused when the actor lacks ``registry.view_full_identity`` over the member's household, or
    the member has no number. The event names the member and household, never the number itself
    (the audit log must not become a second copy of the numbers).
    """
    with transaction.atomic():
        locked = Member.objects.select_related("household").get(pk=member.pk)
        household = locked.household
        if actor is None or not actor.has_perm(FULL_IDENTITY_PERM, household):
            raise PermissionDenied(_("Vai trò của bạn không được xem đầy đủ số CCCD."))
        if not locked.id_number:
            raise ApplicationError(_("Thành viên này chưa có số CCCD/CMND."), code="no_id_number")
        audit_record(
            actor=actor,
            event_type=RegistryEventType.FULL_IDENTITY_VIEWED,
            target=locked,
            unit_path=household.unit_path,
            changes={"new": {"household": household.pk, "id_kind": locked.id_kind}},
        )
    return locked.id_number
