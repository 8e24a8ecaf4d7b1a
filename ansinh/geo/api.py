"""/api/v1/units: administrative units, villages and area types.

Each endpoint parses, fetches through a selector (404 whether missing or out of area), calls one
service and serialises. Errors are exceptions, mapped to the one error shape in `ansinh.core.api`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination

from . import selectors, services
from .choices import Level

router = Router(tags=["units"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 422: ErrorOut}


def _require(request, perm: str) -> None:
    """403 when no role of the caller grants `perm` anywhere (the area is checked per object)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))


class UnitOut(Schema):
    id: int
    structure: str
    level: str
    unit_type: str
    code: str
    name: str
    short_name: str
    parent_id: int | None
    path: str
    successor_path: str
    area_type: str
    latitude: float | None
    longitude: float | None
    area_km2: float | None
    valid_from: date | None
    valid_to: date | None


class GeoUnitRefOut(Schema):
    id: int
    name: str
    path: str


class SuccessionOut(Schema):
    unit: GeoUnitRefOut
    is_default: bool


class UnitDetailOut(UnitOut):
    ancestors: list[GeoUnitRefOut]
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]


class UnitFilterIn(Schema):
    q: str | None = Field(None, description="Tìm theo tên (không dấu cũng được) hoặc mã")
    structure: str | None = Field(None, description="2025 hoặc legacy")
    level: str | None = Field(None, description="province, district, commune, village")
    as_of: date | None = Field(None, description="Chỉ đơn vị có hiệu lực ngày này")
    parent: int | None = Field(None, description="Mã số (id) đơn vị cấp trên trực tiếp")
    province: int | None = Field(None, description="Mã số (id) tỉnh: mọi đơn vị bên trong")


class VillageCreateIn(Schema):
    code: str
    name: str
    unit_type: str


class VillageUpdateIn(Schema):
    code: str | None = None
    name: str | None = None
    unit_type: str | None = None


class AreaTypeIn(Schema):
    area_type: str
    reason: str


@router.get("/", response={200: list[UnitOut], **ERRORS}, operation_id="geo_unit_list")
@paginate(PagePagination)
def unit_list(request, filters: Query[UnitFilterIn]):
    """Units in the caller's area, in Vietnamese alphabetical order."""
    _require(request, selectors.VIEW_PERM)
    return selectors.unit_list_visible_to(user=request.user, filters=filters.model_dump())


@router.get("/{unit_id}", response={200: UnitDetailOut, **ERRORS}, operation_id="geo_unit_detail")
def unit_detail(request, unit_id: int):
    _require(request, selectors.VIEW_PERM)
    unit = selectors.unit_get_visible(user=request.user, pk=unit_id)
    return {
        **UnitOut.model_validate(unit).model_dump(),
        "ancestors": unit.ancestors(),
        "predecessors": [
            {"unit": s.predecessor, "is_default": s.is_default} for s in selectors.unit_predecessors(unit=unit)
        ],
        "successors": [{"unit": s.successor, "is_default": s.is_default} for s in selectors.unit_successors(unit=unit)],
    }


@router.get("/{unit_id}/children", response={200: list[UnitOut], **ERRORS}, operation_id="geo_unit_children")
def unit_children(request, unit_id: int, as_of: date | None = None):
    _require(request, selectors.VIEW_PERM)
    unit = selectors.unit_get_visible(user=request.user, pk=unit_id)
    return list(selectors.unit_children(user=request.user, unit=unit, day=as_of))


@router.post("/{commune_id}/villages", response={201: UnitOut, **WRITE_ERRORS}, operation_id="geo_village_create")
def village_create(request, commune_id: int, payload: VillageCreateIn):
    _require(request, services.MANAGE_VILLAGE_PERM)
    commune = selectors.unit_get_visible(user=request.user, pk=commune_id)
    village = services.village_create(actor=request.user, commune=commune, **payload.model_dump())
    return Status(201, village)


@router.patch("/villages/{village_id}", response={200: UnitOut, **WRITE_ERRORS}, operation_id="geo_village_update")
def village_update(request, village_id: int, payload: VillageUpdateIn):
    _require(request, services.MANAGE_VILLAGE_PERM)
    village = selectors.unit_get_visible(user=request.user, pk=village_id)
    if village.level != Level.VILLAGE:
        raise Http404
    return services.village_update(actor=request.user, village=village, **payload.model_dump(exclude_unset=True))


@router.post("/{unit_id}/area-type", response={200: UnitOut, **WRITE_ERRORS}, operation_id="geo_unit_area_type_set")
def unit_area_type_set(request, unit_id: int, payload: AreaTypeIn):
    _require(request, services.SET_AREA_TYPE_PERM)
    unit = selectors.unit_get_visible(user=request.user, pk=unit_id)
    return services.unit_set_area_type(actor=request.user, unit=unit, **payload.model_dump())
