"""Life events of the household registry: births, deaths, marriages, splits, merges and moves.

Each function is one transaction that locks what it changes, checks that the actor holds
``registry.manage_household`` over every household it touches, refuses with a message a
commune officer understands (nothing is written on refusal) and records old → new as audit
events, which are also the households' history (decision 0006). Member rows are never copied:
a person who changes household keeps their row (id, CCCD, audit trail) and only `household`
changes, so one person is one record across the registry.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from .choices import MOVE_TRANSITIONS, HouseholdStatus, MemberStatus, MoveStatus, Relation, Sex
from .events import RegistryEventType
from .models import Household, HouseholdMove, Member
from .services import (
    HOUSEHOLD_FACT_FIELDS,
    HouseholdData,
    MemberData,
    _clean_code,
    _lock_household,
    _require_manage,
    _resolve_area_type,
    _resolve_village,
    _set_head,
    household_change_head,
    household_update,
    member_add,
)

# Facts that belong to the people rather than to the dwelling or the place, so they follow a
# household that moves to another commune (housing, water, land and "dân tộc tại chỗ" do not).
PERSONAL_FACT_FIELDS = [
    "phone", "is_ethnic_minority", "has_meritorious_person", "has_social_assistance", "no_labour_capacity",
    "lone_household",
]  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def _unit_of(household: Household) -> AdminUnit:
    return household.village or household.commune


def _require_active(household: Household) -> None:
    if household.status != HouseholdStatus.ACTIVE:
        raise ApplicationError(
            _("Hộ %(code)s không còn được quản lý (%(status)s): không ghi được biến động.")
            % {"code": household.code, "status": household.get_status_display()},
            code="household_not_active",
        )


def _check_event_date(day: date | None, *, field: str, member: Member | None = None) -> date:
    """An event date is required, not in the future and not before the person was born."""
    if day is None:
        raise ValidationError({field: _("Hãy nhập ngày.")})
    if day > timezone.localdate():
        raise ValidationError({field: _("Ngày không được ở tương lai.")})
    if member is not None:
        born = member.birth_date or (date(member.birth_year, 1, 1) if member.birth_year else None)
        if born and day < born:
            raise ValidationError({field: _("Ngày này trước ngày sinh của %(name)s.") % {"name": member.full_name}})
    return day


# Luật Hôn nhân và gia đình 2014, Điều 8 khoản 1 điểm a: nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi.
MARRIAGE_AGE = {Sex.MALE: 20, Sex.FEMALE: 18}
# Bộ luật Dân sự 2015, Điều 20: người từ đủ 18 tuổi là người thành niên (full civil capacity).
ADULT_AGE = 18


def of_age(*, birth_date: date | None, birth_year: int | None, age: int, on: date) -> bool:
    """Whether a person born then is at least `age` years old on `on`.

    With only a birth year the age is taken as `on.year - birth_year`, at most a year more than the
    real one: a member whose day of birth the registry lacks is not refused on a guess."""
    if birth_date is not None:
        return (on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))) >= age
    return birth_year is None or on.year - birth_year >= age


def of_marriage_age(*, sex: str, birth_date: date | None, birth_year: int | None, on: date) -> bool:
    """Whether a person of `sex` born then has reached the legal age of marriage on `on`."""
    age = MARRIAGE_AGE.get(sex, min(MARRIAGE_AGE.values()))
    return of_age(birth_date=birth_date, birth_year=birth_year, age=age, on=on)


def _check_marriage_age(*, name: str, sex: str, birth_date: date | None, birth_year: int | None, on: date) -> None:
    if not of_marriage_age(sex=sex, birth_date=birth_date, birth_year=birth_year, on=on):
        raise ApplicationError(
            _("%(name)s chưa đủ tuổi kết hôn vào ngày %(day)s (nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi).")
            % {"name": name, "day": on.strftime("%d/%m/%Y")},
            code="under_marriage_age",
            details={"field": "date"},
        )


def _lock_households(*households: Household) -> list[Household]:
    """Lock several households in id order (two officers locking the same pair never deadlock)."""
    ids = sorted({h.pk for h in households})
    locked = {h.pk: h for h in Household.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return [locked[h.pk] for h in households]


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def _present_members(household: Household):
    return household.members.filter(status=MemberStatus.PRESENT)


def _next_order(household: Household) -> int:
    return (household.members.aggregate(m=models.Max("order"))["m"] or 0) + 1


def _bump_version(household: Household) -> None:
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1, updated_at=timezone.now())


def _check_relation(relation: str, *, field: str) -> str:
    if relation not in Relation.values or relation == Relation.HEAD:
        raise ValidationError({field: _("Hãy chọn quan hệ với chủ hộ (không phải “chủ hộ”).")})
    return relation


def _release_head(
    *, actor, household: Household, member: Member, new_head: Member | None, old_head_relation: str
) -> bool:
    """Before `member` stops being present: hand the headship on if they are the head.

    Returns True when `member` is the last present member (the caller then closes the household).
    Refused when the head leaves others behind without a new head being named: a household
    without a head cannot be reviewed (TT 07/2021 Phụ lục III, the head answers for the household).
    """
    others = _present_members(household).exclude(pk=member.pk)
    if not others.exists():
        return True
    if household.head_id != member.pk:
        return False
    if new_head is None:
        raise ValidationError(
            {"new_head": _("%(name)s là chủ hộ: hãy chọn chủ hộ mới trong số thành viên còn lại.")
             % {"name": member.full_name}}
        )  # fmt: skip
    if new_head.pk == member.pk or not others.filter(pk=new_head.pk).exists():
        raise ValidationError({"new_head": _("Chủ hộ mới phải là thành viên khác đang trong hộ.")})
    _check_relation(old_head_relation, field="old_head_relation")
    household_change_head(actor=actor, household=household, new_head=new_head, old_head_relation=old_head_relation)
    return False


def _close_household(household: Household, status: str) -> None:
    Household.objects.filter(pk=household.pk).update(status=status, version=F("version") + 1, updated_at=timezone.now())


# -- births, deaths, marriages ----------------------------------------------------------------


@transaction.atomic
def member_birth_record(*, actor, household: Household, data: MemberData) -> Member:
    """Record a child born into the household (khai sinh).

    Refused when the household is not active, the birth date is missing or in the future, the
    newborn is entered as head or with a death date, or for any reason `member_add` refuses.
    """
    locked = _lock_household(household, None)
    _require_manage(actor, _unit_of(locked))
    _require_active(locked)
    if data.birth_date is None:
        raise ValidationError({"birth_date": _("Khai sinh phải có ngày sinh.")})
    if data.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("Ngày sinh ở tương lai.")})
    if data.death_date is not None:
        raise ValidationError({"death_date": _("Khai sinh không kèm ngày mất; hãy ghi việc mất riêng.")})
    return member_add(actor=actor, household=locked, data=data, event_type=RegistryEventType.MEMBER_BORN)


@transaction.atomic
def member_death_record(
    *, actor, member: Member, death_date: date, new_head: Member | None = None, old_head_relation: str = ""
) -> Member:
    """Record that a present member died.

    When the deceased is the head and others remain, `new_head` (another present member) takes
    over and the deceased's relation to them is `old_head_relation`; when the deceased was the
    last present member the household becomes "dissolved". Refused for a member who is not
    present, a date in the future or before the birth, or a head without a successor.
    """
    household = _lock_household(member.household, None)
    _require_manage(actor, _unit_of(household))
    _require_active(household)
    locked = _lock_member(member)
    if locked.household_id != household.pk or locked.status != MemberStatus.PRESENT:
        raise ApplicationError(_("Chỉ ghi việc mất cho thành viên đang trong hộ."), code="member_not_present")
    _check_event_date(death_date, field="death_date", member=locked)
    last = _release_head(
        actor=actor, household=household, member=locked, new_head=new_head, old_head_relation=old_head_relation
    )
    old = {"status": locked.status, "death_date": None}
    locked.refresh_from_db()  # the head change may have rewritten the relation
    locked.status = MemberStatus.DEAD
    locked.death_date = death_date
    locked.save(update_fields=["status", "death_date", "updated_at"])
    changes = {"old": old, "new": {"status": MemberStatus.DEAD, "death_date": death_date}, "household": household.pk}
    if last:
        _close_household(household, HouseholdStatus.DISSOLVED)
        changes["old"]["household_status"] = household.status
        changes["new"]["household_status"] = HouseholdStatus.DISSOLVED
    else:
        _bump_version(household)
    audit_record(
        actor=actor, event_type=RegistryEventType.MEMBER_DIED, target=locked, unit_path=household.unit_path,
        changes=changes,
    )  # fmt: skip
    return locked


@transaction.atomic
def member_join_by_marriage(
    *,
    actor,
    household: Household,
    date: date,
    data: MemberData | None = None,
    member: Member | None = None,
    relation: str = "",
    new_head: Member | None = None,
    old_head_relation: str = "",
) -> Member:
    """A person marries into `household`: either someone new (`data`) or a registered member.

    A registered member's row moves here (same id, same history) and they leave their former
    household; if they were its head, `new_head`/`old_head_relation` hand that household on, and
    if they were its last member it is dissolved. Both households must be in the actor's area: a
    marriage across areas is a move between communes. `relation` is the member's relation to
    this household's head. Refused also when the date is in the future or before the birth, and
    for a person under the legal age of marriage on that day (`of_marriage_age`).
    """
    if (data is None) == (member is None):
        raise ValidationError(_("Hãy nhập người mới hoặc chọn một thành viên đã có trong sổ (chỉ một trong hai)."))
    if data is not None:
        locked = _lock_household(household, None)
        _require_manage(actor, _unit_of(locked))
        _require_active(locked)
        _check_event_date(date, field="date")
        _check_relation(data.relation, field="relation")
        _check_marriage_age(name=data.full_name, sex=data.sex, birth_date=data.birth_date,
                            birth_year=data.birth_year, on=date)  # fmt: skip
        # member_add records MEMBER_JOINED_BY_MARRIAGE with the person; the marriage date is not in
        # its changes yet (see the report: member_add needs an extra-changes argument).
        return member_add(
            actor=actor, household=locked, data=data, event_type=RegistryEventType.MEMBER_JOINED_BY_MARRIAGE
        )
    target, source = _lock_households(household, member.household)
    _require_manage(actor, _unit_of(target))
    _require_manage(actor, _unit_of(source))
    _require_active(target)
    locked = _lock_member(member)
    if locked.status != MemberStatus.PRESENT:
        raise ApplicationError(
            _("Người này không còn trong hộ nào (đã mất hoặc đã chuyển)."), code="member_not_present"
        )
    if source.pk == target.pk:
        raise ApplicationError(_("Người này đã ở trong hộ này."), code="same_household")
    _check_event_date(date, field="date", member=locked)
    _check_marriage_age(name=locked.full_name, sex=locked.sex, birth_date=locked.birth_date,
                        birth_year=locked.birth_year, on=date)  # fmt: skip
    _check_relation(relation, field="relation")
    last = _release_head(
        actor=actor, household=source, member=locked, new_head=new_head, old_head_relation=old_head_relation
    )
    locked.refresh_from_db()
    old = {"household": source.pk, "household_code": source.code, "relation": locked.relation}
    locked.household = target
    locked.relation = relation
    locked.order = _next_order(target)
    locked.save(update_fields=["household", "relation", "order", "updated_at"])
    new = {"household": target.pk, "household_code": target.code, "relation": relation, "date": date}
    # The household left behind records the departure itself: the member's own events follow the
    # member to the new household's history, and this one must stay on the old household's.
    source_changes = {
        "old": {"full_name": locked.full_name, "relation": old["relation"], "household_code": source.code},
        "new": {"household_code": target.code, "date": date},
        "member": locked.pk,
    }
    if last:
        _close_household(source, HouseholdStatus.DISSOLVED)
        source_changes["old"]["household_status"] = source.status
        source_changes["new"]["household_status"] = HouseholdStatus.DISSOLVED
    else:
        _bump_version(source)
    _bump_version(target)
    # One event on each household's history: the old household's (its target is that household)
    # says who left for which household; the member's says where they came from.
    audit_record(
        actor=actor, event_type=RegistryEventType.MEMBER_LEFT_BY_MARRIAGE, target=source,
        unit_path=source.unit_path, changes=source_changes,
    )  # fmt: skip
    audit_record(
        actor=actor, event_type=RegistryEventType.MEMBER_JOINED_BY_MARRIAGE, target=locked,
        unit_path=target.unit_path, changes={"old": old, "new": new},
    )  # fmt: skip
    return locked


@transaction.atomic
def member_leave_by_marriage(
    *, actor, member: Member, date: date, note: str = "", new_head: Member | None = None, old_head_relation: str = ""
) -> Member:
    """A present member leaves the household to marry (to a household outside the registry's reach).

    The head may leave only when `new_head` is named (and `old_head_relation`); the last present
    member leaving dissolves the household. Refused for a date in the future or before the birth,
    and for a member under the legal age of marriage on that day (`of_marriage_age`).
    """
    household = _lock_household(member.household, None)
    _require_manage(actor, _unit_of(household))
    _require_active(household)
    locked = _lock_member(member)
    if locked.household_id != household.pk or locked.status != MemberStatus.PRESENT:
        raise ApplicationError(_("Chỉ thành viên đang trong hộ mới rời hộ được."), code="member_not_present")
    _check_event_date(date, field="date", member=locked)
    _check_marriage_age(name=locked.full_name, sex=locked.sex, birth_date=locked.birth_date,
                        birth_year=locked.birth_year, on=date)  # fmt: skip
    last = _release_head(
        actor=actor, household=household, member=locked, new_head=new_head, old_head_relation=old_head_relation
    )
    locked.refresh_from_db()
    locked.status = MemberStatus.LEFT
    locked.left_date = date
    locked.save(update_fields=["status", "left_date", "updated_at"])
    changes = {
        "old": {"status": MemberStatus.PRESENT, "left_date": None},
        "new": {"status": MemberStatus.LEFT, "left_date": date, "note": (note or "").strip()},
        "household": household.pk,
    }
    if last:
        _close_household(household, HouseholdStatus.DISSOLVED)
        changes["old"]["household_status"] = household.status
        changes["new"]["household_status"] = HouseholdStatus.DISSOLVED
    else:
        _bump_version(household)
    audit_record(
        actor=actor, event_type=RegistryEventType.MEMBER_LEFT_BY_MARRIAGE, target=locked,
        unit_path=household.unit_path, changes=changes,
    )  # fmt: skip
    return locked


# -- split and merge ----------------------------------------------------------------------------


@transaction.atomic
def household_split(
    *,
    actor,
    household: Household,
    members: list[Member],
    new_code: str,
    new_head: Member,
    relations: dict[int, str] | None = None,
    village: AdminUnit | None = None,
) -> Household:
    """Tách hộ: some present members form a new household in the same commune.

    The moved member rows keep their ids; `new_head` (one of them) heads the new household and
    every other moved member needs their relation to the new head in `relations`. The new
    household lives in `village` (the old one's village by default). Refused when the old head
    would leave (change the head first), nobody would stay behind, a member is not present in
    this household, the new head is under `ADULT_AGE` (Luật Cư trú 2020, Điều 25: whoever heads a
    split household has full civil capacity), the code is taken in the commune or the village is
    of another commune. Every refusal of the choices is reported at once, each on its field, so
    the officer corrects the form in one go; a taken code alone keeps its own error code.
    """
    source = _lock_household(household, None)
    commune = source.commune
    _require_manage(actor, _unit_of(source))
    _require_active(source)
    village = _resolve_village(commune, village if village is not None else source.village)
    _require_manage(actor, village or commune)
    code = _clean_code(new_code)
    code_taken = Household.objects.filter(commune=commune, code=code).exists()
    errors: dict[str, str] = {}
    ids = {m.pk for m in members}
    moving = list(_present_members(source).filter(pk__in=ids).select_for_update().order_by("order", "pk"))
    if not ids:
        errors["members"] = _("Hãy chọn thành viên tách sang hộ mới.")
    elif len(moving) != len(ids):
        errors["members"] = _("Chỉ tách được thành viên đang trong hộ này.")
    elif source.head_id in ids:
        errors["members"] = _("Chủ hộ hiện tại không tách đi được: hãy đổi chủ hộ trước.")
    elif not _present_members(source).exclude(pk__in=ids).exists():
        errors["members"] = _("Hộ cũ phải còn ít nhất một thành viên.")
    head_row = next((p for p in moving if p.pk == new_head.pk), None)
    if ids and head_row is None:
        errors["new_head"] = _("Chủ hộ mới phải là một trong những người tách đi.")
    elif head_row is not None and not of_age(
        birth_date=head_row.birth_date, birth_year=head_row.birth_year, age=ADULT_AGE, on=timezone.localdate()
    ):
        errors["new_head"] = _(
            "%(name)s chưa đủ %(age)d tuổi: chủ hộ tách ra phải là người có năng lực hành vi dân sự đầy đủ."
        ) % {"name": head_row.full_name, "age": ADULT_AGE}
    relations = relations or {}
    new_relations: dict[int, str] = {}
    for person in moving if head_row is not None else ():  # relations to a head who is not moving: moot
        if person.pk == new_head.pk:
            new_relations[person.pk] = Relation.HEAD
            continue
        try:
            new_relations[person.pk] = _check_relation(relations.get(person.pk, ""), field=f"relation_{person.pk}")
        except ValidationError as refusal:
            errors.update({field: messages[0] for field, messages in refusal.message_dict.items()})
    if errors:
        if code_taken:
            errors["new_code"] = _("Mã hộ %(code)s đã có ở %(commune)s.") % {"code": code, "commune": commune.name}
        raise ValidationError(errors)
    if code_taken:
        raise ApplicationError(
            _("Mã hộ %(code)s đã có ở %(commune)s.") % {"code": code, "commune": commune.name},
            code="household_code_taken",
            details={"field": "new_code"},
        )
    unit = village or commune
    new_household = Household.objects.create(
        commune=commune, village=village, code=code,
        area_type=_resolve_area_type(commune, source.area_type, source.area_type_override_reason),
        area_type_override_reason=source.area_type_override_reason,
        ethnicity=head_row.ethnicity or source.ethnicity, unit_path=unit.path, successor_path=unit.successor_path,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    for order, person in enumerate(moving, start=1):
        person.household = new_household
        person.relation = new_relations[person.pk]
        person.order = order
        person.save(update_fields=["household", "relation", "order", "updated_at"])
    _set_head(new_household, head_row)
    new_household.is_ethnic_minority = bool(new_household.ethnicity and new_household.ethnicity.is_minority)
    new_household.save()
    _bump_version(source)
    moved = [{"id": p.pk, "full_name": p.full_name, "relation": new_relations[p.pk]} for p in moving]
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_SPLIT, target=source, unit_path=source.unit_path,
        changes={"old": {"members": sorted(ids)}, "new": {"new_household": new_household.pk, "code": code,
                                                          "members": moved}},
    )  # fmt: skip
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_SPLIT, target=new_household,
        unit_path=new_household.unit_path,
        changes={"new": {"split_from": source.pk, "split_from_code": source.code, "code": code,
                         "village": village.path if village else None, "members": moved}},
    )  # fmt: skip
    return new_household


@transaction.atomic
def household_merge(*, actor, source: Household, target: Household, relations: dict[int, str]) -> Household:
    """Nhập hộ: every present member of `source` joins `target`; `source` becomes "merged".

    `relations` gives each moving member's relation to the target's head. Refused across
    communes (that is a move first), for the same household twice, or a household not active.
    """
    if source.pk == target.pk:
        raise ValidationError({"target": _("Không nhập một hộ vào chính nó.")})
    source, target = _lock_households(source, target)
    _require_manage(actor, _unit_of(source))
    _require_manage(actor, _unit_of(target))
    _require_active(source)
    _require_active(target)
    if source.commune_id != target.commune_id:
        raise ApplicationError(
            _("Chỉ nhập được hai hộ trong cùng một xã; hộ ở xã khác phải làm thủ tục chuyển hộ trước."),
            code="merge_across_communes",
        )
    moving = list(_present_members(source).select_for_update().order_by("order", "pk"))
    new_relations = {p.pk: _check_relation(relations.get(p.pk, ""), field=f"relation_{p.pk}") for p in moving}
    order = _next_order(target)
    for offset, person in enumerate(moving):
        person.household = target
        person.relation = new_relations[person.pk]
        person.order = order + offset
        person.save(update_fields=["household", "relation", "order", "updated_at"])
    _close_household(source, HouseholdStatus.MERGED)
    _bump_version(target)
    moved = [{"id": p.pk, "full_name": p.full_name, "relation": new_relations[p.pk]} for p in moving]
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_MERGED, target=source, unit_path=source.unit_path,
        changes={"old": {"status": source.status}, "new": {"status": HouseholdStatus.MERGED,
                                                           "merged_into": target.pk, "members": moved}},
    )  # fmt: skip
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_MERGED, target=target, unit_path=target.unit_path,
        changes={"new": {"merged_from": source.pk, "merged_from_code": source.code, "members": moved}},
    )  # fmt: skip
    target.refresh_from_db()
    return target


# -- moves --------------------------------------------------------------------------------------


@transaction.atomic
def household_village_change(
    *, actor, household: Household, village: AdminUnit | None, expected_version: int | None = None
) -> Household:
    """Chuyển thôn: the household moves to another village of its commune (through `household_update`)."""
    locked = _lock_household(household, expected_version)
    _require_active(locked)
    if (village.pk if village else None) == locked.village_id:
        raise ValidationError({"village": _("Hộ đã ở thôn này.")})
    data = HouseholdData(
        code=locked.code, village=village, ethnicity_code=locked.ethnicity.code if locked.ethnicity else "",
        area_type=locked.area_type, area_type_override_reason=locked.area_type_override_reason,
        facts={name: getattr(locked, name) for name in HOUSEHOLD_FACT_FIELDS},
    )  # fmt: skip
    return household_update(actor=actor, household=locked, expected_version=locked.version, data=data)


def _lock_move(move: HouseholdMove, to: str) -> HouseholdMove:
    locked = HouseholdMove.objects.select_for_update().get(pk=move.pk)
    if to not in MOVE_TRANSITIONS[MoveStatus(locked.status)]:
        raise ApplicationError(
            _("Đề nghị chuyển hộ đang ở trạng thái “%(status)s”, không chuyển sang “%(to)s” được.")
            % {"status": locked.get_status_display(), "to": MoveStatus(to).label},
            code="move_transition_refused",
        )
    return locked


def _record_move(actor, event_type: int, move: HouseholdMove, household: Household, changes: dict) -> None:
    """One event on each commune's history: the sender's (the household) and the receiver's (the move)."""
    audit_record(actor=actor, event_type=event_type, target=household, unit_path=move.unit_path, changes=changes)
    audit_record(actor=actor, event_type=event_type, target=move, unit_path=move.to_unit_path, changes=changes)


@transaction.atomic
def household_move_request(
    *,
    actor,
    household: Household,
    to_commune: AdminUnit,
    move_date: date,
    reason: str = "",
    to_village: AdminUnit | None = None,
) -> HouseholdMove:
    """The sending commune asks another commune to take in the household.

    Refused when the household is not active, already has an open request, the destination is
    not a valid commune (or is its own commune: that is a change of village), or the village is
    not of that commune.
    """
    locked = _lock_household(household, None)
    _require_manage(actor, _unit_of(locked))
    _require_active(locked)
    if to_commune.level != Level.COMMUNE or not to_commune.is_valid_on(timezone.localdate()):
        raise ValidationError({"to_commune": _("Nơi đến phải là một xã/phường đang có hiệu lực.")})
    if to_commune.pk == locked.commune_id:
        raise ValidationError({"to_commune": _("Chuyển trong cùng xã: hãy dùng chức năng chuyển thôn.")})
    to_village = _resolve_village(to_commune, to_village)
    if move_date is None:
        raise ValidationError({"move_date": _("Hãy nhập ngày chuyển.")})
    if HouseholdMove.objects.filter(household=locked, status=MoveStatus.REQUESTED).exists():
        raise ApplicationError(_("Hộ này đã có một đề nghị chuyển đang chờ xử lý."), code="move_already_open")
    try:
        # The database constraint is the last word when two officers submit at the same moment.
        with transaction.atomic():
            move = HouseholdMove.objects.create(
                household=locked, from_commune=locked.commune, to_commune=to_commune, to_village=to_village,
                move_date=move_date, reason=(reason or "").strip()[:255], requested_by=actor,
                unit_path=locked.unit_path, to_unit_path=(to_village or to_commune).path,
            )  # fmt: skip
    except IntegrityError as exc:
        if not HouseholdMove.objects.filter(household=locked, status=MoveStatus.REQUESTED).exists():
            raise  # another constraint: a programming error, not the race this handles
        raise ApplicationError(_("Hộ này đã có một đề nghị chuyển đang chờ xử lý."), code="move_already_open") from exc
    _record_move(
        actor, RegistryEventType.HOUSEHOLD_MOVE_REQUESTED, move, locked,
        {"new": {"status": MoveStatus.REQUESTED, "move": move.pk, "from": locked.commune.path,
                 "to": move.to_unit_path, "move_date": move_date, "reason": move.reason}},
    )  # fmt: skip
    return move


@transaction.atomic
def household_move_accept(
    *, actor, move: HouseholdMove, new_code: str, village: AdminUnit | None = None
) -> HouseholdMove:
    """The receiving commune takes in the household under `new_code` (in `village` or the one asked for).

    Design: the receiving commune registers a NEW household row and the old one becomes
    "moved_out"; the present members' rows move to the new household (same ids, CCCD and audit
    trail), so a person's history follows them. The old row stays in the sending commune with
    its own history (its poverty reviews, certificates and lists were decided by that commune and
    must stay in its area and reports), and household codes are per commune. Members who had died
    or left stay with the old household, as part of its history.
    Refused when the actor may not manage households in the receiving commune, the request is
    not open, the household is no longer active, or the code is taken there.
    """
    locked = _lock_move(move, MoveStatus.ACCEPTED)
    to_commune = locked.to_commune
    village = _resolve_village(to_commune, village if village is not None else locked.to_village)
    _require_manage(actor, village or to_commune)
    old = _lock_household(locked.household, None)
    _require_active(old)
    code = _clean_code(new_code)
    if Household.objects.filter(commune=to_commune, code=code).exists():
        raise ApplicationError(
            _("Mã hộ %(code)s đã có ở %(commune)s.") % {"code": code, "commune": to_commune.name},
            code="household_code_taken",
            details={"field": "new_code"},
        )
    unit = village or to_commune
    new = Household.objects.create(
        commune=to_commune, village=village, code=code, area_type=_resolve_area_type(to_commune, "", ""),
        ethnicity=old.ethnicity, address="", unit_path=unit.path, successor_path=unit.successor_path,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{name: getattr(old, name) for name in PERSONAL_FACT_FIELDS},
    )  # fmt: skip
    moving = list(_present_members(old).select_for_update().order_by("order", "pk"))
    for order, person in enumerate(moving, start=1):
        person.household = new
        person.order = order
        person.save(update_fields=["household", "order", "updated_at"])
    head = next((p for p in moving if p.pk == old.head_id), None)
    _set_head(new, head)
    new.save()
    _close_household(old, HouseholdStatus.MOVED_OUT)
    locked.status = MoveStatus.ACCEPTED
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.new_household = new
    locked.to_village = village
    locked.save(update_fields=["status", "decided_by", "decided_at", "new_household", "to_village", "updated_at"])
    changes = {
        "old": {"status": MoveStatus.REQUESTED, "household": old.pk, "code": old.code, "unit_path": old.unit_path},
        "new": {"status": MoveStatus.ACCEPTED, "household": new.pk, "code": code, "unit_path": new.unit_path,
                "members": [p.pk for p in moving]},
        "move": locked.pk,
    }  # fmt: skip
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_MOVE_ACCEPTED, target=old, unit_path=locked.unit_path,
        changes=changes,
    )  # fmt: skip
    audit_record(
        actor=actor, event_type=RegistryEventType.HOUSEHOLD_MOVE_ACCEPTED, target=new, unit_path=new.unit_path,
        changes=changes,
    )  # fmt: skip
    return locked


@transaction.atomic
def household_move_refuse(*, actor, move: HouseholdMove, note: str) -> HouseholdMove:
    """The receiving commune refuses to take the household in (a reason is required)."""
    locked = _lock_move(move, MoveStatus.REFUSED)
    _require_manage(actor, locked.to_village or locked.to_commune)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Hãy ghi lý do từ chối.")})
    return _decide(actor, locked, MoveStatus.REFUSED, note, RegistryEventType.HOUSEHOLD_MOVE_REFUSED)


@transaction.atomic
def household_move_cancel(*, actor, move: HouseholdMove, note: str = "") -> HouseholdMove:
    """The sending commune withdraws its request while the receiving commune has not decided."""
    locked = _lock_move(move, MoveStatus.CANCELLED)
    # The household is still in the sending commune while the request is open: only who manages
    # it there may withdraw the request (the receiving commune refuses instead).
    household = _lock_household(locked.household, None)
    _require_manage(actor, _unit_of(household))
    return _decide(
        actor, locked, MoveStatus.CANCELLED, (note or "").strip(), RegistryEventType.HOUSEHOLD_MOVE_CANCELLED
    )


def _decide(actor, move: HouseholdMove, status: str, note: str, event_type: int) -> HouseholdMove:
    old_status = move.status
    move.status = status
    move.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    move.decided_at = timezone.now()
    move.decision_note = note[:255]
    move.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    _record_move(
        actor, event_type, move, move.household,
        {"old": {"status": old_status}, "new": {"status": status, "note": note}, "move": move.pk},
    )  # fmt: skip
    return move
