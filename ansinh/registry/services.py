"""Writes to the household registry. Each function is one transaction with its audit events.

Every service checks that the actor holds ``registry.manage_household`` over the household's
area (404-style refusal is the view's job; here a PermissionDenied), validates, writes, and
records the change (old → new) as an audit event, which is also the household's history.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.db import lock_values
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from .choices import InfoDevice, MemberStatus, MoveStatus, PovertyClassSource, Relation
from .events import RegistryEventType
from .identity import validate_id_number
from .models import Ethnicity, Household, IdentityOverride, Member

MANAGE_PERM = "registry.manage_household"
EARLIEST_BIRTH_YEAR = 1880

HOUSEHOLD_FACT_FIELDS = [
    "address", "phone", "is_ethnic_minority", "is_local_indigenous", "has_meritorious_person",
    "has_social_assistance", "no_labour_capacity", "female_head", "lone_household", "housing_area_m2",
    "wall_durability", "column_durability", "roof_durability", "water_source", "latrine_type", "info_devices",
    "production_land_m2", "notes",
]  # fmt: skip


@dataclass
class MemberData:
    """What is entered for one member (a form row, an API object or an import row)."""

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
    death_date: date | None = None
    # An officer's reason to accept a CCCD that another living member already holds.
    id_duplicate_reason: str = ""


MEMBER_FIELDS = [f.name for f in fields(MemberData) if f.name not in ("ethnicity_code", "id_duplicate_reason")]


@dataclass
class HouseholdData:
    """The household's own facts (everything but its members)."""

    code: str
    village: AdminUnit | None = None
    ethnicity_code: str = ""
    area_type: str = ""
    area_type_override_reason: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


# -- checks -------------------------------------------------------------------------------------


def _require_manage(actor, unit: AdminUnit) -> None:
    if actor is not None and not actor.has_perm(MANAGE_PERM, unit):
        raise PermissionDenied(_("Bạn không được quản lý hộ gia đình trên địa bàn này."))


def ethnicities_by_code() -> dict[str, Ethnicity]:
    """Every ethnicity by code: bulk callers (the import) pass it on so validation needs no query."""
    return {e.code: e for e in Ethnicity.objects.all()}


def _ethnicity(code: str, known: dict[str, Ethnicity] | None = None) -> Ethnicity | None:
    if not code:
        return None
    key = code.strip().zfill(2)
    ethnicity = known.get(key) if known is not None else Ethnicity.objects.filter(code=key).first()
    if ethnicity is None:
        raise ValidationError({"ethnicity": _("Mã dân tộc “%(code)s” không có trong danh mục.") % {"code": code}})
    return ethnicity


def _clean_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Hãy nhập mã hộ.")})
    if len(code) > 30:
        raise ValidationError({"code": _("Mã hộ dài tối đa 30 ký tự.")})
    return code


def _clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    unknown = set(facts) - set(HOUSEHOLD_FACT_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = dict(facts)
    for name in ("housing_area_m2", "production_land_m2"):
        value = cleaned.get(name)
        if value not in (None, ""):
            value = Decimal(str(value))
            if value < 0:
                raise ValidationError({name: _("Diện tích không được âm.")})
            cleaned[name] = value
        elif name in cleaned:
            cleaned[name] = None
    if "info_devices" in cleaned:
        devices = list(dict.fromkeys(cleaned["info_devices"] or []))
        invalid = [d for d in devices if d not in InfoDevice.values]
        if invalid:
            raise ValidationError({"info_devices": _("Phương tiện không hợp lệ: %(v)s") % {"v": ", ".join(invalid)}})
        cleaned["info_devices"] = devices
    return cleaned


def _resolve_village(commune: AdminUnit, village: AdminUnit | None) -> AdminUnit | None:
    if commune.level != Level.COMMUNE:
        raise ApplicationError(_("Hộ phải thuộc một xã/phường/đặc khu."), code="not_a_commune")
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != commune.pk):
        raise ValidationError({"village": _("Thôn/tổ dân phố không thuộc xã đã chọn.")})
    return village


