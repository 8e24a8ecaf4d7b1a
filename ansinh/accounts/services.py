"""Writes for accounts: roles, role assignments, API tokens. Each is one transaction with its audit event."""

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.core.text import dmy
from ansinh.geo.choices import REFORM_DATE
from ansinh.geo.models import AdminUnit

from .api_auth import TOKEN_PREFIX_LENGTH, hash_secret
from .events import AccountsEventType
from .models import ApiToken, Role, RoleAssignment, User

ROLES_FILE = Path(__file__).resolve().parent / "data" / "roles.json"


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as exc:
        raise ValidationError(_("Quyền không tồn tại: %(perm)s") % {"perm": label}) from exc


@transaction.atomic
def roles_load(*, actor: User | None = None, path: Path = ROLES_FILE, reset: bool = False) -> dict[str, int]:
    """Create the roles of the data file that are missing and grant permissions the file newly lists.

    An administrator's edits survive a plain reload: a permission the file listed before and
    the administrator removed stays removed; only permissions the file did not list at the last
    load (e.g. those of a newly installed module) are added. With `reset`, roles are rewritten
    from the file. Refuses the whole file if any permission it names does not exist.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    created = updated = 0
    for spec in data["roles"]:
        labels = sorted(spec["permissions"])
        perms = {label: _permission(label) for label in labels}
        role = Role.objects.filter(code=spec["code"]).first()
        fields = {
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "description": spec.get("description", ""),
            "read_only": spec.get("read_only", False),
            "legacy_only": spec.get("legacy_only", False),
            "display_order": spec.get("order", 100),
        }
        if role is not None and not reset:
            added = [label for label in labels if label not in role.seeded_permissions]
            if not added and set(role.seeded_permissions) == set(labels):
                continue
            role.permissions.add(*(perms[label] for label in added))
            role.seeded_permissions = labels
            role.save(update_fields=["seeded_permissions", "updated_at"])
            updated += 1
            audit_record(
                actor=actor, event_type=AccountsEventType.ROLE_PERMISSIONS_CHANGED, target=role,
                changes={"new": {"permissions_added": added}},
            )  # fmt: skip
            continue
        if role is None:
            role = Role.objects.create(code=spec["code"], seeded_permissions=labels, **fields)
            created += 1
        else:
            for name, value in fields.items():
                setattr(role, name, value)
            role.seeded_permissions = labels
            role.save()
            updated += 1
        role.permissions.set(perms.values())
        audit_record(
            actor=actor,
            event_type=AccountsEventType.ROLE_PERMISSIONS_CHANGED,
            target=role,
            changes={"new": {"permissions": labels, **fields}},
        )
    return {"created": created, "updated": updated}


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


def role_assignment_create(
    *,
    actor: User | None,
    user: User,
    role: Role,
    unit: AdminUnit | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    note: str = "",
) -> RoleAssignment:
    """Give `user` `role` over `unit` (None = whole country).

    Refused when the actor may not manage assignments over that unit, when the dates are
    reversed, when a legacy-only role is put on a 2025 unit, when the assignment starts before
    the unit's own start (a 2025 unit starts on 01/7/2025) or after its end (a legacy unit ended
    on 30/6/2025), or ends after the unit's end, or when the same assignment is already active.
    An open end on a unit that has ended is accepted: a legacy district's officer keeps reading
    (and replaying) that district's records (README, demo accounts).
    """
    with transaction.atomic():
        if actor is not None:
            allowed = actor.has_perm("accounts.manage_roleassignment", unit) if unit else _is_national(actor)
            if not allowed:
                raise PermissionDenied(_("Bạn không được giao vai trò trên địa bàn này."))
        start = valid_from or timezone.localdate()
        if valid_to is not None and valid_to < start:
            raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        if unit is not None and role.legacy_only and not unit.is_legacy:
            raise ApplicationError(
                _("Vai trò “%(role)s” chỉ dùng cho đơn vị trước 01/7/2025.") % {"role": role.name},
                code="legacy_role_on_new_unit",
            )
        if unit is not None:
            _check_within_unit(unit, start=start, end=valid_to)
        if unit is not None and not unit.is_legacy and valid_to is not None and valid_to < REFORM_DATE:
            raise ValidationError({"valid_to": _("Đơn vị này chỉ có từ 01/7/2025.")})
        duplicate = RoleAssignment.objects.active_on(start).filter(user=user, role=role, unit=unit).exists()
        if duplicate:
            raise ApplicationError(_("Người dùng đã có vai trò này trên địa bàn này."), code="duplicate_assignment")
        assignment = RoleAssignment.objects.create(
            user=user, role=role, unit=unit, valid_from=start, valid_to=valid_to, note=note, created_by=actor
        )
        audit_record(
            actor=actor,
            event_type=AccountsEventType.ROLE_ASSIGNED,
            target=assignment,
            unit_path=unit.path if unit else "",
            changes={"new": {"user": user.username, "role": role.code, "unit": unit.path if unit else None,
                             "valid_from": start, "valid_to": valid_to}},
        )  # fmt: skip
    user.clear_scope_cache()
    return assignment


def _check_within_unit(unit: AdminUnit, *, start: date, end: date | None) -> None:
    """An assignment gives an area, so it lies within the unit's own validity (decision 0004): no
    role on a commune before it was created or from after it was abolished."""
    if unit.valid_from is not None and start < unit.valid_from:
        raise ValidationError({"valid_from": _(
            "%(unit)s có hiệu lực từ ngày %(start)s: phân công không thể bắt đầu trước ngày này."
        ) % {"unit": unit.name, "start": dmy(unit.valid_from)}})  # fmt: skip
    if unit.valid_to is None:
        return
    if start > unit.valid_to:
        raise ValidationError({"valid_from": _(
            "%(unit)s chỉ có hiệu lực đến ngày %(end)s: phân công phải bắt đầu trong thời gian đơn vị còn hiệu lực."
        ) % {"unit": unit.name, "end": dmy(unit.valid_to)}})  # fmt: skip
    if end is not None and end > unit.valid_to:
        raise ValidationError({"valid_to": _(
            "%(unit)s chỉ có hiệu lực đến ngày %(end)s: phân công không thể kết thúc sau ngày này."
        ) % {"unit": unit.name, "end": dmy(unit.valid_to)}})  # fmt: skip


def _is_national(actor: User) -> bool:
    return actor.area_scope("accounts.manage_roleassignment").national


@transaction.atomic
def role_assignment_end(*, actor: User, assignment: RoleAssignment, end: date | None = None) -> RoleAssignment:
    """End an assignment (kept for history). Refused outside the actor's area or if already ended."""
    # Lock only the assignment row: the unit is a nullable (outer) join, which PostgreSQL cannot lock.
    locked = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("unit", "user", "role")
        .get(pk=assignment.pk)
    )
    allowed = actor.has_perm("accounts.manage_roleassignment", locked.unit) if locked.unit else _is_national(actor)
    if not allowed:
        raise PermissionDenied(_("Bạn không được thu hồi vai trò trên địa bàn này."))
    day = end or timezone.localdate()
    if locked.valid_to is not None and locked.valid_to <= day:
        raise ApplicationError(_("Phân công này đã kết thúc."), code="already_ended")
    if day < locked.valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    old = locked.valid_to
    locked.valid_to = day
    locked.save(update_fields=["valid_to", "updated_at"])
    audit_record(
        actor=actor,
        event_type=AccountsEventType.ROLE_ASSIGNMENT_ENDED,
        target=locked,
        unit_path=locked.unit.path if locked.unit else "",
        changes={"old": {"valid_to": old}, "new": {"valid_to": day}},
    )
    locked.user.clear_scope_cache()
    return locked


