"""Area scope: the one place that decides which rows a user may see.

A user's area is the union of the administrative-unit subtrees of their active role assignments
whose role grants the permission asked for. Units are identified by their materialised path
(e.g. ``/2025/38/16000/``), so "inside the area" is a prefix test that needs no tree walk.

Every scoped model gets a manager built with `ScopedManager`, naming the path field(s) that
place one of its rows; `Model.objects.visible_to(user)` is then the only way pages, the API,
exports and jobs read it. The default is deny: a user without a matching assignment sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class AreaScope:
    """The set of unit subtrees a user may act on for one permission."""

    national: bool = False
    paths: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def nothing(cls) -> AreaScope:
        return cls()

    @classmethod
    def everywhere(cls) -> AreaScope:
        return cls(national=True)

    @property
    def is_empty(self) -> bool:
        return not self.national and not self.paths

    def minimal_paths(self) -> list[str]:
        """Paths with those already covered by a shorter one removed (smaller SQL)."""
        result: list[str] = []
        for path in sorted(self.paths, key=len):
            if not any(path.startswith(kept) for kept in result):
                result.append(path)
        return sorted(result)

    def q(self, *path_fields: str) -> Q:
        """A filter matching rows whose path (any of `path_fields`) lies in the area."""
        if self.national:
            return Q()
        condition = Q(pk__in=[])
        for path in self.minimal_paths():
            for path_field in path_fields:
                condition |= Q(**{f"{path_field}__startswith": path})
        return condition

    def covers(self, *paths: str | None) -> bool:
        if self.national:
            return True
        return any(p and any(p.startswith(area) for area in self.paths) for p in paths)


def scope_of(user, perm: str) -> AreaScope:
    """The area in which `user` holds `perm` (empty for anonymous or inactive users)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return AreaScope.nothing()
    area_scope = getattr(user, "area_scope", None)
    if area_scope is None:
        return AreaScope.nothing()
    return area_scope(perm)


def scope_paths_of(obj) -> tuple[str, ...]:
    """The unit paths that place `obj` (an AdminUnit, or any row of a scoped model)."""
    getter = getattr(obj, "get_scope_paths", None)
    if getter is None:
        return ()
    return tuple(p for p in getter() if p)


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model whose rows belong to an area.

    The model names the path fields that place a row in `scope_fields` (possibly across a
    relation, e.g. ``("household__commune_path",)``); the default read permission is the
    model's ``view`` permission.
    """

    def visible_to(self, user, *, perm: str | None = None):
        """Rows inside the area where `user` holds `perm` (the model's view permission by default)."""
        opts = self.model._meta
        scope = scope_of(user, perm or f"{opts.app_label}.view_{opts.model_name}")
        if scope.is_empty:
            return self.none()
        if scope.national:
            return self
        return self.filter(scope.q(*self.model.scope_fields))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