def _resolve_area_type(commune: AdminUnit, area_type: str, reason: str) -> str:
    area_type = area_type or commune.area_type
    if not area_type:
        raise ValidationError({"area_type": _("Xã này chưa có khu vực thành thị/nông thôn: hãy chọn cho hộ.")})
    if commune.area_type and area_type != commune.area_type and not reason.strip():
        raise ValidationError({"area_type_override_reason": _("Hộ khác khu vực của xã: hãy ghi lý do.")})
    return area_type


@dataclass
class MemberRules:
    """What `member_rules` found: the errors by field and the cleaned name, year, identity, ethnicity."""

    errors: dict[str, list[str]]
    name: str
    year: int | None
    identity: Any
    ethnicity: Ethnicity | None


def member_rules(data: MemberData, *, today: date, ethnicities: dict[str, Ethnicity] | None = None) -> MemberRules:
    """The member rules shared by every writer (the form and API services and the import's fast path):
    name, dates (not in the future, death after birth), birth year, CCCD/CMND against sex and birth,
    ethnicity. No query when `ethnicities` is given."""
    errors: dict[str, list[str]] = {}
    name = " ".join((data.full_name or "").split())
    if not name:
        errors.setdefault("full_name", []).append(_("Hãy nhập họ và tên."))
    if data.birth_date and data.birth_date > today:
        errors.setdefault("birth_date", []).append(_("Ngày sinh ở tương lai."))
    year = data.birth_date.year if data.birth_date else data.birth_year
    if not year:
        errors.setdefault("birth_year", []).append(_("Hãy nhập ngày sinh hoặc năm sinh."))
    elif "birth_date" not in errors and not (EARLIEST_BIRTH_YEAR <= year <= today.year):
        errors.setdefault("birth_year", []).append(_("Năm sinh %(year)s không hợp lệ.") % {"year": year})
    if data.death_date:
        if data.death_date > today:
            errors.setdefault("death_date", []).append(_("Ngày mất ở tương lai."))
        if (data.birth_date and data.death_date < data.birth_date) or (year and data.death_date.year < year):
            errors.setdefault("death_date", []).append(_("Ngày mất trước ngày sinh."))
    identity = None
    try:
        identity = validate_id_number(data.id_number, sex=data.sex, birth_year=year, birth_date=data.birth_date)
    except ValidationError as exc:
        errors.setdefault("id_number", []).extend(exc.messages)
    ethnicity = None
    try:
        ethnicity = _ethnicity(data.ethnicity_code, ethnicities)
    except ValidationError as exc:
        errors.setdefault("ethnicity", []).extend(exc.messages)
    return MemberRules(errors, name, year, identity, ethnicity)


def _validate_member(
    data: MemberData, *, today: date, ethnicities: dict[str, Ethnicity] | None = None
) -> dict[str, Any]:
    """The member's field values, or ValidationError keyed by field. No query when `ethnicities` is given."""
    return _validated_member(data, today=today, ethnicities=ethnicities)[0]


def _validated_member(
    data: MemberData, *, today: date, ethnicities: dict[str, Ethnicity] | None = None
) -> tuple[dict[str, Any], Member]:
    """`_validate_member`'s values and the unsaved Member built from them (bulk writers keep it)."""
    rules = member_rules(data, today=today, ethnicities=ethnicities)
    errors, name, year, identity, ethnicity = rules.errors, rules.name, rules.year, rules.identity, rules.ethnicity
    values = {name_: getattr(data, name_) for name_ in MEMBER_FIELDS}
    values.update(full_name=name, birth_year=year, ethnicity=ethnicity)
    values["id_number"] = identity.number if identity else ""
    values["id_kind"] = identity.kind if identity else ""
    member = Member(**values)
    try:
        # Pure Python: the ethnicity was just looked up (no FK query) and the one constraint,
        # death after birth, is checked above with a clearer message (no constraint query).
        member.full_clean(exclude=["household", "name_folded", "sort_key", "order", "ethnicity"],
                          validate_constraints=False)  # fmt: skip
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if data.death_date:
        values["status"] = member.status = MemberStatus.DEAD
    return values, member


def _living_members():
    """Members who are alive: only they make a CCCD "taken"."""
    return Member.objects.filter(death_date__isnull=True).exclude(status=MemberStatus.DEAD)


def identity_conflicts(id_number: str, *, exclude_member_id: int | None = None):
    """Living members anywhere in the registry who already hold `id_number` (not scoped: a check)."""
    if not id_number:
        return Member.objects.none()
    qs = _living_members().filter(id_number=id_number)
    if exclude_member_id:
        qs = qs.exclude(pk=exclude_member_id)
    return qs.select_related("household")


