"""Reads of administrative units, always through the reader's area scope (default deny)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ansinh.core.text import fold_vietnamese
from ansinh.core.views import get_visible_object_or_404

from .choices import Level
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