@transaction.atomic
def api_token_create(*, actor: User, name: str, expires_at: datetime | None = None) -> NewToken:
    """A new personal token for `actor`. The full secret is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cho mã truy cập.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Thời điểm hết hạn phải ở tương lai.")})
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=prefix, secret_hash=hash_secret(secret), expires_at=expires_at
    )
    audit_record(
        actor=actor, event_type=AccountsEventType.API_TOKEN_CREATED, target=token,
        changes={"new": {"name": token.name, "prefix": prefix, "expires_at": expires_at}},
    )  # fmt: skip
    return NewToken(token=token, secret=f"ansinh_{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens. Refused for someone else's token or one already revoked."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.user_id != actor.pk:
        raise PermissionDenied(_("Đây không phải mã truy cập của bạn."))
    if locked.revoked_at is not None:
        raise ApplicationError(_("Mã truy cập này đã bị thu hồi."), code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor, event_type=AccountsEventType.API_TOKEN_REVOKED, target=locked,
        changes={"new": {"revoked_at": locked.revoked_at}},
    )  # fmt: skip
    return locked


@transaction.atomic
def role_update_permissions(
    *,
    actor: User | None,
    role: Role,
    permissions: Iterable[Permission | str],
    name: str | None = None,
    description: str | None = None,
) -> Role:
    """Replace the permissions of `role` (and optionally its name and description), audited.

    Every holder of the role gains or loses the permissions at once, in every area they hold it.
    Refused for an actor without ``accounts.change_role``; an unknown permission label refuses the
    whole change. No audit event when nothing changed.
    """
    if actor is not None and not actor.has_perm("accounts.change_role"):
        raise PermissionDenied(_("Bạn không được sửa quyền của vai trò."))
    locked = Role.objects.select_for_update().get(pk=role.pk)
    wanted = [p if isinstance(p, Permission) else _permission(p) for p in permissions]
    old_labels = sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in locked.permissions.select_related("content_type")
    )
    new_labels = sorted({f"{p.content_type.app_label}.{p.codename}" for p in wanted})
    old: dict = {}
    new: dict = {}
    if old_labels != new_labels:
        old["permissions"], new["permissions"] = old_labels, new_labels
    for field_name, value in (("name", name), ("description", description)):
        if value is not None and value != getattr(locked, field_name):
            old[field_name], new[field_name] = getattr(locked, field_name), value
            setattr(locked, field_name, value)
    if not new:
        return locked
    if "name" in new and not (locked.name or "").strip():
        raise ValidationError({"name": _("Vai trò phải có tên.")})
    locked.save()
    locked.permissions.set(wanted)
    audit_record(
        actor=actor, event_type=AccountsEventType.ROLE_PERMISSIONS_CHANGED, target=locked,
        changes={"old": old, "new": new},
    )  # fmt: skip
    return locked


USER_PROFILE_FIELDS = ("full_name", "position", "organisation", "email")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    position: str = "",
    organisation: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """A new account with a password that passes the password rules; it has no role yet.

    Refused when the actor lacks ``accounts.add_user``, when the username is taken (ignoring
    case, so "NguyenVanA" and "nguyenvana" cannot both exist), or when the password is weak.
    The password itself is never written to the audit log.
    """
    if actor is not None and not actor.has_perm("accounts.add_user"):
        raise PermissionDenied(_("Bạn không được tạo tài khoản."))
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Hãy nhập tên đăng nhập.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("Tên đăng nhập “%(username)s” đã có.") % {"username": username}, code="username_taken")
    user = User(
        username=username, full_name=full_name.strip(), position=position.strip(),
        organisation=organisation.strip(), email=(email or "").strip(), is_staff=is_staff,
    )  # fmt: skip
    user.full_clean(exclude=["password"])
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor, event_type=AccountsEventType.USER_CREATED, target=user,
        changes={"new": {"username": username, "is_staff": is_staff,
                         **{name: getattr(user, name) for name in USER_PROFILE_FIELDS}}},
    )  # fmt: skip
    return user


@transaction.atomic
def user_update(*, actor: User | None, user: User, **fields) -> User:
    """Change profile fields or the active/staff flags of an account (not its password), audited.

    Deactivating an account ends its sessions' effect at once (the backend refuses inactive users)
    and its API tokens stop working; role assignments are kept for history.
    """
    allowed = {*USER_PROFILE_FIELDS, "is_active", "is_staff", "first_name", "last_name"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Không sửa được trường: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if actor is not None and not actor.has_perm("accounts.change_user"):
        raise PermissionDenied(_("Bạn không được sửa tài khoản."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    old: dict = {}
    new: dict = {}
    for name, value in fields.items():
        if getattr(locked, name) != value:
            old[name], new[name] = getattr(locked, name), value
            setattr(locked, name, value)
    if not new:
        return locked
    locked.full_clean(exclude=["password"])
    locked.save(update_fields=list(new))
    audit_record(
        actor=actor, event_type=AccountsEventType.USER_UPDATED, target=locked, changes={"old": old, "new": new}
    )
    return locked


@transaction.atomic
def login_lockout_record(*, username: str, ip_address: str | None) -> None:
    """Record that sign-in for `username` is locked after too many wrong passwords.

    Called for the lock-out itself and for each attempt refused while it lasts (a continuing
    guess is worth seeing). Only the username attempted and the address are kept, never a password.
    """
    username = (username or "")[:150]
    target = User.objects.filter(username=username).first()
    audit_record(
        actor=None,
        event_type=AccountsEventType.LOGIN_LOCKED_OUT,
        target=target,
        target_repr=username,
        changes={"new": {"username": username, "ip_address": ip_address or ""}},
    )