def identity_holders(numbers, *, slice_size: int = 900) -> dict[str, list[tuple[int, str]]]:
    """`identity_conflicts` for many numbers at once: number → [(member id, household code)] (one query
    per `slice_size` numbers), for bulk callers such as the import."""
    numbers = sorted({n for n in numbers if n})
    holders: dict[str, list[tuple[int, str]]] = {}
    for start in range(0, len(numbers), slice_size):
        rows = _living_members().filter(id_number__in=numbers[start : start + slice_size])
        for number, pk, code in rows.values_list("id_number", "pk", "household__code"):
            holders.setdefault(number, []).append((pk, code))
    return holders


def _check_identity(actor, member: Member, reason: str) -> None:
    """Block a CCCD already held by another living member, unless an officer gives a reason."""
    # Two registrations of one number at once must not both pass the check below (no unique constraint:
    # a number may be held twice with a reason); the lock makes the second wait and see the first.
    lock_values("cccd", [member.id_number])
    conflicts = list(identity_conflicts(member.id_number, exclude_member_id=member.pk))
    if not conflicts:
        return
    if any(c.household_id == member.household_id for c in conflicts):
        # Two people of one household with one number is a typing error whatever the reason given, and
        # the household may not even be saved yet: say so rather than name it as "another" household.
        raise ApplicationError(
            _("Số CCCD %(number)s được nhập cho hai thành viên của hộ này: hãy sửa số của một người.")
            % {"number": member.id_number},
            code="id_repeated_in_household", details={"field": "id_number", "id_number": member.id_number},
        )  # fmt: skip
    if not (reason or "").strip():
        raise ApplicationError(
            _("Số CCCD %(number)s đã có ở thành viên khác còn sống (hộ %(households)s). Nếu đúng là "
              "nhập lại, hãy ghi lý do xác nhận.")
            % {"number": member.id_number, "households": ", ".join(sorted({c.household.code for c in conflicts}))},
            code="id_duplicate",
            details={"field": "id_number", "id_number": member.id_number, "member_ids": [c.pk for c in conflicts]},
        )  # fmt: skip
    for existing in conflicts:
        IdentityOverride.objects.create(
            id_number=member.id_number, member=member, existing_member=existing, reason=reason.strip()[:255],
            confirmed_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=RegistryEventType.IDENTITY_DUPLICATE_CONFIRMED, target=member,
            unit_path=member.household.unit_path,
            changes={"new": {"id_number": member.id_number, "existing_member": existing.pk, "reason": reason}},
        )  # fmt: skip
    # Accepted with a reason: the pair goes to the duplicates queue at once, without waiting for a scan.
    from .duplicates import duplicate_pairs_for_member

    duplicate_pairs_for_member(member=member)


