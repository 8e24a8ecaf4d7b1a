"""/api/v1/households: life events (births, deaths, marriages, splits, merges) and moves.

Each endpoint checks the role (403), fetches in the caller's area (404 whether missing or out of
area), calls one service and serialises; refusals are exceptions mapped to the one error shape.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.core.views import get_visible_object_or_404
from ansinh.geo.models import AdminUnit

from . import services_life as services
from .models import Household, HouseholdMove, Member
from .selectors import VIEW_MOVE_PERM, moves_visible_to
from .services import MANAGE_PERM, MemberData

router = Router(tags=["registry"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def _require(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per object)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


def _household(request, pk: int) -> Household:
    return get_visible_object_or_404(Household, request.user, perm=MANAGE_PERM, pk=pk)


def _member(request, pk: int) -> Member:
    return get_visible_object_or_404(Member.objects.select_related("household"), request.user, perm=MANAGE_PERM, pk=pk)


def _move(request, pk: int) -> HouseholdMove:
    return get_visible_object_or_404(HouseholdMove, request.user, perm=MANAGE_PERM, pk=pk)


def _unit(pk: int | None) -> AdminUnit | None:
    """A destination unit by id: any commune may receive a household, so this is not area-scoped."""
    return get_object_or_404(AdminUnit, pk=pk) if pk is not None else None


def _present_member(household: Household, pk: int | None) -> Member | None:
    """A member named in a request body must belong to the household concerned (else 404)."""
    return get_object_or_404(Member, pk=pk, household=household) if pk is not None else None


# -- schemas --------------------------------------------------------------------------------------


class PersonIn(Schema):
    full_name: str
    sex: str
    relation: str
    birth_date: date | None = None
    birth_year: int | None = None
    ethnicity_code: str = ""
    id_number: str = ""
    health_insurance: str = ""
    schooling: str = ""
    diploma: str = ""
    disability: str = "none"
    labour_status: str = ""
    allowance: str = "none"
    id_duplicate_reason: str = ""

    def to_data(self) -> MemberData:
        return MemberData(**self.model_dump())


class NewHeadIn(Schema):
    new_head_id: int | None = None
    old_head_relation: str = ""


class DeathIn(NewHeadIn):
    death_date: date


class LeaveMarriageIn(NewHeadIn):
    date: date
    note: str = ""


class JoinMarriageIn(NewHeadIn):
    date: date
    person: PersonIn | None = None
    member_id: int | None = None
    relation: str = ""


class SplitIn(Schema):
    member_ids: list[int]
    new_code: str
    new_head_id: int
    relations: dict[int, str] = {}
    village_id: int | None = None


class MergeIn(Schema):
    target_id: int
    relations: dict[int, str]


class VillageChangeIn(Schema):
    village_id: int
    expected_version: int | None = None


class MoveRequestIn(Schema):
    to_commune_id: int
    to_village_id: int | None = None
    move_date: date
    reason: str = ""


class MoveAcceptIn(Schema):
    new_code: str
    village_id: int | None = None


class NoteIn(Schema):
    note: str = ""


class LifeMemberOut(Schema):
    id: int
    household_id: int
    full_name: str
    sex: str
    birth_date: date | None
    birth_year: int
    relation: str
    status: str
    death_date: date | None
    left_date: date | None


class LifeHouseholdOut(Schema):
    id: int
    code: str
    commune_id: int
    village_id: int | None
    head_id: int | None
    head_name: str
    status: str
    version: int


class MoveOut(Schema):
    id: int
    household_id: int
    from_commune_id: int
    to_commune_id: int
    to_village_id: int | None
    move_date: date
    reason: str
    status: str
    decision_note: str
    new_household_id: int | None


class MoveFilterIn(Schema):
    direction: str | None = None  # "in" (to receive) or "out" (sent); both when absent
    status: str | None = None


# -- life events ----------------------------------------------------------------------------------


@router.post(
    "/{household_id}/births", response={201: LifeMemberOut, **WRITE_ERRORS}, operation_id="member_birth_create"
)
def member_birth_create(request, household_id: int, payload: PersonIn):
    _require(request, MANAGE_PERM)
    household = _household(request, household_id)
    return Status(201, services.member_birth_record(actor=request.user, household=household, data=payload.to_data()))


@router.post(
    "/members/{member_id}/death", response={200: LifeMemberOut, **WRITE_ERRORS}, operation_id="member_death_create"
)
def member_death_create(request, member_id: int, payload: DeathIn):
    _require(request, MANAGE_PERM)
    member = _member(request, member_id)
    return services.member_death_record(
        actor=request.user, member=member, death_date=payload.death_date,
        new_head=_present_member(member.household, payload.new_head_id), old_head_relation=payload.old_head_relation,
    )  # fmt: skip


@router.post(
    "/{household_id}/marriages",
    response={201: LifeMemberOut, **WRITE_ERRORS},
    operation_id="member_join_marriage_create",
)
def member_join_marriage_create(request, household_id: int, payload: JoinMarriageIn):
    _require(request, MANAGE_PERM)
    household = _household(request, household_id)
    existing = _member(request, payload.member_id) if payload.member_id is not None else None
    person = services.member_join_by_marriage(
        actor=request.user, household=household, date=payload.date,
        data=payload.person.to_data() if payload.person else None, member=existing, relation=payload.relation,
        new_head=_present_member(existing.household, payload.new_head_id) if existing else None,
        old_head_relation=payload.old_head_relation,
    )  # fmt: skip
    return Status(201, person)


@router.post(
    "/members/{member_id}/leave-by-marriage",
    response={200: LifeMemberOut, **WRITE_ERRORS},
    operation_id="member_leave_marriage_create",
)
def member_leave_marriage_create(request, member_id: int, payload: LeaveMarriageIn):
    _require(request, MANAGE_PERM)
    member = _member(request, member_id)
    return services.member_leave_by_marriage(
        actor=request.user, member=member, date=payload.date, note=payload.note,
        new_head=_present_member(member.household, payload.new_head_id), old_head_relation=payload.old_head_relation,
    )  # fmt: skip


@router.post(
    "/{household_id}/split", response={201: LifeHouseholdOut, **WRITE_ERRORS}, operation_id="household_split_create"
)
def household_split_create(request, household_id: int, payload: SplitIn):
    _require(request, MANAGE_PERM)
    household = _household(request, household_id)
    # Ids of other households reach the service, which refuses them with its own message.
    members = list(Member.objects.filter(pk__in=payload.member_ids))
    new = services.household_split(
        actor=request.user, household=household, members=members, new_code=payload.new_code,
        new_head=_present_member(household, payload.new_head_id), relations=payload.relations,
        village=_unit(payload.village_id),
    )  # fmt: skip
    return Status(201, new)


@router.post(
    "/{household_id}/merge", response={200: LifeHouseholdOut, **WRITE_ERRORS}, operation_id="household_merge_create"
)
def household_merge_create(request, household_id: int, payload: MergeIn):
    _require(request, MANAGE_PERM)
    source = _household(request, household_id)
    target = _household(request, payload.target_id)
    return services.household_merge(actor=request.user, source=source, target=target, relations=payload.relations)


@router.post(
    "/{household_id}/village", response={200: LifeHouseholdOut, **WRITE_ERRORS}, operation_id="household_village_change"
)
def household_village_change(request, household_id: int, payload: VillageChangeIn):
    _require(request, MANAGE_PERM)
    household = _household(request, household_id)
    return services.household_village_change(
        actor=request.user, household=household, village=_unit(payload.village_id),
        expected_version=payload.expected_version,
    )  # fmt: skip


# -- moves ----------------------------------------------------------------------------------------


@router.get("/moves", response={200: list[MoveOut], **ERRORS}, operation_id="move_list")
@paginate(PagePagination)
def move_list(request, filters: Query[MoveFilterIn]):
    """Moves into and out of the caller's area, newest first."""
    _require(request, VIEW_MOVE_PERM)
    return moves_visible_to(user=request.user, direction=filters.direction or "", status=filters.status or "")


