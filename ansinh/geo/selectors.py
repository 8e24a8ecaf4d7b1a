"""Reads of administrative units, always through the reader's area scope (default deny)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.scoping import scope_of
from ansinh.core.text import fold_vietnamese
from ansinh.core.views import get_visible_object_or_404

from .choices import Level, Structure
from .models import AdminUnit, UnitSuccession

VIEW_PERM = "geo.view_adminunit"


def _visible(user) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.visible_to(user, perm=VIEW_PERM)


def units_search(queryset: QuerySet[AdminUnit], text: str | None) -> QuerySet[AdminUnit]:
    """Accent-insensitive name search ("tho xuan" finds "Xã Thọ Xuân"); a bare code matches exactly."""
    folded = fold_vietnamese(text or "")
    if not folded:
        return queryset
    return queryset.filter(Q(name_folded__contains=folded) | Q(code=text.strip()))


def units_in_province(queryset: QuerySet[AdminUnit], province_id: int | None) -> QuerySet[AdminUnit]:
    """Units inside a province (any depth), by materialised-path prefix."""
    if not province_id:
        return queryset
    path = AdminUnit.objects.filter(pk=province_id).values_list("path", flat=True).first()
    if path is None:
        return queryset.none()
    return queryset.filter(path__startswith=path).exclude(pk=province_id)


def unit_list_visible_to(*, user, filters: dict[str, Any] | None = None) -> QuerySet[AdminUnit]:
    """Units `user` may see, filtered by ``q``, ``structure``, ``level``, ``as_of`` (a date),
    ``parent`` and ``province`` (ids), in Vietnamese alphabetical order."""
    filters = filters or {}
    queryset = _visible(user).select_related("parent")
    queryset = units_search(queryset, filters.get("q"))
    if filters.get("structure"):
        queryset = queryset.filter(structure=filters["structure"])
    if filters.get("level"):
        queryset = queryset.filter(level=filters["level"])
    if filters.get("as_of"):
        queryset = queryset.valid_on(filters["as_of"])
    if filters.get("parent"):
        queryset = queryset.filter(parent_id=filters["parent"])
    queryset = units_in_province(queryset, filters.get("province"))
    return queryset.order_by("sort_key", "pk")


def unit_get_visible(*, user, pk: int) -> AdminUnit:
    """One unit inside the user's area; `Http404` whether it is missing or out of area."""
    return get_visible_object_or_404(AdminUnit.objects.select_related("parent"), user, perm=VIEW_PERM, pk=pk)


def unit_children(*, user, unit: AdminUnit, day: date | None = None) -> QuerySet[AdminUnit]:
    """The visible direct children of `unit` (optionally only those in force on `day`)."""
    queryset = _visible(user).filter(parent=unit)
    if day is not None:
        queryset = queryset.valid_on(day)
    return queryset.order_by("sort_key", "pk")


def unit_tree_as_of(*, user, day: date, parent: AdminUnit | None = None) -> QuerySet[AdminUnit]:
    """One level of the tree in force on `day`.

    With a `parent`, its visible children; without, the tops of the user's visible forest: the
    provinces for a national user, the commune itself for a commune officer (whose province lies
    outside their area).
    """
    visible = _visible(user).valid_on(day)
    if parent is not None:
        return visible.filter(parent=parent).order_by("sort_key", "pk")
    return visible.exclude(parent__in=_visible(user).valid_on(day).values("pk")).order_by("sort_key", "pk")


def unit_predecessors(*, unit: AdminUnit) -> QuerySet[UnitSuccession]:
    """Legacy communes continued by `unit` (2025 commune); `successor_count` > 1 marks a divided one."""
    return (
        UnitSuccession.objects.filter(successor=unit)
        .select_related("predecessor")
        .annotate(successor_count=Count("predecessor__successions"))
        .order_by("predecessor__sort_key")
    )


def unit_successors(*, unit: AdminUnit) -> QuerySet[UnitSuccession]:
    """2025 communes continuing `unit` (legacy commune), the default first."""
    return (
        UnitSuccession.objects.filter(predecessor=unit)
        .select_related("successor")
        .order_by("-is_default", "successor__sort_key")
    )


def unit_ids_visible_to(*, user, ids: Iterable[int]) -> set[int]:
    """Which of `ids` the user may open (to link only those; names alone are public knowledge)."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return set()
    return set(_visible(user).filter(pk__in=ids).values_list("pk", flat=True))


def unit_province(unit: AdminUnit | None) -> AdminUnit | None:
    """The province a unit lies in (itself for a province), in the unit's own structure."""
    while unit is not None and unit.level != Level.PROVINCE:
        unit = unit.parent
    return unit


def unit_successor(*, unit: AdminUnit) -> AdminUnit | None:
    """The 2025 unit a legacy unit is reported under (`successor_path`), if any."""
    if not unit.successor_path:
        return None
    return AdminUnit.objects.filter(path=unit.successor_path).first()


def area_units_ended(*, user, perm: str, day: date | None = None) -> list[AdminUnit]:
    """The units of `user`'s area for `perm` when every one is no longer in force on `day` (today);
    otherwise none. Lists use it to say why a legacy-only officer sees only old records, or none."""
    scope = user.area_scope(perm)
    if scope.national or not scope.paths:
        return []
    day = day or timezone.localdate()
    units = list(AdminUnit.objects.filter(path__in=scope.paths).order_by("sort_key", "pk"))
    if units and all(unit.valid_to is not None and unit.valid_to < day for unit in units):
        return units
    return []