def _snapshot(obj, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    changed = [k for k in new if old.get(k) != new[k]]
    return {"old": {k: old.get(k) for k in changed}, "new": {k: new[k] for k in changed}}


def _set_head(household: Household, head: Member | None) -> None:
    household.head = head
    household.head_name = head.full_name if head else ""
    household.head_sort_key = head.sort_key if head else ""
    if head is not None:
        household.female_head = head.sex == "female"


# -- services -----------------------------------------------------------------------------------


@dataclass
class PreparedHousehold:
    """A validated new household, not yet saved: the household, its members (in order) and what
    its HOUSEHOLD_REGISTERED event records. `household_prepare` builds it; writers save it."""

    household: Household
    members: list[Member]
    head_index: int
    changes: dict[str, Any]

    @property
    def head(self) -> Member:
        return self.members[self.head_index]


@dataclass
class HouseholdRules:
    """What `household_rules` found: the household's cleaned values and every refusal by field, the
    members' to be added (``members.<i>.<field>``) by the caller before `raise_errors`."""

    errors: dict[str, list[str]]
    village: AdminUnit | None = None
    code: str = ""
    area_type: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    ethnicity: Ethnicity | None = None
    ethnicity_errors: list[str] = field(default_factory=list)

    def raise_errors(self) -> None:
        """Raise every refusal at once. The household's ethnicity is its head's: when the head's own
        check already refused that code, it is not said twice."""
        members_said = {m for key, messages in self.errors.items() if key.endswith(".ethnicity") for m in messages}
        extra = [m for m in self.ethnicity_errors if m not in members_said]
        if extra:
            self.errors.setdefault("ethnicity", []).extend(extra)
        if self.errors:
            raise ValidationError(self.errors)


def _collect(errors: dict[str, list[str]], rule, *args, **kwargs):
    """`rule(*args, **kwargs)`, or None with its refusal's messages added to `errors` by field."""
    try:
        return rule(*args, **kwargs)
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for key, messages in found.items():
            errors.setdefault(key, []).extend(messages)
        return None


def household_rules(
    *, commune: AdminUnit, data: HouseholdData, members: list[MemberData], ethnicities: dict[str, Ethnicity] | None
) -> HouseholdRules:
    """The household rules of a registration (village of the commune, code, area type, facts, ethnicity,
    members with exactly one head), each checked whatever the others found, so that a form or an import
    row shows every refusal in one pass. A unit that is not a commune is refused at once."""
    errors: dict[str, list[str]] = {}
    rules = HouseholdRules(errors)
    rules.village = _collect(errors, _resolve_village, commune, data.village)
    rules.code = _collect(errors, _clean_code, data.code) or ""
    rules.area_type = _collect(errors, _resolve_area_type, commune, data.area_type, data.area_type_override_reason)
    rules.facts = _collect(errors, _clean_facts, data.facts) or {}
    ethnicity_errors: dict[str, list[str]] = {}
    rules.ethnicity = _collect(ethnicity_errors, _ethnicity, data.ethnicity_code, ethnicities)
    rules.ethnicity_errors = [m for messages in ethnicity_errors.values() for m in messages]
    if not members:
        errors.setdefault("members", []).append(_("Hộ phải có ít nhất một thành viên."))
    elif sum(1 for m in members if m.relation == Relation.HEAD) != 1:
        errors.setdefault("members", []).append(_("Hộ phải có đúng một chủ hộ."))
    return rules


def household_prepare(
    *, actor, commune: AdminUnit, data: HouseholdData, members: list[MemberData], today: date,
    ethnicities: dict[str, Ethnicity] | None = None,
) -> PreparedHousehold:  # fmt: skip
    """Validate a new household and build its unsaved rows: every rule of `household_register`
    except the two that need the registry (the code already used, a CCCD already held).

    Runs no query when `ethnicities` is given (the import validates thousands of households this
    way). Raises what `household_register` raises, members' errors keyed ``members.<i>.<field>``.
    """
    rules = household_rules(commune=commune, data=data, members=members, ethnicities=ethnicities)
    errors = rules.errors
    rows = []
    for index, member_data in enumerate(members):
        try:
            _values, member = _validated_member(member_data, today=today, ethnicities=ethnicities)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[f"members.{index}.{key}"] = messages
            continue
        member.order = index + 1
        member.set_derived_fields()
        rows.append(member)
    rules.raise_errors()
    return prepared_household(actor=actor, commune=commune, village=rules.village, code=rules.code,
                              area_type=rules.area_type, data=data, ethnicity=rules.ethnicity, facts=rules.facts,
                              rows=rows)  # fmt: skip


def prepared_household(*, actor, commune: AdminUnit, village: AdminUnit | None, code: str, area_type: str,
                       data: HouseholdData, ethnicity: Ethnicity | None, facts: dict[str, Any],
                       rows: list[Member], new_household=Household) -> PreparedHousehold:  # fmt: skip
    """The unsaved household of validated members (the head gives its name, sort key, sex and, unless
    given, the ethnicity), with the registration's audit changes. Shared by the services and the
    import's fast path (whose `new_household` builds the same object without `Model.__init__`)."""
    unit = village or commune
    household = new_household(
        commune=commune, village=village, code=code, area_type=area_type,
        area_type_override_reason=data.area_type_override_reason.strip(), ethnicity=ethnicity,
        unit_path=unit.path, successor_path=unit.successor_path,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **facts,
    )  # fmt: skip
    head_index = next(i for i, m in enumerate(rows) if m.relation == Relation.HEAD)
    head = rows[head_index]
    household.head_name, household.head_sort_key = head.full_name, head.sort_key
    household.female_head = head.sex == "female"
    # The cached ethnicity (no query): members built by the fast path carry it in the cache only.
    head_ethnicity = head._state.fields_cache.get("ethnicity") if head.ethnicity_id else None
    if ethnicity is None and head_ethnicity is not None:
        household.ethnicity = head_ethnicity
    if household.ethnicity is not None and household.ethnicity.is_minority:
        household.is_ethnic_minority = True
    changes = {"new": {"code": code, "village": village.path if village else None, "area_type": area_type,
                       **facts, "members": [m.full_name for m in rows]}}  # fmt: skip
    return PreparedHousehold(household=household, members=rows, head_index=head_index, changes=changes)


def household_code_taken(commune: AdminUnit, code: str) -> ApplicationError:
    return ApplicationError(
        _("Mã hộ %(code)s đã có ở %(commune)s.") % {"code": code, "commune": commune.name},
        code="household_code_taken",
        details={"field": "code"},
    )


def household_register_refusals(
    *, commune: AdminUnit, data: HouseholdData, members: list[MemberData]
) -> dict[str, list[str]]:
    """Every refusal `household_register` would give these facts, by field, without writing anything:
    the code already used in the commune and every rule of `household_prepare` (members' keyed
    ``members.<i>.<field>``). Not the permission, nor a CCCD held by someone else (the officer's reason
    is asked for once the rest is right). The registration form calls it when its own field checks
    refused something, so that the officer sees the rules' refusals of the other fields in the same
    pass (decision 0036, addendum)."""
    errors: dict[str, list[str]] = {}
    code = (data.code or "").strip()
    if code and Household.objects.filter(commune=commune, code=code).exists():
        errors["code"] = [household_code_taken(commune, code).message]
    try:
        household_prepare(actor=None, commune=commune, data=data, members=members, today=timezone.localdate())
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    return errors


def household_register(*, actor, commune: AdminUnit, data: HouseholdData, members: list[MemberData]) -> Household:
    """Register a new household with its members; exactly one member must be the head.

    Refused (nothing written) when the actor may not manage households in the commune, the
    village is not of that commune, the code is already used in the commune, a member is
    invalid (errors keyed ``members.<i>.<field>``), there is no head or more than one, or a CCCD
    is already held by another living member without an officer's reason.
    """
    today = timezone.localdate()
    with transaction.atomic():
        # A village of another commune, like an empty code, is refused by `household_prepare` with
        # every other refusal of the form; the permission is then the commune's.
        village = _collect({}, _resolve_village, commune, data.village)
        _require_manage(actor, village or commune)
        code = (data.code or "").strip()
        if code and Household.objects.filter(commune=commune, code=code).exists():
            raise household_code_taken(commune, code)
        prepared = household_prepare(actor=actor, commune=commune, data=data, members=members, today=today)
        household = prepared.household
        lock_values("cccd", [m.id_number for m in prepared.members])  # all at once, in order: no deadlock
        household.save()
        for member, member_data in zip(prepared.members, members, strict=True):
            member.household = household
            member.save()
            _check_identity(actor, member, member_data.id_duplicate_reason)
        _set_head(household, prepared.head)
        household.save()
        audit_record(
            actor=actor, event_type=RegistryEventType.HOUSEHOLD_REGISTERED, target=household,
            unit_path=household.unit_path, changes=prepared.changes,
        )  # fmt: skip
    return household


def _lock_household(household: Household, expected_version: int | None) -> Household:
    locked = Household.objects.select_for_update().get(pk=household.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ApplicationError(
            _("Hộ này vừa được người khác sửa. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
            code="stale_version",
            details={"current_version": locked.version},
        )
    return locked


UpdateRules = tuple[dict[str, Any], dict[str, list[str]], list[ApplicationError]]  # values, errors, conflicts


def household_update_rules(household: Household, data: HouseholdData) -> UpdateRules:
    """The new values of `household_update` and every refusal of them at once: the village of the
    commune, the code (its form, and not another household's of the commune), no change of village while
    a move request waits, the area type, the facts, the ethnicity. Returns ``(values, errors by field,
    conflicts)``; a conflict (a code in use, an open move) is an `ApplicationError` the API answers with
    its own code when it is the only refusal. No write; reads the commune's codes and the household's
    moves."""
    errors: dict[str, list[str]] = {}
    conflicts: list[ApplicationError] = []
    village = _collect(errors, _resolve_village, household.commune, data.village)
    code = _collect(errors, _clean_code, data.code)
    if code and code != household.code and Household.objects.filter(commune=household.commune, code=code).exists():
        conflicts.append(ApplicationError(
            _("Mã hộ %(code)s đã có trong xã.") % {"code": code}, code="household_code_taken",
            details={"field": "code"},
        ))  # fmt: skip
    village_changes = "village" not in errors and (village.pk if village else None) != household.village_id
    if village_changes and household.moves.filter(status=MoveStatus.REQUESTED).exists():
        conflicts.append(ApplicationError(
            _("Hộ đang có đề nghị chuyển đi chờ xử lý: hãy hủy đề nghị trước khi đổi thôn."),
            code="move_open", details={"field": "village"},
        ))  # fmt: skip
    area_type = _collect(errors, _resolve_area_type, household.commune, data.area_type, data.area_type_override_reason)
    facts = _collect(errors, _clean_facts, data.facts)
    ethnicity_id = household.ethnicity_id
    if data.ethnicity_code:
        ethnicity = _collect(errors, _ethnicity, data.ethnicity_code)
        ethnicity_id = ethnicity.pk if ethnicity else None
    values = {
        "code": code, "village": village, "area_type": area_type,
        "area_type_override_reason": data.area_type_override_reason.strip(), "ethnicity_id": ethnicity_id,
        **(facts or {}),
    }  # fmt: skip
    return values, errors, conflicts


def household_update_refusals(*, household: Household, data: HouseholdData) -> dict[str, list[str]]:
    """Every refusal `household_update` would give these facts, by field, without writing (the edit
    page's refusals beside its own field checks; decision 0036, addendum)."""
    _values, errors, conflicts = household_update_rules(household, data)
    for conflict in conflicts:
        errors.setdefault(conflict.details["field"], []).append(conflict.message)
    return errors


def household_update(*, actor, household: Household, expected_version: int | None, data: HouseholdData) -> Household:
    """Change the household's own facts (code, village, area type, flags, housing …).

    Refused when someone else changed it since `expected_version` was read, or for the same
    reasons as `household_register`, all of them at once (`household_update_rules`; a code in use or
    an open move on its own answers with its `ApplicationError`). Writes nothing when nothing changed.
    """
    with transaction.atomic():
        locked = _lock_household(household, expected_version)
        _require_manage(actor, locked.village or locked.commune)
        values, errors, conflicts = household_update_rules(locked, data)
        village = values.pop("village")
        _require_manage(actor, village or locked.commune)
        if conflicts and not errors:
            raise conflicts[0] if len(conflicts) == 1 else ValidationError(
                {c.details["field"]: [c.message] for c in conflicts}
            )  # fmt: skip
        if errors:
            for conflict in conflicts:
                errors.setdefault(conflict.details["field"], []).append(conflict.message)
            raise ValidationError(errors)
        new = {"code": values.pop("code"), "village_id": village.pk if village else None, **values}
        old = _snapshot(locked, list(new))
        changes = _diff(old, new)
        if not changes["new"]:
            return locked
        for name, value in new.items():
            setattr(locked, name, value)
        unit = village or locked.commune
        locked.unit_path, locked.successor_path = unit.path, unit.successor_path
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        audit_record(
            actor=actor, event_type=RegistryEventType.HOUSEHOLD_UPDATED, target=locked, unit_path=locked.unit_path,
            changes=changes,
        )  # fmt: skip
    return locked


def member_add(
    *, actor, household: Household, data: MemberData, event_type: int = RegistryEventType.MEMBER_ADDED
) -> Member:
    """Add a person to a household (not as head: use `household_change_head`). Refused as above."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_household(household, None)
        _require_manage(actor, locked.village or locked.commune)
        if data.relation == Relation.HEAD:
            raise ValidationError({"relation": _("Hộ đã có chủ hộ; hãy dùng chức năng đổi chủ hộ.")})
        values = _validate_member(data, today=today)
        order = (locked.members.count() or 0) + 1
        member = Member.objects.create(household=locked, order=order, **values)
        _check_identity(actor, member, data.id_duplicate_reason)
        Household.objects.filter(pk=locked.pk).update(version=F("version") + 1, updated_at=timezone.now())
        audit_record(
            actor=actor, event_type=event_type, target=member, unit_path=locked.unit_path,
            changes={"new": {"household": locked.pk,
                             **{k: values[k] for k in ("full_name", "sex", "birth_year", "relation")}}},
        )  # fmt: skip
    return member


def member_update(*, actor, member: Member, data: MemberData) -> Member:
    """Change a member's facts; the head's relation stays "head" (use `household_change_head`)."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        household = locked.household
        _require_manage(actor, household.village or household.commune)
        is_head = household.head_id == locked.pk
        if is_head != (data.relation == Relation.HEAD):
            raise ValidationError({"relation": _("Muốn đổi chủ hộ, hãy dùng chức năng đổi chủ hộ.")})
        if data.death_date is None and locked.death_date is not None:
            # A recorded death is kept: it is undone only by correcting it explicitly.
            data = replace(data, death_date=locked.death_date)
        values = _validate_member(data, today=today)
        old = _snapshot(locked, list(values))
        changes = _diff(
            {k: getattr(v, "pk", v) for k, v in old.items()}, {k: getattr(v, "pk", v) for k, v in values.items()}
        )
        if not changes["new"]:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        if "id_number" in changes["new"]:
            _check_identity(actor, locked, data.id_duplicate_reason)
        if is_head:
            _set_head(household, locked)
            household.save(update_fields=["head_name", "head_sort_key", "female_head", "updated_at"])
        Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
        audit_record(
            actor=actor, event_type=RegistryEventType.MEMBER_UPDATED, target=locked, unit_path=household.unit_path,
            changes={**changes, "household": household.pk},
        )  # fmt: skip
    return locked


def household_change_head(*, actor, household: Household, new_head: Member, old_head_relation: str) -> Household:
    """Make another present member the head; the previous head takes `old_head_relation`."""
    with transaction.atomic():
        locked = _lock_household(household, None)
        _require_manage(actor, locked.village or locked.commune)
        member = Member.objects.select_for_update().get(pk=new_head.pk)
        if member.household_id != locked.pk or member.status != MemberStatus.PRESENT:
            raise ApplicationError(_("Chủ hộ mới phải là thành viên đang trong hộ."), code="head_not_member")
        if old_head_relation == Relation.HEAD or old_head_relation not in Relation.values:
            raise ValidationError({"old_head_relation": _("Hãy chọn quan hệ mới của chủ hộ cũ.")})
        previous = locked.head
        if previous is not None and previous.pk != member.pk:
            Member.objects.filter(pk=previous.pk).update(relation=old_head_relation)
        member.relation = Relation.HEAD
        member.save(update_fields=["relation", "updated_at"])
        _set_head(locked, member)
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        audit_record(
            actor=actor, event_type=RegistryEventType.HOUSEHOLD_HEAD_CHANGED, target=locked, unit_path=locked.unit_path,
            changes={"old": {"head": previous.full_name if previous else None},
                     "new": {"head": member.full_name, "old_head_relation": old_head_relation}},
        )  # fmt: skip
    return locked


def households_poverty_summary_set(rows, *, standard_code: str, on_date: date,
                                   source: str = PovertyClassSource.CLASSIFICATION) -> int:  # fmt: skip
    """Record each household's current class (``rows``: (household id, class)) for lists and filters.

    Called by the poverty app (``source`` classification) and the review's recognition decision
    (``source`` decision) inside their own transactions, which write the history and the audit event;
    this summary is derived data, so it carries no event itself and does not bump the household's edit
    version. A classification never replaces a class recognised by a decision under the same standard
    (only a later decision does): those households are left as they are. Returns how many were set.
    """
    by_class: dict[str, list[int]] = {}
    for household_id, klass in rows:
        by_class.setdefault(klass, []).append(household_id)
    updated = 0
    for klass, ids in by_class.items():
        for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
            households = Household.objects.filter(pk__in=ids[start : start + 900])
            if source != PovertyClassSource.DECISION:
                households = households.exclude(
                    poverty_class_source=PovertyClassSource.DECISION, poverty_standard=standard_code
                )
            updated += households.update(
                poverty_class=klass, poverty_standard=standard_code, poverty_classified_on=on_date,
                poverty_class_source=source,
            )  # fmt: skip
    return updated
