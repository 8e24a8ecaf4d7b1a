"""Reads behind the dashboard: the user's areas with their size (and, for a commune or a village, its
households by current class), pending jobs, recent audit events.

Every figure comes from the database through the user's own scope (`visible_to`), and the
whole dashboard costs a handful of queries whatever the number of areas: the unit counts of
all areas are one aggregate with a filtered COUNT per area.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ansinh.audit.event_types import label_for
from ansinh.audit.models import AuditEvent
from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.jobs.models import Job, JobStatus
from ansinh.registry.selectors import household_class_counts

RECENT_EVENTS = 10
PENDING_JOBS = 10


@dataclass
class Area:
    """One unit (or the whole country) where the user holds at least one role today."""

    unit: AdminUnit | None
    roles: list = field(default_factory=list)
    communes: int = 0
    villages: int = 0
    # Households under management by current class (`registry.selectors.household_class_counts`): for
    # a commune or village area only, None otherwise.
    households: dict[str, int] | None = None

    def rate(self, klass: str) -> float | None:
        """The share of households of `klass` in percent (the poverty rate for "poor"), None without households."""
        if not self.households or not self.households["total"]:
            return None
        return 100 * self.households[klass] / self.households["total"]

    @property
    def poor_rate(self) -> float | None:
        return self.rate("poor")

    @property
    def near_poor_rate(self) -> float | None:
        return self.rate("near_poor")

    @property
    def list_filter(self) -> str:
        """The household list's query string for this area (its commune or village), active households."""
        if self.unit is None:
            return "status=active"
        key = "village" if self.unit.level == Level.VILLAGE else "commune"
        return f"status=active&{key}={self.unit.pk}"

    @property
    def name(self) -> str:
        if self.unit is None:
            return str(_("Toàn quốc"))
        if self.unit.level == Level.VILLAGE and self.unit.parent_id:  # many communes have a "Thôn 1"
            return f"{self.unit.name}, {self.unit.parent.name}"
        return self.unit.name

    @property
    def has_communes_below(self) -> bool:
        return self.unit is None or self.unit.level in (Level.PROVINCE, Level.DISTRICT)

    @property
    def has_villages_below(self) -> bool:
        """A village has no units beneath it: its card counts nothing ("1 village" would read oddly)."""
        return self.unit is None or self.unit.level != Level.VILLAGE

    @property
    def level_label(self) -> str:
        return self.unit.get_level_display() if self.unit else str(_("Toàn quốc"))


def dashboard_areas(*, user) -> list[Area]:
    """The user's areas today, each with the communes and villages beneath it that they can see.

    Several roles on one unit make one area. A national area counts the units of the current
    (2025) structure only, so merged and legacy units are not counted twice.
    """
    areas: dict[int | None, Area] = {}
    for assignment in user.active_assignments():
        area = areas.setdefault(assignment.unit_id, Area(unit=assignment.unit))
        area.roles.append(assignment.role)
    if not areas:
        return []
    aggregates = {}
    for key, area in areas.items():
        where = Q(path__startswith=area.unit.path) if area.unit else Q(structure=Structure.Y2025)
        aggregates[f"communes_{key}"] = Count("pk", filter=where & Q(level=Level.COMMUNE))
        aggregates[f"villages_{key}"] = Count("pk", filter=where & Q(level=Level.VILLAGE))
    counts = AdminUnit.objects.visible_to(user).aggregate(**aggregates)
    for key, area in areas.items():
        area.communes = counts[f"communes_{key}"]
        area.villages = counts[f"villages_{key}"]
    figures = household_class_counts(user=user, units=[a.unit for a in areas.values() if a.unit is not None])
    for area in areas.values():
        if area.unit is not None:
            area.households = figures.get(area.unit.pk)
    # National first, then by path: a province comes before the communes inside it.
    return sorted(areas.values(), key=lambda a: (a.unit is not None, a.unit.path if a.unit else ""))


def dashboard_pending_jobs(*, user) -> list[Job]:
    """The user's own background jobs that have not finished yet, newest first."""
    return list(
        Job.objects.filter(created_by=user)
        .exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
        .order_by("-created_at")[:PENDING_JOBS]
    )


def dashboard_recent_events(*, user) -> list[AuditEvent] | None:
    """The last audit events in the user's area, or None when their roles may not read the log."""
    if not user.has_perm("audit.view_auditevent"):
        return None
    events = list(AuditEvent.objects.visible_to(user).select_related("actor")[:RECENT_EVENTS])
    for event in events:
        event.label = label_for(event.event_type)
    return events


# (url name, label, permission or None for anyone signed in); links to modules not installed are skipped.
QUICK_LINKS = [
    ("registry:household_list", _("Hộ gia đình"), "registry.view_household"),
    ("reviews:campaign_list", _("Các đợt rà soát"), "reviews.view_campaign"),
    ("registry:move_list", _("Chuyển hộ giữa các xã"), "registry.view_householdmove"),
    ("accounts:assignment_create", _("Giao vai trò"), "accounts.manage_roleassignment"),
    ("accounts:assignment_list", _("Phân quyền trong địa bàn"), "accounts.view_roleassignment"),
    ("geo:unit_list", _("Đơn vị hành chính"), "geo.view_adminunit"),
    ("audit:event_list", _("Nhật ký hoạt động"), "audit.view_auditevent"),
    ("jobs:job_list", _("Công việc nền"), "jobs.view_job"),
    ("accounts:profile", _("Tài khoản của tôi"), None),
    ("accounts:token_create", _("Tạo mã truy cập API"), None),
]


def dashboard_quick_links(*, user) -> list[dict]:
    links = []
    for url_name, label, perm in QUICK_LINKS:
        if perm is not None and not user.has_perm(perm):
            continue
        try:
            links.append({"url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    return links
