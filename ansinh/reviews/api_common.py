"""What every reviews API module shares: the error responses and the role check."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Schema

from ansinh.core.api import ErrorOut

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def require_role_perm(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per object)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


class UnitRefOut(Schema):
    id: int
    name: str
    level: str
    structure: str
    path: str