def province_path(path: str) -> str:
    """The path of the province a unit's path lies in, in the unit's own structure
    ("/2025/38/16000/" → "/2025/38/", "/legacy/38/393/15850/" → "/legacy/38/"); "" if none."""
    parts = path.strip("/").split("/")
    return f"/{parts[0]}/{parts[1]}/" if len(parts) >= 2 else ""


def unit_within(unit: AdminUnit, territory: str) -> bool:
    """Whether the land of `unit` lies wholly inside the unit at path `territory`, in either structure.

    A unit lies inside when its path (or, for a legacy unit, its successor's) starts with
    `territory`. A 2025 unit also lies inside a legacy territory ("/legacy/79/") when every 2025
    commune it covers (itself, its village's commune, a province's communes) continues legacy communes
    of that territory only: a commune of today's Hồ Chí Minh City formed from former Bình Dương
    communes does not lie in former Hồ Chí Minh City. A commune with no recorded predecessor is not
    known to lie inside. Used for the reach of a local standard (decision 0039).
    """
    if unit.path.startswith(territory) or (unit.successor_path and unit.successor_path.startswith(territory)):
        return True
    if not (territory.startswith(f"/{Structure.LEGACY}/") and unit.path.startswith(f"/{Structure.Y2025}/")):
        return False
    base = unit.parent if unit.level == Level.VILLAGE and unit.parent_id else unit
    if base.level not in (Level.COMMUNE, Level.PROVINCE):
        return False
    communes = AdminUnit.objects.filter(path__startswith=base.path, level=Level.COMMUNE)
    links = UnitSuccession.objects.filter(successor__in=communes)
    return (
        communes.exists()
        and not links.exclude(predecessor__path__startswith=territory).exists()
        and not communes.exclude(pk__in=links.values("successor_id")).exists()
    )


def provinces_in_area(*, user, perm: str) -> QuerySet[AdminUnit]:
    """Provinces inside the area where `user` holds `perm`: today's first, then the legacy ones
    (before 1 July 2025; a province officer's area holds those merged into their province)."""
    legacy_last = Case(When(structure=Structure.LEGACY, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        AdminUnit.objects.visible_to(user, perm=perm)
        .filter(level=Level.PROVINCE)
        .order_by(legacy_last, "sort_key", "pk")
    )


def area_spans_provinces(*, user, perm: str) -> bool:
    """Whether the area where `user` holds `perm` covers more than one of today's provinces (a legacy
    province counts as the one it was merged into). Lists and forms then ask for a province first
    instead of offering every unit of the area: thousands of options for a national reader.

    An area inside one province (a province, district or commune officer) is told from the user's
    assignments without a query.
    """
    scope = scope_of(user, perm)
    if scope.is_empty or (not scope.national and len({province_path(p) for p in scope.paths}) < 2):
        return False
    seen: set[str] = set()
    for path, successor in provinces_in_area(user=user, perm=perm).order_by().values_list("path", "successor_path"):
        seen.add(successor or path)
        if len(seen) > 1:
            return True
    return False


# A select offers every village of a reader's area up to this many; above it, only the villages of
# the commune chosen (a province's villages are thousands of <option>s). Shared by the household
# list's village filter and a campaign's case list (its filter and its "list the current poor
# households" form), so one reader meets the same rule on both pages (decision 0029).
VILLAGES_AT_ONCE_MAX = 300


def villages_to_offer(
    villages: QuerySet[AdminUnit], *, commune_id: int | None = None, village_id: int | None = None,
    limit: int | None = None,
) -> QuerySet[AdminUnit]:  # fmt: skip
    """`villages` (already scoped to the reader) narrowed for a select: those of `commune_id`, else
    those of the commune of `village_id` (a chosen village still renders, selected, among its
    commune's), else all of them when there are at most `limit` (`VILLAGES_AT_ONCE_MAX`), else
    none: ``isinstance(result, EmptyQuerySet)`` tells the page to ask for a commune first.

    Ids come from the request: they only narrow `villages`, so an id outside the reader's area
    offers nothing. At most one query (the count's ``LIMIT 1``); none when a unit is chosen."""
    if commune_id is not None:
        return villages.filter(parent_id=commune_id)
    if village_id is not None:
        return villages.filter(parent_id__in=AdminUnit.objects.filter(pk=village_id).values("parent_id"))
    limit = VILLAGES_AT_ONCE_MAX if limit is None else limit
    if villages.all()[limit : limit + 1].exists():  # `all()`: a query even if `villages` was already read
        return villages.none()
    return villages


def unit_labels_by_path(paths: Iterable[str]) -> dict[str, str]:
    """Names for unit paths read from records the reader already sees (an audit event's area): the
    unit's name, then its parent's below a province ("Thôn 1, Xã Thọ Xuân"), a legacy
    unit marked "(cũ)". One query for all the paths; a path no unit has keeps its text. Unit names
    are public, so this adds nothing to what the reader may see."""
    wanted = {path for path in paths if path}
    parents = {path.rsplit("/", 2)[0] + "/" for path in wanted if path.count("/") > 3}
    units = {
        path: (name, structure)
        for path, name, structure in AdminUnit.objects.filter(path__in=wanted | parents).values_list(
            "path", "name", "structure"
        )
    }
    legacy = str(_("%(name)s (cũ)"))
    labels = {}
    for path in wanted:
        if path not in units:
            labels[path] = path
            continue
        name, structure = units[path]
        parent = units.get(path.rsplit("/", 2)[0] + "/") if path.count("/") > 3 else None
        label = f"{name}, {parent[0]}" if parent else name
        labels[path] = legacy % {"name": label} if structure == Structure.LEGACY else label
    return labels
