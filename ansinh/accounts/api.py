"""Accounts API: the caller's own identity and tokens, and role assignments in their area.

Endpoints are thin: parse the input schema, fetch through a selector, call one service, answer
the output schema. Refusals are raised (Http404, PermissionDenied, ApplicationError,
ValidationError) and turned into the one error shape by `ansinh.core.api`.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.geo.models import AdminUnit

from . import selectors, services
from .models import ApiToken, Role, RoleAssignment, User

router = Router(tags=["accounts"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- output schemas ----------------------------------------------------------------------------
class UserOut(Schema):
    id: int
    username: str
    full_name: str
    position: str
    organisation: str
    email: str


class RoleAssignmentOut(Schema):
    id: int
    username: str = Field(..., alias="user.username")
    user_full_name: str = Field(..., alias="user.full_name")
    role: str = Field(..., alias="role.code")
    role_name: str = Field(..., alias="role.name")
    unit_path: str | None
    unit_name: str
    unit_level: str | None
    valid_from: date
    valid_to: date | None
    note: str
    is_active: bool

    @staticmethod
    def resolve_unit_path(obj: RoleAssignment) -> str | None:
        return obj.unit.path if obj.unit_id else None

    @staticmethod
    def resolve_unit_name(obj: RoleAssignment) -> str:
        return obj.unit.name if obj.unit_id else str(_("Toàn quốc"))

    @staticmethod
    def resolve_unit_level(obj: RoleAssignment) -> str | None:
        return obj.unit.level if obj.unit_id else None

    @staticmethod
    def resolve_is_active(obj: RoleAssignment) -> bool:
        return obj.is_active_on(timezone.localdate())


class MeOut(Schema):
    user: UserOut
    roles: list[RoleAssignmentOut]
    permissions: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    is_usable: bool

    @staticmethod
    def resolve_is_usable(obj: ApiToken) -> bool:
        return obj.is_usable()


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str = Field(..., description="Mã đầy đủ; chỉ trả về một lần, hệ thống không lưu.")


# -- input schemas -----------------------------------------------------------------------------
class TokenCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class RoleAssignmentFilterIn(Schema):
    role: str | None = Field(None, description="Mã vai trò")
    active: bool | None = Field(None, description="true: đang hiệu lực; false: đã hết hiệu lực")
    username: str | None = Field(None, max_length=150, description="Một phần tên đăng nhập hoặc họ tên")


class RoleAssignmentCreateIn(Schema):
    username: str = Field(..., max_length=150)
    role: str = Field(..., max_length=40, description="Mã vai trò")
    unit_structure: Literal["2025", "legacy"] = "2025"
    unit_code: str = Field("", max_length=60, description="Mã đơn vị; thôn: “mã xã/mã thôn”; trống = toàn quốc")
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = Field("", max_length=255)


class RoleAssignmentEndIn(Schema):
    end: date | None = Field(None, description="Ngày kết thúc (mặc định: hôm nay)")


# -- endpoints ---------------------------------------------------------------------------------
@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me_get", summary="Tài khoản đang dùng")
def me_get(request):
    user: User = request.auth
    roles = [a for a in selectors.own_assignments(user=user) if a.is_active_today] if user.is_active else []
    permissions = sorted(user.get_all_permissions())
    return {"user": user, "roles": roles, "permissions": permissions}


@router.get(
    "/tokens", response={200: list[TokenOut], **ERRORS}, operation_id="token_list", summary="Mã truy cập của tôi"
)
def token_list(request):
    return selectors.api_token_list_for(user=request.auth)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, operation_id="token_create",
             summary="Tạo mã truy cập (mã đầy đủ chỉ trả về một lần)")  # fmt: skip
def token_create(request, payload: TokenCreateIn):
    new = services.api_token_create(actor=request.auth, name=payload.name, expires_at=payload.expires_at)
    return Status(201, {"token": new.token, "secret": new.secret})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERRORS}, operation_id="token_revoke",
             summary="Thu hồi mã truy cập")  # fmt: skip
def token_revoke(request, token_id: int):
    token = selectors.api_token_get_own(user=request.auth, pk=token_id)
    return services.api_token_revoke(actor=request.auth, token=token)


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


@router.get("/role-assignments", response={200: list[RoleAssignmentOut], **ERRORS},
            operation_id="role_assignment_list", summary="Phân công vai trò trong địa bàn")  # fmt: skip
@paginate(PagePagination)
def role_assignment_list(request, filters: Query[RoleAssignmentFilterIn]):
    _require(request.auth, selectors.VIEW_ASSIGNMENTS)
    return selectors.role_assignment_list_visible_to(
        user=request.auth, role=filters.role, active=filters.active, username=filters.username
    )


@router.post("/role-assignments", response={201: RoleAssignmentOut, **ERRORS},
             operation_id="role_assignment_create", summary="Giao vai trò")  # fmt: skip
def role_assignment_create(request, payload: RoleAssignmentCreateIn):
    actor: User = request.auth
    _require(actor, selectors.MANAGE_ASSIGNMENTS)
    user = User.objects.filter(username=payload.username.strip()).first()
    if user is None:
        raise ValidationError({"username": _("Không có tài khoản với tên đăng nhập này.")})
    role = Role.objects.filter(code=payload.role).first()
    if role is None:
        raise ValidationError({"role": _("Không có vai trò với mã này.")})
    try:
        unit = selectors.assignment_unit_find(user=actor, structure=payload.unit_structure, code=payload.unit_code)
    except AdminUnit.DoesNotExist as exc:
        raise ValidationError({"unit_code": _("Không tìm thấy đơn vị này trong địa bàn của bạn.")}) from exc
    assignment = services.role_assignment_create(
        actor=actor, user=user, role=role, unit=unit,
        valid_from=payload.valid_from, valid_to=payload.valid_to, note=payload.note,
    )  # fmt: skip
    return Status(201, assignment)


@router.post("/role-assignments/{assignment_id}/end", response={200: RoleAssignmentOut, **ERRORS},
             operation_id="role_assignment_end", summary="Kết thúc phân công vai trò")  # fmt: skip
def role_assignment_end(request, assignment_id: int, payload: RoleAssignmentEndIn | None = None):
    _require(request.auth, selectors.MANAGE_ASSIGNMENTS)
    assignment = selectors.role_assignment_get_for_action(user=request.auth, pk=assignment_id)
    return services.role_assignment_end(actor=request.auth, assignment=assignment, end=payload.end if payload else None)
