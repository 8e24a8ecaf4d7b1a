"""Users, roles as permission sets, role assignments to units (the area), and API tokens."""

from datetime import date

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import AreaScope, ScopedQuerySet


class User(AbstractUser):
    """A person who signs in. What they may do, and where, comes from their role assignments."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    organisation = models.CharField(_("cơ quan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    # -- area scope ---------------------------------------------------------------------------
    def active_assignments(self, on: date | None = None) -> list["RoleAssignment"]:
        """Assignments in force today (cached on this instance for the request)."""
        day = on or timezone.localdate()
        cache = self.__dict__.setdefault("_assignment_cache", {})
        if day not in cache:
            cache[day] = list(RoleAssignment.objects.active_on(day).filter(user=self).select_related("role", "unit"))
        return cache[day]

    def role_perms(self, assignment: "RoleAssignment") -> frozenset[str]:
        """The permission names ("app.codename") `assignment`'s role grants.

        Read on the first call of a request for every role of the user's assignments in force, in one
        query of (role, app, codename) rows: every page asks (the menu, the view's permission), and
        prefetching the roles' `Permission` and `ContentType` objects cost two queries and a few dozen
        model instances per request."""
        cache = self.__dict__.setdefault("_role_perm_cache", {})
        if assignment.role_id not in cache:
            role_ids = {a.role_id for a in self.active_assignments()} - cache.keys() | {assignment.role_id}
            found: dict[int, set[str]] = {role_id: set() for role_id in role_ids}
            rows = Role.permissions.through.objects.filter(role_id__in=role_ids).values_list(
                "role_id", "permission__content_type__app_label", "permission__codename"
            )
            for role_id, app_label, codename in rows:
                found[role_id].add(f"{app_label}.{codename}")
            for role_id, names in found.items():
                cache[role_id] = frozenset(names)
        return cache[assignment.role_id]

    def area_scope(self, perm: str) -> AreaScope:
        """Units (as path prefixes) where this user holds `perm` today; national if any grant is."""
        if not self.is_active:
            return AreaScope.nothing()
        cache = self.__dict__.setdefault("_scope_cache", {})
        if perm not in cache:
            national = False
            paths: set[str] = set()
            for assignment in self.active_assignments():
                if perm not in self.role_perms(assignment):
                    continue
                if assignment.unit_id is None:
                    national = True
                    break
                paths.add(assignment.unit.path)
            cache[perm] = AreaScope(national=national, paths=frozenset(() if national else paths))
        return cache[perm]

    def role_codes(self) -> set[str]:
        return {a.role.code for a in self.active_assignments()}

    def clear_scope_cache(self) -> None:
        for key in ("_assignment_cache", "_role_perm_cache", "_scope_cache"):
            self.__dict__.pop(key, None)


class Role(TimeStampedModel):
    """A named set of permissions (commune officer, province approver …), editable by an administrator."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("quyền"), blank=True, related_name="+")
    read_only = models.BooleanField(_("chỉ đọc"), default=False)
    legacy_only = models.BooleanField(_("chỉ cho cơ cấu cũ (trước 1/7/2025)"), default=False)
    display_order = models.PositiveSmallIntegerField(default=100)
    # What the roles data file granted at the last load, so a reload adds only new grants.
    seeded_permissions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the interface language (roles are data: the English name is a column)."""
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


class RoleAssignmentQuerySet(ScopedQuerySet):
    """Assignments are scoped by their unit: visible when the unit lies in the viewer's area.

    A national assignment (no unit) has no path, so only a viewer with national scope sees it.
    """

    def active_on(self, day: date):
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def ended_before(self, day: date):
        """Assignments no longer (or not yet) in force on `day` — the complement of `active_on`."""
        return self.filter(Q(valid_from__gt=day) | Q(valid_to__lt=day))


class RoleAssignment(TimeStampedModel):
    """`user` holds `role` over `unit` and its whole subtree (no unit = the whole country)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("địa bàn"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=timezone.localdate)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoleAssignmentQuerySet.as_manager()
    # Like the unit itself: a legacy unit is also reached through the 2025 unit it is reported under,
    # so the officer who may give a role on it (has_perm on the unit) also sees and ends it.
    scope_fields = ("unit__path", "unit__successor_path")

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        ordering = ["user__username", "role__display_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_assignment_valid_range",
            ),
        ]
        permissions = [("manage_roleassignment", _("Giao và thu hồi vai trò"))]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.unit or _('Toàn quốc')}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit.path, self.unit.successor_path) if self.unit_id else ()

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class ApiToken(TimeStampedModel):
    """A personal token for integrations. Only a SHA-256 of the secret is stored; it acts as its owner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
