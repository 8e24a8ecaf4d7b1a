"""Reads for accounts: every list a user sees is already scoped to their area."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit

from .models import ApiToken, RoleAssignment, User

VIEW_ASSIGNMENTS = "accounts.view_roleassignment"
MANAGE_ASSIGNMENTS = "accounts.manage_roleassignment"


def role_assignment_list_visible_to(
    *,
    user: User,
    perm: str = VIEW_ASSIGNMENTS,
    role: str | None = None,
    active: bool | None = None,
    username: str | None = None,
) -> QuerySet[RoleAssignment]:
    """Assignments whose unit lies in the area where `user` holds `perm`, optionally filtered.

    `role` is a role code, `active` keeps the assignments in force today (or, if False, those
    not in force), `username` matches part of the username or full name.
    """
    qs = RoleAssignment.objects.visible_to(user, perm=perm).select_related("user", "role", "unit")
    if role:
        qs = qs.filter(role__code=role)
    today = timezone.localdate()
    if active is True:
        qs = qs.active_on(today)
    elif active is False:
        qs = qs.ended_before(today)
    if username:
        qs = qs.filter(Q(user__username__icontains=username) | Q(user__full_name__icontains=username))
    return qs.order_by("user__username", "role__display_order", "-valid_from", "pk")


def role_assignment_get_for_action(*, user: User, pk: int, perm: str = MANAGE_ASSIGNMENTS) -> RoleAssignment:
    """One assignment `user` may act on; 404 whether it is missing or outside the area."""
    try:
        return RoleAssignment.objects.visible_to(user, perm=perm).select_related("user", "role", "unit").get(pk=pk)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc


def own_assignments(*, user: User) -> list[RoleAssignment]:
    """All of a user's own assignments (active first, then ended), for their profile."""
    today = timezone.localdate()
    rows = list(RoleAssignment.objects.filter(user=user).select_related("role", "unit").order_by("-valid_from", "pk"))
    for row in rows:
        row.is_active_today = row.is_active_on(today)
    return sorted(rows, key=lambda a: not a.is_active_today)


def api_token_list_for(*, user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (never anyone else's)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_own(*, user: User, pk: int) -> ApiToken:
    """One of the user's own tokens; 404 for a missing token or someone else's alike."""
    try:
        return ApiToken.objects.get(pk=pk, user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy mã truy cập.")) from exc


def assignment_unit_find(*, user: User, structure: str, code: str) -> AdminUnit | None:
    """The unit named by `code` in `structure` inside the area where `user` manages assignments.

    A province, district or commune is named by its own code (unique within a structure); a
    village by "commune code/village code" because village codes repeat between communes.
    An empty code means the whole country (None). Raises AdminUnit.DoesNotExist when no such unit
    lies in the user's area — the same answer for missing and out of area.
    """
    code = (code or "").strip().strip("/")
    if not code:
        return None
    if structure not in Structure.values:
        raise AdminUnit.DoesNotExist
    units = AdminUnit.objects.visible_to(user, perm=MANAGE_ASSIGNMENTS).filter(structure=structure)
    if "/" in code:
        commune_code, village_code = code.split("/", 1)
        units = units.filter(level=Level.VILLAGE, code=village_code, parent__code=commune_code).exclude(
            parent__level=Level.VILLAGE
        )
    else:
        units = units.filter(code=code).exclude(level=Level.VILLAGE)
    unit = units.first()
    if unit is None:
        raise AdminUnit.DoesNotExist
    return unit