@router.get("/moves/{move_id}", response={200: MoveOut, **ERRORS}, operation_id="move_detail")
def move_detail(request, move_id: int):
    _require(request, VIEW_MOVE_PERM)
    return get_visible_object_or_404(HouseholdMove, request.user, perm=VIEW_MOVE_PERM, pk=move_id)


@router.post("/{household_id}/moves", response={201: MoveOut, **WRITE_ERRORS}, operation_id="move_create")
def move_create(request, household_id: int, payload: MoveRequestIn):
    _require(request, MANAGE_PERM)
    household = _household(request, household_id)
    move = services.household_move_request(
        actor=request.user, household=household, to_commune=_unit(payload.to_commune_id),
        to_village=_unit(payload.to_village_id), move_date=payload.move_date, reason=payload.reason,
    )  # fmt: skip
    return Status(201, move)


@router.post("/moves/{move_id}/accept", response={200: MoveOut, **WRITE_ERRORS}, operation_id="move_accept")
def move_accept(request, move_id: int, payload: MoveAcceptIn):
    _require(request, MANAGE_PERM)
    return services.household_move_accept(
        actor=request.user, move=_move(request, move_id), new_code=payload.new_code, village=_unit(payload.village_id)
    )


@router.post("/moves/{move_id}/refuse", response={200: MoveOut, **WRITE_ERRORS}, operation_id="move_refuse")
def move_refuse(request, move_id: int, payload: NoteIn):
    _require(request, MANAGE_PERM)
    return services.household_move_refuse(actor=request.user, move=_move(request, move_id), note=payload.note)


@router.post("/moves/{move_id}/cancel", response={200: MoveOut, **WRITE_ERRORS}, operation_id="move_cancel")
def move_cancel(request, move_id: int, payload: NoteIn):
    _require(request, MANAGE_PERM)
    return services.household_move_cancel(actor=request.user, move=_move(request, move_id), note=payload.note)
