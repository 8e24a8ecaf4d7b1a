"""/api/v1/households: households and their members.

Each endpoint parses, fetches through a selector (404 whether missing or out of area), calls one
service and serialises. Errors are exceptions, mapped to the one error shape in `ansinh.core.api`.
Identity numbers are always masked in answers; the full number is given one member at a time by
``POST /members/{id}/reveal-id``, which is audited.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination
from ansinh.geo.models import AdminUnit

from . import selectors, services
from .identity import mask_id_number
from .models import Household, Member
from .services_identity import member_identity_reveal

router = Router(tags=["households"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def _require(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per object)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


# -- output -------------------------------------------------------------------------------------


class HouseholdUnitRefOut(Schema):
    id: int
    name: str


class HouseholdMemberOut(Schema):
    id: int
    order: int
    full_name: str
    sex: str
    relation: str
    birth_date: date | None
    birth_year: int
    ethnicity_code: str | None = Field(None, description="Mã dân tộc (danh mục của Tổng cục Thống kê)")
    id_number: str = Field(description="Số CCCD/CMND đã che (chỉ hiện 3 số cuối)")
    id_kind: str
    health_insurance: str
    schooling: str
    diploma: str
    disability: str
    labour_status: str
    allowance: str
    status: str
    death_date: date | None
    left_date: date | None

    @staticmethod
    def resolve_id_number(obj: Member) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_ethnicity_code(obj: Member) -> str | None:
        return obj.ethnicity.code if obj.ethnicity_id else None


class HouseholdListOut(Schema):
    id: int
    code: str
    commune: HouseholdUnitRefOut
    village: HouseholdUnitRefOut | None
    head_name: str
    head_id_number: str = Field("", description="Số CCCD của chủ hộ, đã che")
    members_count: int = Field(0, description="Số thành viên đang trong hộ")
    status: str
    area_type: str
    is_ethnic_minority: bool
    is_local_indigenous: bool
    has_meritorious_person: bool
    has_social_assistance: bool
    no_labour_capacity: bool
    female_head: bool
    lone_household: bool
    poverty_class: str = Field("", description="Phân loại hiện tại: poor, near_poor, average, not_poor (trống: chưa)")
    poverty_standard: str = Field("", description="Mã chuẩn nghèo của phân loại hiện tại")
    version: int

    @staticmethod
    def resolve_head_id_number(obj: Household) -> str:
        return mask_id_number(obj.head.id_number) if obj.head_id else ""


class HouseholdOut(HouseholdListOut):
    area_type_override_reason: str
    ethnicity_code: str | None
    address: str
    phone: str
    housing_area_m2: Decimal | None
    wall_durability: str
    column_durability: str
    roof_durability: str
    water_source: str
    latrine_type: str
    info_devices: list[str]
    production_land_m2: Decimal | None
    notes: str
    created_at: datetime
    updated_at: datetime
    members: list[HouseholdMemberOut]

    @staticmethod
    def resolve_ethnicity_code(obj: Household) -> str | None:
        return obj.ethnicity.code if obj.ethnicity_id else None

    @staticmethod
    def resolve_members(obj: Household) -> list[Member]:
        return list(selectors.household_members(household=obj))

    @staticmethod
    def resolve_members_count(obj: Household) -> int:
        return sum(1 for m in selectors.household_members(household=obj) if m.status == "present")


class IdentityOut(Schema):
    member_id: int
    id_number: str
    id_kind: str


# -- input --------------------------------------------------------------------------------------


class HouseholdFilterIn(Schema):
    q: str | None = Field(
        None,
        description="Tên thành viên (không dấu cũng được), số CCCD/CMND (cả số hoặc từ 6 chữ số đầu) "
        "hoặc mã hộ (cả mã hoặc từ 3 ký tự đầu, không phân biệt hoa thường)",
    )
    province: int | None = Field(
        None, description="Mã số (id) tỉnh/thành phố; tỉnh hiện nay gồm cả hộ của các đơn vị cũ sáp nhập vào tỉnh"
    )
    commune: int | None = Field(None, description="Mã số (id) xã; gồm cả hộ của xã cũ mà xã này kế thừa")
    village: int | None = Field(None, description="Mã số (id) thôn/tổ dân phố")
    status: str | None = None
    area_type: str | None = Field(None, description="rural hoặc urban")
    poverty_class: str | None = Field(None, description="poor, near_poor, average hoặc not_poor")
    is_ethnic_minority: bool | None = None
    is_local_indigenous: bool | None = None
    has_meritorious_person: bool | None = None
    has_social_assistance: bool | None = None
    no_labour_capacity: bool | None = None
    female_head: bool | None = None
    lone_household: bool | None = None


class MemberIn(Schema):
    full_name: str
    sex: str = Field(description="male hoặc female")
    relation: str = Field(description="head, spouse, child …")
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
    id_duplicate_reason: str = Field("", description="Lý do xác nhận khi số CCCD đã có ở người khác còn sống")

    def to_data(self, *, death_date: date | None = None) -> services.MemberData:
        return services.MemberData(**self.model_dump(), death_date=death_date)


class HouseholdFactsIn(Schema):
    village_id: int | None = None
    ethnicity_code: str = ""
    area_type: str = Field("", description="Để trống: theo khu vực của xã")
    area_type_override_reason: str = ""
    address: str = ""
    phone: str = ""
    is_ethnic_minority: bool = False
    is_local_indigenous: bool = False
    has_meritorious_person: bool = False
    has_social_assistance: bool = False
    no_labour_capacity: bool = False
    female_head: bool = False
    lone_household: bool = False
    housing_area_m2: Decimal | None = None
    wall_durability: str = ""
    column_durability: str = ""
    roof_durability: str = ""
    water_source: str = ""
    latrine_type: str = ""
    info_devices: list[str] = []
    production_land_m2: Decimal | None = None
    notes: str = ""


class HouseholdCreateIn(HouseholdFactsIn):
    commune_id: int
    code: str
    members: list[MemberIn]


class HouseholdUpdateIn(HouseholdFactsIn):
    version: int = Field(description="Phiên bản đã đọc; hộ đã bị người khác sửa thì trả lỗi 409 stale_version")
    code: str


def _village(village_id: int | None) -> AdminUnit | None:
    """The village by id; one that is not of the household's commune is refused by the service (422)."""
    if village_id is None:
        return None
    village = AdminUnit.objects.filter(pk=village_id).first()
    if village is None:
        raise ValidationError({"village": _("Không có thôn/tổ dân phố này.")})
    return village


