"""Reads of the poverty app: standards (reference data) and results scoped to the reader's area."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from ansinh.core.partitions import reported_province_key
from ansinh.core.scoping import scope_of
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import unit_within
from ansinh.registry.choices import MemberStatus
from ansinh.registry.models import Household, Member

from .derivation import HouseholdSnapshot, Person, age_on
from .models import Assessment, Classification, ClassificationRun, PovertyStandard
from .standard import StandardSpec

VIEW_PERM = "poverty.view_classification"
CLASSIFY_PERM = "poverty.classify_household"
EDIT_STANDARD_PERM = "poverty.change_povertystandard"


def standards_all() -> QuerySet[PovertyStandard]:
    return PovertyStandard.objects.order_by("valid_from", "code")


def standards_offered(*, user, perm: str) -> QuerySet[PovertyStandard]:
    """The standards a picker offers `user` (where they hold `perm`): every national one, and a local one
    whose land meets the user's area (decision 0039): a Thanh Hóa officer is not offered Hồ Chí Minh
    City's. Whether it reaches the unit finally chosen is checked by the writer (`services.require_reach`)."""
    scope = scope_of(user, perm)
    if scope.national:
        return standards_all()
    areas = scope.minimal_paths()
    kept = [s.pk for s in standards_all() if not s.jurisdiction or any(_lands_meet(j, a) for j in s.jurisdiction
                                                                  for a in areas)]  # fmt: skip
    return standards_all().filter(pk__in=kept)


def _lands_meet(first: str, second: str) -> bool:
    """Whether the units at paths `first` and `second` share land: one holds the other, or, across the two
    structures, a legacy unit under one continues into a 2025 unit under the other."""
    if first.startswith(second) or second.startswith(first):
        return True
    return AdminUnit.objects.filter(
        Q(path__startswith=first, successor_path__startswith=second)
        | Q(path__startswith=second, successor_path__startswith=first)
    ).exists()


def standard_by_code(code: str) -> PovertyStandard | None:
    return PovertyStandard.objects.filter(code=code).first()


def _stricter(local: StandardSpec, national: StandardSpec) -> bool:
    """A local standard wins where its poor line is at least the national one in both areas."""
    return all(
        local.monthly(local.lines[a].poor) >= national.monthly(national.lines[a].poor) for a in ("rural", "urban")
    )


def standard_in_force(on_date: date, unit: AdminUnit | None = None) -> PovertyStandard | None:
    """The standard in force on `on_date`: the national one, or the province's stricter local one.

    `unit` places the question (its path, or the path of its successor, must lie inside the
    local standard's jurisdiction). Without a unit only national standards are considered.
    """
    candidates = [
        s for s in standards_all().filter(valid_from__lte=on_date) if s.valid_to is None or on_date <= s.valid_to
    ]
    national = [s for s in candidates if not s.jurisdiction]
    chosen = national[-1] if national else None
    if unit is None:
        return chosen
    for local in (s for s in candidates if s.jurisdiction):
        if not standard_reaches(local, unit):
            continue
        if chosen is None or _stricter(local.spec(), chosen.spec()):
            chosen = local
    return chosen


def standard_reaches(standard: PovertyStandard, unit: AdminUnit) -> bool:
    """Whether `standard` applies to all of `unit`: a national one everywhere, a local one where the
    unit lies wholly inside one of its jurisdiction's units (`geo.selectors.unit_within`: a legacy
    province's standard reaches the 2025 communes formed from that province's communes only;
    decision 0039)."""
    return not standard.jurisdiction or any(unit_within(unit, path) for path in standard.jurisdiction)


# The member facts `household_snapshot` reads (the bulk run loads only these).
SNAPSHOT_MEMBER_FIELDS = ("birth_date", "birth_year", "sex", "health_insurance", "schooling", "diploma", "disability",
                          "labour_status", "allowance")  # fmt: skip


def household_snapshot(household: Household, *, on_date: date, members: Iterable[Member] | None = None):
    """The registry facts the derivation rules read, with ages on `on_date` (present members only)."""
    if members is None:
        members = household.members.filter(status=MemberStatus.PRESENT)
    people = tuple(
        Person(
            age=age_on(on_date, birth_date=m.birth_date, birth_year=m.birth_year),
            sex=m.sex,
            health_insurance=m.health_insurance,
            schooling=m.schooling,
            diploma=m.diploma,
            disability=m.disability,
            labour_status=m.labour_status,
            allowance=m.allowance,
        )
        for m in members
        if m.status == MemberStatus.PRESENT
    )
    return HouseholdSnapshot(
        members=people, housing_area_m2=household.housing_area_m2, wall_durability=household.wall_durability,
        column_durability=household.column_durability, roof_durability=household.roof_durability,
        water_source=household.water_source, latrine_type=household.latrine_type,
        info_devices=frozenset(household.info_devices or []),
    )  # fmt: skip


