"""Writes on administrative units: villages (thôn, tổ dân phố) and the urban/rural area type.

Provinces, districts and communes come from the national data set (`ansinh.geo.dataset`); what a
commune manages itself is its list of villages, which the Minister of Home Affairs' rules leave to
the province (Thông tư 04/2012/TT-BNV, amended by Thông tư 14/2018/TT-BNV).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record, diff_fields
from ansinh.core.exceptions import ApplicationError
from ansinh.core.text import fold_vietnamese

from .choices import VILLAGE_TYPES, AreaType, Level, UnitType
from .events import GeoEventType
from .models import AdminUnit

MANAGE_VILLAGE_PERM = "geo.manage_village"
SET_AREA_TYPE_PERM = "geo.set_area_type"
VILLAGE_CODE_RE = re.compile(r"^[A-Za-z0-9_-]+$")
VILLAGE_CODE_MAX = 20
VILLAGE_NAME_MAX = 120  # the short name (up to the whole name) is stored in 120 characters
VILLAGE_FIELDS = ["code", "name", "short_name", "unit_type"]
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 2_000


# -- villages ---------------------------------------------------------------------------------


def _clean_village_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Vui lòng nhập mã thôn.")})
    if len(code) > VILLAGE_CODE_MAX:
        raise ValidationError({"code": _("Mã thôn dài tối đa %(max)d ký tự.") % {"max": VILLAGE_CODE_MAX}})
    if not VILLAGE_CODE_RE.match(code):
        raise ValidationError(
            {"code": _("Mã thôn chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang (-) và gạch dưới (_).")}
        )
    return code


def _clean_village_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Vui lòng nhập tên thôn.")})
    if len(name) > VILLAGE_NAME_MAX:
        raise ValidationError({"name": _("Tên thôn dài tối đa %(max)d ký tự.") % {"max": VILLAGE_NAME_MAX}})
    return name


def _clean_village_type(unit_type: str) -> str:
    if unit_type not in VILLAGE_TYPES:
        raise ValidationError({"unit_type": _("Loại không hợp lệ: phải là thôn, bản, buôn, ấp, tổ dân phố…")})
    return UnitType(unit_type).value


def village_short_name(name: str, unit_type: str) -> str:
    """ "Buôn Ea Khanh" → "Ea Khanh"; a numbered village keeps its full name ("Thôn 1")."""
    label = str(UnitType(unit_type).label)
    if name.lower().startswith(label.lower() + " "):
        rest = name[len(label) + 1 :].strip()
        if rest and not rest.replace(" ", "").isdigit():
            return rest
    return name


def _check_can_manage(actor, commune: AdminUnit) -> None:
    if actor is None or not actor.has_perm(MANAGE_VILLAGE_PERM, commune):
        raise PermissionDenied(_("Bạn không có quyền quản lý thôn của %(unit)s.") % {"unit": commune.name})


def _check_is_commune(commune: AdminUnit) -> None:
    if commune.level != Level.COMMUNE:
        raise ApplicationError(
            _("Thôn/tổ dân phố chỉ được thêm vào xã, phường hoặc đặc khu; %(unit)s không phải cấp xã.")
            % {"unit": commune.name},
            code="not_a_commune",
        )


def check_unit_in_force(unit: AdminUnit, day: date | None = None) -> None:
    """Refuse a write on a unit no longer (or not yet) in force: an abolished commune's villages and
    urban/rural type are history, kept as they were on its last day (decision 0004)."""
    day = day or timezone.localdate()
    if unit.is_valid_on(day):
        return
    if unit.valid_to is not None and unit.valid_to < day:
        message = _(
            "%(unit)s chỉ có hiệu lực đến ngày %(end)s: không thêm thôn, không đặt khu vực cho đơn vị đã hết hiệu lực."
        ) % {"unit": unit.name, "end": unit.valid_to.strftime("%d/%m/%Y")}
    else:
        message = _("%(unit)s chưa có hiệu lực vào ngày %(day)s.") % {
            "unit": unit.name,
            "day": day.strftime("%d/%m/%Y"),
        }
    raise ApplicationError(message, code="unit_not_in_force")


def unit_in_force(unit: AdminUnit) -> bool:
    """Whether villages may be added to `unit` and its area type set today (what the pages offer)."""
    return unit.is_valid_on(timezone.localdate())


def _check_code_free(commune: AdminUnit, code: str, *, exclude_pk: int | None = None) -> None:
    taken = AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE, code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ApplicationError(
            _("Mã thôn %(code)s đã có trong %(unit)s.") % {"code": code, "unit": commune.name},
            code="duplicate_code",
            details={"field": "code"},
        )


def _lock_commune(commune: AdminUnit) -> AdminUnit:
    # Serialises village writes of one commune, so two officers cannot take the same code at once.
    return AdminUnit.objects.select_for_update().get(pk=commune.pk)


def _village_insert(*, actor, commune: AdminUnit, code: str, name: str, unit_type: str) -> AdminUnit:
    """Create a village under a locked, checked commune (inputs already cleaned)."""
    village = AdminUnit(
        structure=commune.structure,
        level=Level.VILLAGE,
        unit_type=unit_type,
        code=code,
        name=name,
        short_name=village_short_name(name, unit_type),
        parent=commune,
        # A village exists within its commune's lifetime (a legacy commune's village ends on 30/6/2025)
        # and, like its commune, is reported under the commune's 2025 successor.
        valid_from=commune.valid_from,
        valid_to=commune.valid_to,
        successor_path=commune.successor_path,
    )
    village.save()
    audit_record(
        actor=actor,
        event_type=GeoEventType.VILLAGE_CREATED,
        target=village,
        unit_path=village.path,
        changes=diff_fields(None, village, VILLAGE_FIELDS),
    )
    return village


@transaction.atomic
def village_create(
    *, actor, commune: AdminUnit, code: str, name: str, unit_type: str, as_of: date | None = None
) -> AdminUnit:
    """Add a village (thôn, tổ dân phố …) to a commune.

    Refuses (PermissionDenied) unless `actor` holds ``geo.manage_village`` over the commune;
    refuses (ApplicationError) a parent that is not a commune, a commune not in force on `as_of`
    (today unless given: an abolished legacy commune takes no new village; a load of historic
    records, such as the demo's 2019 communes, names the day they describe) or a code already
    used in it; rejects (ValidationError) an empty or malformed code or name and a type that is
    not a village type. Validity dates follow the commune's structure.
    """
    _check_can_manage(actor, commune)
    commune = _lock_commune(commune)
    _check_is_commune(commune)
    check_unit_in_force(commune, as_of)
    code = _clean_village_code(code)
    name = _clean_village_name(name)
    unit_type = _clean_village_type(unit_type)
    _check_code_free(commune, code)
    return _village_insert(actor=actor, commune=commune, code=code, name=name, unit_type=unit_type)


@transaction.atomic
def village_update(
    *, actor, village: AdminUnit, code: str | None = None, name: str | None = None, unit_type: str | None = None
) -> AdminUnit:
    """Rename, recode or retype a village; arguments left as None keep their value.

    Same refusals as `village_create`; changing nothing writes nothing (no audit event).
    """
    if village.level != Level.VILLAGE:
        raise ApplicationError(_("%(unit)s không phải thôn/tổ dân phố.") % {"unit": village.name}, code="not_a_village")
    _check_can_manage(actor, village.parent)
    _lock_commune(village.parent)
    village = AdminUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=village.pk)
    before = AdminUnit(**{f: getattr(village, f) for f in VILLAGE_FIELDS})
    if code is not None:
        village.code = _clean_village_code(code)
        _check_code_free(village.parent, village.code, exclude_pk=village.pk)
    if unit_type is not None:
        village.unit_type = _clean_village_type(unit_type)
    if name is not None:
        village.name = _clean_village_name(name)
    village.short_name = village_short_name(village.name, village.unit_type)
    changes = diff_fields(before, village, VILLAGE_FIELDS)
    if not changes["new"]:
        return village
    village.save()
    audit_record(
        actor=actor, event_type=GeoEventType.VILLAGE_UPDATED, target=village, unit_path=village.path, changes=changes
    )
    return village


# -- CSV import -------------------------------------------------------------------------------

CSV_COLUMNS = {"code": "mã thôn", "name": "tên thôn", "unit_type": "loại"}


def _village_type_lookup() -> dict[str, str]:
    """Folded label or code → type: "Tổ dân phố", "to dan pho" and "to_dan_pho" all work."""
    lookup: dict[str, str] = {}
    for unit_type in VILLAGE_TYPES:
        lookup[fold_vietnamese(str(UnitType(unit_type).label))] = unit_type
        lookup[unit_type] = unit_type
        lookup[fold_vietnamese(unit_type.replace("_", " "))] = unit_type
    return lookup


@dataclass
class ImportRow:
    row_number: int  # as a spreadsheet shows it: the header is row 1
    code: str
    name: str
    status: str  # created | updated | unchanged | error
    message: str = ""


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def errors(self) -> int:
        return self.count("error")


def _read_csv(file: IO[bytes] | bytes) -> list[dict[str, str]]:
    """Rows keyed by our column names; UTF-8 with or without BOM, comma or semicolon separated."""
    raw = file if isinstance(file, bytes) else file.read(CSV_MAX_BYTES + 1)
    if len(raw) > CSV_MAX_BYTES:
        raise ValidationError(_("Tệp quá lớn (tối đa 1 MB)."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Tệp phải được lưu dạng CSV mã hóa UTF-8.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValidationError(_("Tệp trống."))
    wanted = {fold_vietnamese(label): key for key, label in CSV_COLUMNS.items()}
    positions = {wanted[fold_vietnamese(cell)]: i for i, cell in enumerate(header) if fold_vietnamese(cell) in wanted}
    missing = [CSV_COLUMNS[key] for key in CSV_COLUMNS if key not in positions]
    if missing:
        raise ValidationError(
            _("Thiếu cột: %(columns)s. Dòng đầu phải là: mã thôn, tên thôn, loại.") % {"columns": ", ".join(missing)}
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            rows.append({})  # keeps row numbers aligned with the spreadsheet
            continue
        rows.append({key: cells[i].strip() if i < len(cells) else "" for key, i in positions.items()})
    if len(rows) > CSV_MAX_ROWS:
        raise ValidationError(_("Tệp có quá %(max)d dòng.") % {"max": CSV_MAX_ROWS})
    return rows


def _error_text(exc: ValidationError | ApplicationError) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return " ".join(exc.messages)


@transaction.atomic
def villages_import_csv(*, actor, commune: AdminUnit, file: IO[bytes] | bytes) -> ImportResult:
    """Create or update a commune's villages from a CSV file (columns: mã thôn, tên thôn, loại).

    Every row is checked on its own: valid rows are written, invalid ones are reported with their
    row number and the reason, and never written. A row whose code exists updates that village's
    name and type; importing the same file again changes nothing. Refuses the whole file
    (PermissionDenied) without ``geo.manage_village`` over the commune, and (ValidationError) when
    it is not UTF-8 CSV with the three columns, and (ApplicationError) for a commune no longer
    in force, as `village_create` does.
    """
    _check_can_manage(actor, commune)
    commune = _lock_commune(commune)
    _check_is_commune(commune)
    check_unit_in_force(commune)
    types = _village_type_lookup()
    existing = {v.code: v for v in AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE)}
    seen: dict[str, int] = {}
    result = ImportResult()
    for number, row in enumerate(_read_csv(file), start=2):
        if not row:
            continue
        code, name, type_text = row.get("code", ""), row.get("name", ""), row.get("unit_type", "")
        try:
            code = _clean_village_code(code)
            name = _clean_village_name(name)
            unit_type = types.get(fold_vietnamese(type_text))
            if unit_type is None:
                raise ValidationError(
                    _("Loại “%(value)s” không hợp lệ (thôn, bản, buôn, ấp, xóm, làng, tổ dân phố…).")
                    % {"value": type_text}
                )
            if code in seen:
                raise ValidationError(_("Mã %(code)s trùng với dòng %(row)d.") % {"code": code, "row": seen[code]})
            seen[code] = number
            village = existing.get(code)
            if village is not None and village.name == name and village.unit_type == unit_type:
                result.rows.append(ImportRow(number, code, name, "unchanged"))
                continue
            with transaction.atomic():  # a savepoint: a failing row leaves the others in place
                if village is None:
                    _village_insert(actor=actor, commune=commune, code=code, name=name, unit_type=unit_type)
                    status = "created"
                else:
                    village_update(actor=actor, village=village, name=name, unit_type=unit_type)
                    status = "updated"
            result.rows.append(ImportRow(number, code, name, status))
        except (ValidationError, ApplicationError) as exc:
            result.rows.append(ImportRow(number, code, name, "error", _error_text(exc)))
    return result


# -- area type --------------------------------------------------------------------------------


@transaction.atomic
def unit_set_area_type(*, actor, unit: AdminUnit, area_type: str, reason: str) -> AdminUnit:
    """Set whether a commune counts as urban or rural, with the reason on record.

    Which income line applies to a household depends on it (NĐ 07/2021/NĐ-CP Điều 3, thành thị /
    nông thôn). The data set sets wards urban and communes rural; a special zone (đặc khu, Luật Tổ
    chức chính quyền địa phương 2025 Điều 2) is mixed and must be set here. Refuses without
    ``geo.set_area_type`` over the unit, for a unit that is not a commune, or without a reason.
    Refuses a commune no longer in force too: a legacy commune's type is history, and nothing
    needs it changed. The data set gives every legacy commune its legal type (phường and thị trấn
    urban, xã rural); the only unit left to set, the đặc khu, exists only since 1/7/2025; a
    historic household that differed carries its own type with a reason (`household_register`);
    and a change now would alter the default of historic records entered later, not of those
    already entered. Setting the current value writes nothing.
    """
    if actor is None or not actor.has_perm(SET_AREA_TYPE_PERM, unit):
        raise PermissionDenied(_("Bạn không có quyền đặt khu vực cho %(unit)s.") % {"unit": unit.name})
    unit = AdminUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.level != Level.COMMUNE:
        raise ApplicationError(
            _("Khu vực thành thị/nông thôn chỉ đặt cho đơn vị cấp xã; %(unit)s không phải cấp xã.")
            % {"unit": unit.name},
            code="not_a_commune",
        )
    check_unit_in_force(unit)
    if area_type not in AreaType.values:
        raise ValidationError({"area_type": _("Khu vực phải là thành thị hoặc nông thôn.")})
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Vui lòng ghi lý do (ví dụ số văn bản quyết định).")})
    if unit.area_type == area_type:
        return unit
    old = unit.area_type
    unit.area_type = area_type
    unit.save(update_fields=["area_type", "updated_at"])
    audit_record(
        actor=actor,
        event_type=GeoEventType.AREA_TYPE_SET,
        target=unit,
        unit_path=unit.path,
        changes={"old": {"area_type": old}, "new": {"area_type": area_type}, "reason": reason},
    )
    return unit
