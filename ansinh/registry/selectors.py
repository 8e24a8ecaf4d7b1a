"""Reads of the household registry, always through the reader's area scope (default deny).

Pages, the API and exports call these; none of them builds its own household queryset.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.core.scoping import scope_of
from ansinh.core.text import fold_vietnamese
from ansinh.core.views import get_visible_object_or_404
from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import (
    VILLAGES_AT_ONCE_MAX,
    area_spans_provinces,
    province_path,
    provinces_in_area,
    unit_labels_by_path,
    villages_to_offer,
)

from .choices import HouseholdStatus, ImportStatus, MemberStatus, MoveStatus, PovertyClass
from .identity import normalise_id_number
from .models import Household, HouseholdMove, ImportBatch, Member

VIEW_PERM = "registry.view_household"
MANAGE_PERM = "registry.manage_household"
FULL_IDENTITY_PERM = "registry.view_full_identity"
VIEW_MOVE_PERM = "registry.view_householdmove"

# Yes/no facts a list can be filtered on (TT 07/2021 Phụ lục VII report groups).
FLAG_FIELDS = (
    "is_ethnic_minority",
    "is_local_indigenous",
    "has_meritorious_person",
    "has_social_assistance",
    "no_labour_capacity",
    "female_head",
    "lone_household",
)
# An identity number as people type it: digits with optional spaces, dots or dashes.
_ID_LIKE = re.compile(r"^[\d\s.\-]+$")
# The start of a household code as people type it: letters, digits, "-" or "_", no spaces.
_CODE_LIKE = re.compile(r"[\w\-]+")
# Shortest typed start that is searched as a prefix: a code's first 3 characters, a CCCD/CMND's
# first 6 digits (fewer would list a large part of the area). Shorter text matches a whole code only.
CODE_PREFIX_MIN = 3
ID_PREFIX_MIN = 6
# Up to this many matching households (of any area) the search reads them once and the list's count
# and page filter on their ids (`households_search`); above it they filter on the matching subquery.
SEARCH_IDS_MAX = 1000


def _present_member_count() -> Coalesce:
    """Members still in the household, as a subquery (a join + GROUP BY would repeat every column)."""
    counts = (
        Member.objects.filter(household=OuterRef("pk"), status=MemberStatus.PRESENT)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def households_search(queryset: QuerySet[Household], text: str | None) -> QuerySet[Household]:
    """Households one of whose members is named like `text` (accents ignored: "nguyen van a" finds
    "Nguyễn Văn A"), or holds a CCCD/CMND starting with the typed digits, or whose code starts with `text`.

    - Household code: the whole code, any case; and when `text` looks like a code (letters, digits,
      "-", "_", no spaces) of at least `CODE_PREFIX_MIN` characters, every code starting with it
      ("hg0012" finds HG001234). ``%`` and ``_`` are literal (Django escapes them in ``LIKE``).
    - CCCD/CMND: typed with or without spaces, dots or dashes (`normalise_id_number`); 12 digits
      match that number, 6 to 11 digits every number starting with them (so 9 digits find the CMND
      and the CCCDs that start so); fewer than `ID_PREFIX_MIN` digits are not a number search.

    The matching households' ids are one ``UNION ALL`` of the codes, members and CCCDs that match:
    the database starts from the few members and codes that match (the trigram index on the folded
    name, the upper-cased code index, the CCCD index). An ``OR`` of ``EXISTS`` conditions, as before,
    made PostgreSQL test every household of the area against the matches: 470 ms per count at 1M
    households for "nguyen van an", 88 ms this way (docs/benchmarks.md, "HTTP"). The prefix branches
    are index range scans too on PostgreSQL: ``upper(code) LIKE 'HG0012%'`` reads
    ``registry_hh_code_upper`` (``text_pattern_ops`` since `registry/0009`, which also serves the
    whole-code ``=``), ``id_number LIKE '038075%'`` the ``varchar_pattern_ops`` twin of the
    ``id_number`` index; a database whose collation is not "C" could not use a plain B-tree for them.
    A household with two matching members is listed once (``IN``, not a join). Three forms, one set:

    - a text of several words (a full name: most searches) matching at most `SEARCH_IDS_MAX` ids
      (codes of `queryset`, members of any area): they are read once here and the list filters on
      them, ``id IN (…)``, so its count and its page do not each search the names again (the trigram
      search is most of a name search's database time). A single word (a family name alone, a code
      or CCCD prefix) is not read first: it often matches more than that, and the read would be
      wasted (a commune officer's "nguyen": about 90 ms at 100k households, docs/benchmarks.md);
    - otherwise, when the code prefix alone matches more households of `queryset` than a list counts
      (`list_count_cap`, e.g. "HG0", shared by most codes): ``upper(code) LIKE … OR id IN (the
      member matches)`` on the households themselves, so the database knows how many codes match
      and walks the list's order index for a page instead of sorting every match (1.5 s at 285k
      households as an ``IN (UNION …)``, whose size the planner cannot estimate);
    - else ``id IN (UNION ALL …)`` as a subquery.
    """
    from ansinh.core.pagination import list_count_cap

    text = (text or "").strip()
    if not text:
        return queryset
    matches, code, member_ids = _search_parts(queryset, text)
    if len(text.split()) > 1:
        found = list(matches[: SEARCH_IDS_MAX + 1])
        if len(found) <= SEARCH_IDS_MAX:
            return queryset.filter(pk__in=sorted(set(found)))
    cap = list_count_cap()
    if code is not None and queryset.filter(code).order_by().values("pk")[: cap + 1].count() > cap:
        if not member_ids:
            return queryset.filter(code)
        in_members = member_ids[0].union(*member_ids[1:], all=True) if len(member_ids) > 1 else member_ids[0]
        return queryset.filter(code | Q(pk__in=in_members))
    return queryset.filter(pk__in=matches)


def _search_parts(queryset: QuerySet[Household], text: str) -> tuple[QuerySet, Q | None, list[QuerySet]]:
    """(the matching ids, the code prefix condition or None for a whole code, the member branches)."""
    code_prefix = len(text) >= CODE_PREFIX_MIN and _CODE_LIKE.fullmatch(text)
    code = Q(code__istartswith=text) if code_prefix else Q(code__iexact=text)  # istartswith: also the whole code
    members = []
    folded = fold_vietnamese(text)
    if folded:
        members.append(Member.objects.filter(name_folded__contains=folded))
    if _ID_LIKE.match(text):
        digits = normalise_id_number(text)
        if len(digits) == 12:
            members.append(Member.objects.filter(id_number=digits))
        elif ID_PREFIX_MIN <= len(digits) < 12:  # a CMND (9 digits) or the start of a number
            members.append(Member.objects.filter(id_number__startswith=digits))
    member_ids = [part.order_by().values_list("household_id", flat=True) for part in members]
    # The code branch within `queryset` (its area and filters): a prefix most codes share ("HG0") then
    # counts the reader's households, not every household of the country.
    parts = [queryset.filter(code).order_by().values_list("pk", flat=True), *member_ids]
    matches = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return matches, (code if code_prefix else None), member_ids


def _unit_id(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, AdminUnit):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # a malformed id matches nothing rather than everything


def households_filter(queryset: QuerySet[Household], filters: dict[str, Any]) -> QuerySet[Household]:
    """Apply the list filters (see `household_list_visible_to`) to an already scoped queryset."""
    province_id = _unit_id(filters.get("province"))
    if province_id is not None:
        path = AdminUnit.objects.filter(pk=province_id, level=Level.PROVINCE).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        # Today's province also finds the households recorded under the legacy units merged into it.
        queryset = queryset.filter(Q(unit_path__startswith=path) | Q(successor_path__startswith=path))
    commune_id = _unit_id(filters.get("commune"))
    if commune_id is not None:
        path = AdminUnit.objects.filter(pk=commune_id).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        # A household of a legacy commune is carried by its successor: the successor's filter finds it.
        queryset = queryset.filter(Q(commune_id=commune_id) | Q(successor_path__startswith=path))
    village_id = _unit_id(filters.get("village"))
    if village_id is not None:
        queryset = queryset.filter(village_id=village_id)
    for name in ("status", "area_type", "poverty_class"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    for name in FLAG_FIELDS:
        value = filters.get(name)
        if value is not None and value != "":
            queryset = queryset.filter(**{name: bool(value)})
    return households_search(queryset, filters.get("q"))


def households_visible_to(*, user) -> QuerySet[Household]:
    """Every household `user` may see, with the relations a list shows and `members_count`."""
    return (
        Household.objects.visible_to(user, perm=VIEW_PERM)
        .select_related("commune", "village", "head")
        .annotate(members_count=_present_member_count())
    )


# The dashboard counts households live only for areas this small: a commune or a village holds a few
# thousand, read through the unit-path index in a few milliseconds; a province (up to about three
# million) would cost a scan on every visit, and its figures belong to the review's count table.
HOUSEHOLD_FIGURE_LEVELS = (Level.COMMUNE, Level.VILLAGE)


def household_class_counts(*, user, units: list[AdminUnit]) -> dict[int, dict[str, int]]:
    """For each unit of `units` (a commune or a village), the households under management there that
    `user` may see: ``{"total", "poor", "near_poor", "average", "not_poor", "unclassified"}`` by their
    current class. One aggregate query for all the units. A unit where `user` may not read households
    (a helping agency's role) has no entry: its figures would read as "0 households"."""
    scope = scope_of(user, VIEW_PERM)
    units = [u for u in units if u.level in HOUSEHOLD_FIGURE_LEVELS and scope.covers(u.path)]
    if not units:
        return {}
    aggregates, inside = {}, Q(pk__in=[])
    for unit in units:
        where = Q(unit_path__startswith=unit.path) | Q(successor_path__startswith=unit.path)
        inside |= where
        aggregates[f"total_{unit.pk}"] = Count("pk", filter=where)
        aggregates[f"unclassified_{unit.pk}"] = Count("pk", filter=where & Q(poverty_class=""))
        for klass in PovertyClass.values:
            aggregates[f"{klass}_{unit.pk}"] = Count("pk", filter=where & Q(poverty_class=klass))
    # The units' own rows only (read through the path indexes), not the reader's whole area.
    visible = Household.objects.visible_to(user, perm=VIEW_PERM).filter(inside, status=HouseholdStatus.ACTIVE)
    counts = visible.aggregate(**aggregates)
    keys = ("total", "unclassified", *PovertyClass.values)
    return {unit.pk: {key: counts[f"{key}_{unit.pk}"] or 0 for key in keys} for unit in units}


def household_list_visible_to(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Household]:
    """Households `user` may see, with `members_count` (present members), filtered and ordered.

    Filters (all optional): ``province`` (id or unit; today's province also matches households of
    the legacy units merged into it), ``commune`` (id or unit; also matches households of legacy
    communes it continues), ``village``, ``status``, ``area_type``, ``poverty_class`` (current classification),
    each name of `FLAG_FIELDS` (True/False),
    ``q`` (see `households_search`). Ordered by head name in Vietnamese order, then code.
    """
    queryset = households_filter(households_visible_to(user=user), filters or {})
    return queryset.order_by("head_sort_key", "code", "pk")


def household_get_visible(*, user, pk, perm: str = VIEW_PERM) -> Household:
    """One household inside the area where `user` holds `perm`; `Http404` if missing or out of area."""
    return get_visible_object_or_404(
        Household.objects.select_related("commune", "village", "head", "ethnicity"), user, perm=perm, pk=pk
    )


def member_get_visible(*, user, pk, perm: str = VIEW_PERM) -> Member:
    """One member whose household lies inside the area where `user` holds `perm` (else `Http404`)."""
    return get_visible_object_or_404(
        Member.objects.select_related("household", "household__commune", "household__village", "ethnicity"),
        user,
        perm=perm,
        pk=pk,
    )


def household_members(*, household: Household) -> QuerySet[Member]:
    """Everyone ever recorded in the household (present first), in the order of the register."""
    return household.members.select_related("ethnicity").order_by("order", "id")


def household_history(*, household: Household) -> QuerySet[AuditEvent]:
    """The household's history: audit events about it or any of its members, newest first.

    The audit log is the history (decision 0006), so nothing here can drift from what was recorded.
    """
    member_ids = [str(pk) for pk in household.members.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(target_type="registry.household", target_id=str(household.pk))
            | Q(target_type="registry.member", target_id__in=member_ids)
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def household_programmes(*, household: Household) -> list:
    """Support programmes the household takes part in: the programmes app does not exist yet, so none."""
    return []


def provinces_for_filter(*, user) -> QuerySet[AdminUnit]:
    """Provinces offered by the household list's province filter: those of the reader's area (today's
    first, then the legacy ones) when it covers more than one province, else none (no such filter)."""
    if not area_spans_provinces(user=user, perm=VIEW_PERM):
        return AdminUnit.objects.none()
    return provinces_in_area(user=user, perm=VIEW_PERM)


# Above this many communes in an area of several provinces, the list's commune filter offers only
# those of the chosen province: a national reader's page carried 13,393 <option>s (today's 3,321
# communes and the legacy 10,035), about 1 MB. An area of one province keeps all its communes
# (Thanh Hóa: 714 with the legacy ones), whatever their number.
COMMUNE_FILTER_MAX = 400


def communes_for_filter(
    *, user, province_id: int | None = None, commune_id: int | None = None, spans_provinces: bool | None = None
) -> QuerySet[AdminUnit]:
    """Communes offered by the household list's filter, today's first, then the legacy ones (records
    from before 1 July 2025 name them), with their district (`parent`) for the label.

    With `province_id` (a province of the reader's area, else none): the province's communes, in its
    own structure (a legacy province's legacy communes). Otherwise every commune of the area, unless
    the area covers several provinces (`spans_provinces`, worked out when not given) and holds more
    than `COMMUNE_FILTER_MAX`: then those of the province of `commune_id` (a link naming only a
    commune still validates), else none (pick a province first).
    """
    legacy_last = Case(When(structure=Structure.LEGACY, then=Value(1)), default=Value(0), output_field=IntegerField())
    communes = (
        AdminUnit.objects.visible_to(user, perm=VIEW_PERM)
        .filter(level=Level.COMMUNE)
        .select_related("parent")
        .order_by(legacy_last, "sort_key", "pk")
    )
    if province_id is not None:
        provinces = provinces_in_area(user=user, perm=VIEW_PERM).filter(pk=province_id)
        path = provinces.values_list("path", flat=True).first()
        return communes.filter(path__startswith=path) if path else communes.none()
    if spans_provinces is None:
        spans_provinces = area_spans_provinces(user=user, perm=VIEW_PERM)
    if not spans_provinces:
        return communes
    if commune_id is not None:
        path = AdminUnit.objects.filter(pk=commune_id, level=Level.COMMUNE).values_list("path", flat=True).first()
        return communes.filter(path__startswith=province_path(path)) if path else communes.none()
    if communes[COMMUNE_FILTER_MAX : COMMUNE_FILTER_MAX + 1].exists():
        return communes.none()
    return communes


# Above this many villages in the reader's area the list filter offers only the chosen commune's
# villages: a province officer's page would otherwise carry thousands of <option>s (most of the list
# page's time at 100k households, docs/benchmarks.md "HTTP"). The rule is `geo.selectors.villages_to_offer`,
# which a campaign's case list follows too.
VILLAGE_FILTER_MAX = VILLAGES_AT_ONCE_MAX


def villages_for_filter(*, user, commune_id: int | None = None, village_id: int | None = None) -> QuerySet[AdminUnit]:
    """Villages offered by the household list's filter: those of `commune_id` (or of the commune of
    `village_id`, so a link naming only a village still validates), else every village of the
    reader's area when there are at most `VILLAGE_FILTER_MAX`, else none (pick a commune first)."""
    villages = AdminUnit.objects.visible_to(user, perm=VIEW_PERM).filter(level=Level.VILLAGE)
    villages = villages_to_offer(villages, commune_id=commune_id, village_id=village_id, limit=VILLAGE_FILTER_MAX)
    return villages.select_related("parent").order_by("parent__sort_key", "sort_key", "pk")


def communes_manageable_by(*, user) -> QuerySet[AdminUnit]:
    """Communes in force today where `user` may register households."""
    return (
        AdminUnit.objects.visible_to(user, perm=MANAGE_PERM)
        .filter(level=Level.COMMUNE)
        .valid_on(timezone.localdate())
        .order_by("sort_key", "pk")
    )


def villages_of(*, communes) -> QuerySet[AdminUnit]:
    """Villages in force today of the given communes, grouped by commune."""
    return (
        AdminUnit.objects.filter(level=Level.VILLAGE, parent__in=communes)
        .valid_on(timezone.localdate())
        .select_related("parent")
        .order_by("parent__sort_key", "sort_key", "pk")
    )


def import_batches_awaiting_approval_by(*, user, limit: int = 10) -> list[ImportBatch]:
    """Import batches waiting for `user` to approve them: in an area where they hold the approve
    permission, uploaded by someone else (maker-checker), oldest first."""
    from .services_import import APPROVE_PERM

    batches = (
        ImportBatch.objects.visible_to(user, perm=APPROVE_PERM)
        .filter(status=ImportStatus.AWAITING_APPROVAL)
        .exclude(created_by=user)
        .select_related("commune", "created_by")
        .order_by("created_at", "pk")
    )
    return list(batches[:limit])


def moves_visible_to(*, user, direction: str = "", status: str = "") -> QuerySet[HouseholdMove]:
    """Moves between communes the user may see (a move is seen from both communes). `direction`
    "in" keeps those arriving in the user's area (to receive), "out" those leaving it (sent);
    `status` one of `MoveStatus`; anything else filters nothing."""
    moves = HouseholdMove.objects.visible_to(user, perm=VIEW_MOVE_PERM)
    if direction in ("in", "out"):
        scope = scope_of(user, VIEW_MOVE_PERM)
        moves = moves.filter(scope.q("to_unit_path" if direction == "in" else "unit_path"))
    if status in MoveStatus.values:
        moves = moves.filter(status=status)
    return moves


def moves_awaiting_acceptance_by(*, user, limit: int = 10) -> tuple[int, list[HouseholdMove]]:
    """Requests to move a household into a commune where `user` manages households, not yet
    accepted or refused: their number and the `limit` oldest (they have waited longest)."""
    scope = scope_of(user, MANAGE_PERM)
    moves = HouseholdMove.objects.visible_to(user, perm=MANAGE_PERM).filter(
        scope.q("to_unit_path"), status=MoveStatus.REQUESTED
    )
    count = moves.count()
    if not count:
        return 0, []
    oldest = moves.select_related("household", "from_commune", "to_commune", "to_village").order_by("created_at", "pk")
    return count, moves_with_places(list(oldest[:limit]))


def moves_with_places(moves: list[HouseholdMove]) -> list[HouseholdMove]:
    """Set `from_place` and `to_place` on each move (with its communes and village loaded): the
    commune with its province ("Xã Thọ Xuân, Tỉnh Thanh Hóa"), the village first when one was
    asked for, as Vietnamese addresses are written. Communes of two provinces can share a name, so
    a move between provinces would otherwise read ambiguously. One query for the whole list."""
    labels = unit_labels_by_path(path for move in moves for path in (move.from_commune.path, move.to_commune.path))
    for move in moves:
        move.from_place = labels[move.from_commune.path]
        move.to_place = labels[move.to_commune.path]
        if move.to_village_id:
            move.to_place = f"{move.to_village.name}, {move.to_place}"
    return moves


def household_moves_for(*, user, household: Household) -> list[HouseholdMove]:
    """The household's moves between communes that `user` may see, newest first, with their places:
    those it left by (or is asked to leave by) and the one it arrived by (`new_household`)."""
    moves = (
        moves_visible_to(user=user)
        .filter(Q(household=household) | Q(new_household=household))
        .select_related("from_commune", "to_commune", "to_village")
        .order_by("-created_at", "-pk")
    )
    return moves_with_places(list(moves))