def latest_assessment(household: Household, standard: PovertyStandard) -> Assessment | None:
    """The household's latest form B under `standard`, read from its province's partition (decision 0037)."""
    return Assessment.objects.of_household(household).filter(standard=standard).order_by("-assessed_on", "-id").first()


# The household facts a bulk run reads: `household_snapshot`, the result row and the preview (with
# the class's standard and source: a class recognised by a decision is kept).
RUN_HOUSEHOLD_FIELDS = ("code", "head_name", "poverty_class", "poverty_standard", "poverty_class_source",
                        "commune_id", "unit_path", "successor_path", "area_type", "housing_area_m2",
                        "wall_durability", "column_durability", "roof_durability", "water_source", "latrine_type",
                        "info_devices", "status")  # fmt: skip


def households_for_run(unit: AdminUnit) -> QuerySet[Household]:
    """Active households of `unit` (or carried by it as successor), by id, with the facts a run reads.

    Members come apart, a chunk at a time (`present_members_by_household`): a bulk run streams
    this queryset (``iterator``), and plain rows are much cheaper than prefetched model objects.
    """
    from django.db.models import Q

    return (
        Household.objects.filter(Q(unit_path__startswith=unit.path) | Q(successor_path__startswith=unit.path))
        .filter(status="active")
        .only(*RUN_HOUSEHOLD_FIELDS)
        .order_by("pk")
    )


def present_members_by_household(household_ids: list[int]) -> dict[int, list]:
    """The present members' snapshot facts (named rows, in household order) of each household."""
    grouped: dict[int, list] = {pk: [] for pk in household_ids}
    rows = (
        Member.objects.filter(household_id__in=household_ids, status=MemberStatus.PRESENT)
        .order_by("household_id", "order", "pk")
        .values_list("household_id", "status", *SNAPSHOT_MEMBER_FIELDS, named=True)
    )
    for row in rows:
        grouped[row.household_id].append(row)
    return grouped


def classifications_of(*, user, household: Household) -> QuerySet[Classification]:
    """The household's classification history, newest first, if `user` may see it (from the household's
    province alone on PostgreSQL: `ClassificationQuerySet.of_household`, decision 0034)."""
    return (
        Classification.objects.visible_to(user, perm=VIEW_PERM)
        .of_household(household)
        .select_related("standard_version__standard", "created_by", "run")
        # The form Bs: a proxy score's reasons quote its score table (`Classification.result_reasons`), the
        # records take the answers from it. Read apart from the household's province (decision 0037): a
        # join by id alone would plan every partition of form B.
        .prefetch_related(_form_bs(reported_province_key(household.unit_path, household.successor_path)))
        .order_by("-created_at", "-id")
    )


def _form_bs(province_key: str) -> Prefetch:
    """The form Bs results name, read from their province's partition: a result and its form B are of the
    same household, so they carry the same key (decisions 0034, 0037)."""
    return Prefetch("assessment", queryset=Assessment.objects.filter(province_key=province_key))


def classification_get_visible(*, user, pk) -> Classification:
    from django.http import Http404

    item = (
        Classification.objects.visible_to(user, perm=VIEW_PERM)
        .select_related("household__commune", "household__village", "standard_version__standard", "created_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    prefetch_related_objects([item], _form_bs(item.province_key))  # its province's partition (0037)
    return item


def assessments_of(*, user, household: Household) -> QuerySet[Assessment]:
    return (
        Assessment.objects.visible_to(user, perm=VIEW_PERM)
        .of_household(household)  # the household's province: one partition (decision 0037)
        .select_related("standard", "created_by")
        .order_by("-assessed_on", "-id")
    )


def runs_visible_to(*, user) -> QuerySet[ClassificationRun]:
    return (
        ClassificationRun.objects.visible_to(user, perm=VIEW_PERM)
        .select_related("unit", "standard_version__standard", "created_by", "committed_by", "job")
        .order_by("-created_at", "-id")
    )


def run_get_visible(*, user, pk) -> ClassificationRun:
    from django.http import Http404

    run = runs_visible_to(user=user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run