def _household_data(payload: HouseholdFactsIn, *, code: str) -> services.HouseholdData:
    facts = payload.model_dump(include=set(services.HOUSEHOLD_FACT_FIELDS))
    return services.HouseholdData(
        code=code,
        village=_village(payload.village_id),
        ethnicity_code=payload.ethnicity_code,
        area_type=payload.area_type,
        area_type_override_reason=payload.area_type_override_reason,
        facts=facts,
    )


def _household_out(user, pk: int) -> Household:
    return selectors.household_get_visible(user=user, pk=pk)


# -- endpoints ----------------------------------------------------------------------------------


@router.get("", response={200: list[HouseholdListOut], **ERRORS}, operation_id="household_list")
@paginate(PagePagination)
def household_list(request, filters: Query[HouseholdFilterIn]):
    """Households in the caller's area, ordered by head name (Vietnamese order)."""
    _require(request, selectors.VIEW_PERM)
    return selectors.household_list_visible_to(user=request.user, filters=filters.model_dump())


@router.get("/{household_id}", response={200: HouseholdOut, **ERRORS}, operation_id="household_get")
def household_get(request, household_id: int):
    _require(request, selectors.VIEW_PERM)
    return _household_out(request.user, household_id)


@router.post("", response={201: HouseholdOut, **WRITE_ERRORS}, operation_id="household_create")
def household_create(request, payload: HouseholdCreateIn):
    """Register a household with its members (exactly one with relation "head")."""
    _require(request, selectors.MANAGE_PERM)
    commune = AdminUnit.objects.visible_to(request.user, perm=selectors.MANAGE_PERM).filter(pk=payload.commune_id)
    commune = commune.first()
    if commune is None:
        raise ValidationError({"commune_id": _("Không có xã này trong địa bàn bạn được quản lý.")})
    household = services.household_register(
        actor=request.user,
        commune=commune,
        data=_household_data(payload, code=payload.code),
        members=[m.to_data() for m in payload.members],
    )
    return Status(201, _household_out(request.user, household.pk))


@router.put("/{household_id}", response={200: HouseholdOut, **WRITE_ERRORS}, operation_id="household_update")
def household_update(request, household_id: int, payload: HouseholdUpdateIn):
    """Replace the household's facts (not its members); `version` guards against lost updates."""
    _require(request, selectors.MANAGE_PERM)
    household = selectors.household_get_visible(user=request.user, pk=household_id, perm=selectors.MANAGE_PERM)
    services.household_update(
        actor=request.user,
        household=household,
        expected_version=payload.version,
        data=_household_data(payload, code=payload.code),
    )
    return _household_out(request.user, household.pk)


@router.post(
    "/{household_id}/members", response={201: HouseholdMemberOut, **WRITE_ERRORS}, operation_id="member_create"
)
def member_create(request, household_id: int, payload: MemberIn):
    _require(request, selectors.MANAGE_PERM)
    household = selectors.household_get_visible(user=request.user, pk=household_id, perm=selectors.MANAGE_PERM)
    member = services.member_add(actor=request.user, household=household, data=payload.to_data())
    return Status(201, selectors.member_get_visible(user=request.user, pk=member.pk))


@router.put("/members/{member_id}", response={200: HouseholdMemberOut, **WRITE_ERRORS}, operation_id="member_update")
def member_update(request, member_id: int, payload: MemberIn):
    """Replace a member's facts; a recorded death date is kept (deaths have their own endpoint)."""
    _require(request, selectors.MANAGE_PERM)
    member = selectors.member_get_visible(user=request.user, pk=member_id, perm=selectors.MANAGE_PERM)
    services.member_update(actor=request.user, member=member, data=payload.to_data(death_date=member.death_date))
    return selectors.member_get_visible(user=request.user, pk=member.pk)


@router.post(
    "/members/{member_id}/reveal-id",
    response={200: IdentityOut, **WRITE_ERRORS},
    operation_id="member_reveal_id",
)
def member_reveal_id(request, member_id: int):
    """The member's full CCCD/CMND; every call is recorded in the audit log."""
    _require(request, selectors.FULL_IDENTITY_PERM)
    member = selectors.member_get_visible(user=request.user, pk=member_id)
    number = member_identity_reveal(actor=request.user, member=member)
    return {"member_id": member.pk, "id_number": number, "id_kind": member.id_kind}
