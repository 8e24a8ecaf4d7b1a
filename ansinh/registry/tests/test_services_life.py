from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.registry.choices import HouseholdStatus, MemberStatus, MoveStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household, HouseholdMove, Member
from ansinh.registry.selectors import household_history
from ansinh.registry.services import MemberData
from ansinh.registry.services_life import (
    household_merge,
    household_move_accept,
    household_move_cancel,
    household_move_refuse,
    household_move_request,
    household_split,
    household_village_change,
    member_birth_record,
    member_death_record,
    member_join_by_marriage,
    member_leave_by_marriage,
    of_marriage_age,
)

from .factories import head, make_household, member

TODAY = timezone.localdate()
FUTURE = TODAY + timedelta(days=2)


def baby(**extra) -> MemberData:
    values = {"full_name": "Nguyễn Văn Bé", "sex": "male", "relation": "child", "birth_date": TODAY - timedelta(days=3)}
    return MemberData(**{**values, **extra})


def events(event_type) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("pk"))


@pytest.fixture
def family(units, users):
    """Head An, spouse Bình, son Cường in Thôn 1 of Thọ Xuân."""
    son = member("Nguyễn Văn Cường", sex="male", relation="child", birth_year=2000)
    return make_household(
        units.tho_xuan, village=units.t1, actor=users.commune_officer, members=[head(), member(), son]
    )


def _member(household, name) -> Member:
    return Member.objects.get(household__pk=household.pk, full_name=name)


def _snapshot():
    """Every row a life event could touch, to prove a refusal wrote nothing."""
    return (
        list(Household.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
        list(HouseholdMove.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


# -- births ---------------------------------------------------------------------------------------


def test_birth_adds_a_present_member_with_the_birth_event(family, users):
    version = family.version
    child = member_birth_record(actor=users.commune_officer, household=family, data=baby())
    assert child.household_id == family.pk
    assert child.status == MemberStatus.PRESENT
    family.refresh_from_db()
    assert family.version > version
    event = events(RegistryEventType.MEMBER_BORN)[-1]
    assert event.target_id == str(child.pk)
    assert event.actor == users.commune_officer


@pytest.mark.parametrize(
    ("data", "field"),
    [(baby(birth_date=None, birth_year=2024), "birth_date"), (baby(birth_date=FUTURE), "birth_date"),
     (baby(death_date=TODAY), "death_date"), (baby(relation="head"), "relation")],
)  # fmt: skip
def test_birth_refusals_write_nothing(family, users, data, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as excinfo:
        member_birth_record(actor=users.commune_officer, household=family, data=data)
    assert field in excinfo.value.message_dict
    assert _snapshot() == before


def test_birth_refused_out_of_area_and_for_a_role_without_manage(family, users):
    before = _snapshot()
    for actor in (users.commune_officer_dl, users.village_head):
        with pytest.raises(PermissionDenied):
            member_birth_record(actor=actor, household=family, data=baby())
    assert _snapshot() == before


# -- deaths ---------------------------------------------------------------------------------------


def test_death_of_a_member(family, users):
    wife = _member(family, "Lê Thị Bình")
    dead = member_death_record(actor=users.commune_officer, member=wife, death_date=TODAY)
    assert (dead.status, dead.death_date) == (MemberStatus.DEAD, TODAY)
    event = events(RegistryEventType.MEMBER_DIED)[-1]
    assert event.changes["new"]["status"] == "dead"
    assert event.changes["old"]["status"] == "present"
    family.refresh_from_db()
    assert family.status == HouseholdStatus.ACTIVE


def test_death_of_the_head_needs_a_new_head(family, users):
    before = _snapshot()
    with pytest.raises(ValidationError) as excinfo:
        member_death_record(actor=users.commune_officer, member=family.head, death_date=TODAY)
    assert "new_head" in excinfo.value.message_dict
    assert _snapshot() == before
    wife = _member(family, "Lê Thị Bình")
    member_death_record(
        actor=users.commune_officer, member=family.head, death_date=TODAY, new_head=wife, old_head_relation="spouse"
    )
    family.refresh_from_db()
    assert family.head_id == wife.pk
    assert family.head_name == "Lê Thị Bình"
    assert Member.objects.get(pk=wife.pk).relation == "head"
    old_head = Member.objects.get(full_name="Nguyễn Văn An")
    assert (old_head.status, old_head.relation) == (MemberStatus.DEAD, "spouse")
    assert events(RegistryEventType.HOUSEHOLD_HEAD_CHANGED)


def test_death_of_the_head_refuses_a_dead_or_foreign_successor(family, users, units):
    other = make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    stranger = other.members.exclude(pk=other.head_id).get()
    with pytest.raises(ValidationError):
        member_death_record(
            actor=users.commune_officer, member=family.head, death_date=TODAY, new_head=stranger,
            old_head_relation="spouse",
        )  # fmt: skip
    with pytest.raises(ValidationError):  # the deceased's new relation is required
        member_death_record(
            actor=users.commune_officer, member=family.head, death_date=TODAY,
            new_head=_member(family, "Lê Thị Bình"),
        )  # fmt: skip


def test_death_of_the_last_member_dissolves_the_household(units, users):
    alone = make_household(units.tho_xuan, actor=users.commune_officer, members=[head()])
    member_death_record(actor=users.commune_officer, member=alone.head, death_date=TODAY)
    alone.refresh_from_db()
    assert alone.status == HouseholdStatus.DISSOLVED
    assert events(RegistryEventType.MEMBER_DIED)[-1].changes["new"]["household_status"] == "dissolved"


@pytest.mark.parametrize("day", [FUTURE, date(1970, 1, 1), None])
def test_death_date_in_future_before_birth_or_missing_is_refused(family, users, day):
    before = _snapshot()
    with pytest.raises(ValidationError):
        member_death_record(actor=users.commune_officer, member=_member(family, "Lê Thị Bình"), death_date=day)
    assert _snapshot() == before


def test_death_of_someone_already_dead_is_refused(family, users):
    wife = _member(family, "Lê Thị Bình")
    member_death_record(actor=users.commune_officer, member=wife, death_date=TODAY)
    with pytest.raises(ApplicationError) as excinfo:
        member_death_record(actor=users.commune_officer, member=wife, death_date=TODAY)
    assert excinfo.value.code == "member_not_present"


def test_death_refused_out_of_area(family, users):
    with pytest.raises(PermissionDenied):
        member_death_record(actor=users.commune_officer_dl, member=_member(family, "Lê Thị Bình"), death_date=TODAY)
    assert not events(RegistryEventType.MEMBER_DIED)


# -- marriages ------------------------------------------------------------------------------------


def test_join_by_marriage_of_a_new_person(family, users):
    bride = MemberData(full_name="Trần Thị Dung", sex="female", relation="child_in_law", birth_year=2001)
    person = member_join_by_marriage(actor=users.commune_officer, household=family, data=bride, date=TODAY)
    assert person.household_id == family.pk
    assert events(RegistryEventType.MEMBER_JOINED_BY_MARRIAGE)[-1].target_id == str(person.pk)


def test_join_by_marriage_moves_the_existing_row_and_records_both_households(family, units, users):
    other = make_household(units.tho_xuan, code="H002", village=units.t2, actor=users.commune_officer)
    bride = other.members.exclude(pk=other.head_id).get()
    person = member_join_by_marriage(
        actor=users.commune_officer, household=family, member=bride, relation="child_in_law", date=TODAY
    )
    assert person.pk == bride.pk
    assert (person.household_id, person.relation, person.status) == (family.pk, "child_in_law", "present")
    left = events(RegistryEventType.MEMBER_LEFT_BY_MARRIAGE)[-1]
    joined = events(RegistryEventType.MEMBER_JOINED_BY_MARRIAGE)[-1]
    assert left.unit_path == units.t2.path
    assert joined.unit_path == units.t1.path
    assert joined.changes["old"]["household"] == other.pk
    assert joined.changes["new"]["household"] == family.pk
    # The departure is on the old household's history, the arrival on the new one's.
    assert (left.target_type, left.target_id) == ("registry.household", str(other.pk))
    assert left.changes["member"] == bride.pk
    assert left.changes["new"]["household_code"] == family.code
    assert left in household_history(household=other)
    assert joined in household_history(household=family) and left not in household_history(household=family)


def test_join_by_marriage_of_the_last_member_dissolves_the_old_household(family, units, users):
    other = make_household(
        units.tho_xuan, code="H002", actor=users.commune_officer, members=[head("Lò Thị E", sex="female")]
    )
    member_join_by_marriage(
        actor=users.commune_officer, household=family, member=other.head, relation="child_in_law", date=TODAY
    )
    other.refresh_from_db()
    assert other.status == HouseholdStatus.DISSOLVED


def test_join_by_marriage_across_areas_is_refused(family, units, users):
    far = make_household(units.mdrak, code="D001", actor=users.commune_officer_dl)
    bride = far.members.exclude(pk=far.head_id).get()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        member_join_by_marriage(
            actor=users.commune_officer, household=family, member=bride, relation="child_in_law", date=TODAY
        )
    assert _snapshot() == before


def test_join_by_marriage_needs_exactly_one_person_and_a_relation(family, units, users):
    other = make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    bride = other.members.exclude(pk=other.head_id).get()
    with pytest.raises(ValidationError):
        member_join_by_marriage(actor=users.commune_officer, household=family, date=TODAY)
    with pytest.raises(ValidationError):
        member_join_by_marriage(
            actor=users.commune_officer, household=family, member=bride, relation="head", date=TODAY
        )
    with pytest.raises(ValidationError):
        member_join_by_marriage(
            actor=users.commune_officer, household=family, member=bride, relation="spouse", date=FUTURE
        )
    with pytest.raises(ApplicationError):
        member_join_by_marriage(
            actor=users.commune_officer, household=family, member=_member(family, "Lê Thị Bình"),
            relation="spouse", date=TODAY,
        )  # fmt: skip


def test_leave_by_marriage(family, users):
    son = _member(family, "Nguyễn Văn Cường")
    left = member_leave_by_marriage(actor=users.commune_officer, member=son, date=TODAY, note="Lấy vợ ở Hà Nội")
    assert (left.status, left.left_date) == (MemberStatus.LEFT, TODAY)
    event = events(RegistryEventType.MEMBER_LEFT_BY_MARRIAGE)[-1]
    assert event.changes["new"]["note"] == "Lấy vợ ở Hà Nội"


def test_head_leaves_by_marriage_only_with_a_new_head(family, users):
    before = _snapshot()
    with pytest.raises(ValidationError):
        member_leave_by_marriage(actor=users.commune_officer, member=family.head, date=TODAY)
    assert _snapshot() == before
    son = _member(family, "Nguyễn Văn Cường")
    member_leave_by_marriage(
        actor=users.commune_officer, member=family.head, date=TODAY, new_head=son, old_head_relation="parent"
    )
    family.refresh_from_db()
    assert family.head_id == son.pk


def test_leave_by_marriage_refusals(family, users):
    son = _member(family, "Nguyễn Văn Cường")
    with pytest.raises(ValidationError):
        member_leave_by_marriage(actor=users.commune_officer, member=son, date=FUTURE)
    with pytest.raises(PermissionDenied):
        member_leave_by_marriage(actor=users.village_head, member=son, date=TODAY)
    assert Member.objects.get(pk=son.pk).status == MemberStatus.PRESENT


@pytest.mark.parametrize(
    ("sex", "birth_date", "birth_year", "expected"),
    [
        ("male", date(2006, 5, 11), None, True),  # 20 on 11/5/2026
        ("male", date(2006, 5, 12), None, False),  # one day short
        ("female", date(2008, 5, 11), None, True),  # 18 on 11/5/2026
        ("female", date(2008, 5, 12), None, False),
        ("male", None, 2006, True),  # a year only: not refused on a guess
        ("male", None, 2007, False),
        ("female", None, 2018, False),
    ],
)
def test_legal_age_of_marriage(sex, birth_date, birth_year, expected):
    # Luật Hôn nhân và gia đình 2014, Điều 8: men from 20 full years, women from 18.
    assert of_marriage_age(sex=sex, birth_date=birth_date, birth_year=birth_year, on=date(2026, 5, 11)) is expected


def test_a_child_cannot_leave_or_join_by_marriage(family, units, users):
    child = member_birth_record(
        actor=users.commune_officer, household=family, data=baby(full_name="Nguyễn Thị Bé", sex="female",
        birth_date=TODAY - timedelta(days=8 * 365)),
    )  # fmt: skip
    before = _snapshot()
    with pytest.raises(ApplicationError) as info:
        member_leave_by_marriage(actor=users.commune_officer, member=child, date=TODAY)
    assert info.value.code == "under_marriage_age"
    assert _snapshot() == before
    other = make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    before = _snapshot()
    with pytest.raises(ApplicationError):
        member_join_by_marriage(actor=users.commune_officer, household=other, member=child, relation="spouse",
                                date=TODAY)  # fmt: skip
    young = MemberData(full_name="Trần Văn Trẻ", sex="male", relation="child_in_law",
                       birth_date=TODAY - timedelta(days=19 * 365))  # fmt: skip
    with pytest.raises(ApplicationError):
        member_join_by_marriage(actor=users.commune_officer, household=family, data=young, date=TODAY)
    assert _snapshot() == before


# -- split and merge ------------------------------------------------------------------------------


def test_split_moves_rows_to_a_new_household(family, units, users):
    son = _member(family, "Nguyễn Văn Cường")
    wife = _member(family, "Lê Thị Bình")
    new = household_split(
        actor=users.commune_officer, household=family, members=[son], new_code="H001-T", new_head=son,
        village=units.t2,
    )  # fmt: skip
    son.refresh_from_db()
    assert son.household_id == new.pk
    assert (new.head_id, new.commune_id, new.unit_path) == (son.pk, units.tho_xuan.pk, units.t2.path)
    assert son.relation == "head"
    assert Member.objects.get(pk=wife.pk).household_id == family.pk
    split_events = events(RegistryEventType.HOUSEHOLD_SPLIT)
    assert {e.target_id for e in split_events} == {str(family.pk), str(new.pk)}


def test_split_with_several_members_needs_their_relations(family, users):
    son = _member(family, "Nguyễn Văn Cường")
    wife = _member(family, "Lê Thị Bình")
    kwargs = {"actor": users.commune_officer, "household": family, "members": [son, wife], "new_code": "H9"}
    with pytest.raises(ValidationError) as excinfo:
        household_split(**kwargs, new_head=son)
    assert f"relation_{wife.pk}" in excinfo.value.message_dict
    new = household_split(**kwargs, new_head=son, relations={wife.pk: "parent"})
    assert Member.objects.get(pk=wife.pk).relation == "parent"
    assert new.members.count() == 2


@pytest.mark.parametrize("case", ["head_leaves", "nobody_stays", "head_not_moving", "code_taken", "empty"])
def test_split_refusals_write_nothing(family, units, users, case):
    make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    son, wife = _member(family, "Nguyễn Văn Cường"), _member(family, "Lê Thị Bình")
    members, new_head, code = {
        "head_leaves": ([family.head], family.head, "H9"),
        "nobody_stays": ([family.head, son, wife], son, "H9"),
        "head_not_moving": ([son], wife, "H9"),
        "code_taken": ([son], son, "H002"),
        "empty": ([], son, "H9"),
    }[case]
    before = _snapshot()
    with pytest.raises((ValidationError, ApplicationError)):
        household_split(
            actor=users.commune_officer, household=family, members=members, new_code=code, new_head=new_head,
            relations={m.pk: "child" for m in members},
        )  # fmt: skip
    assert _snapshot() == before


def test_split_refuses_a_child_as_the_new_head(units, users):
    """Luật Cư trú 2020, Điều 25: the head of a split household has full civil capacity (18)."""
    today = timezone.localdate()
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    eighteen_tomorrow = date(today.year - 18, today.month, day) + timedelta(days=1)
    household = make_household(units.tho_xuan, actor=users.commune_officer, members=[
        head(), member(),
        member("Nguyễn Văn Dũng", sex="male", relation="child", birth_year=None, birth_date=eighteen_tomorrow),
        member("Nguyễn Thị Én", relation="child", birth_year=None, birth_date=eighteen_tomorrow - timedelta(days=1)),
    ])  # fmt: skip
    child, adult = _member(household, "Nguyễn Văn Dũng"), _member(household, "Nguyễn Thị Én")
    before = _snapshot()
    with pytest.raises(ValidationError) as excinfo:
        household_split(
            actor=users.commune_officer, household=household, members=[child, adult], new_code="H9", new_head=child,
            relations={adult.pk: "sibling"},
        )  # fmt: skip
    assert excinfo.value.message_dict == {
        "new_head": ["Nguyễn Văn Dũng chưa đủ 18 tuổi: chủ hộ tách ra phải là người có năng lực hành vi dân sự đầy đủ."]
    }
    assert _snapshot() == before
    new = household_split(
        actor=users.commune_officer, household=household, members=[child, adult], new_code="H9", new_head=adult,
        relations={child.pk: "sibling"},
    )  # fmt: skip
    assert new.head_id == adult.pk


def test_split_reports_every_refusal_at_once(family, units, users):
    make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    son, wife = _member(family, "Nguyễn Văn Cường"), _member(family, "Lê Thị Bình")
    with pytest.raises(ValidationError) as excinfo:
        household_split(actor=users.commune_officer, household=family, members=[son, wife], new_code="H002",
                        new_head=son)  # fmt: skip
    assert set(excinfo.value.message_dict) == {"new_code", f"relation_{wife.pk}"}
    with pytest.raises(ValidationError) as excinfo:
        household_split(actor=users.commune_officer, household=family, members=[son], new_code="H002",
                        new_head=wife)  # fmt: skip
    assert set(excinfo.value.message_dict) == {"new_code", "new_head"}
    # A taken code alone keeps its error code (the API answers with it).
    with pytest.raises(ApplicationError) as excinfo:
        household_split(actor=users.commune_officer, household=family, members=[son], new_code="H002",
                        new_head=son)  # fmt: skip
    assert excinfo.value.code == "household_code_taken"


def test_split_refused_for_another_commune_village(family, units, users):
    son = _member(family, "Nguyễn Văn Cường")
    with pytest.raises(ValidationError):
        household_split(
            actor=users.commune_officer, household=family, members=[son], new_code="H9", new_head=son,
            village=units.b1,
        )  # fmt: skip


def test_merge_moves_present_members_and_closes_the_source(family, units, users):
    source = make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    moving = list(source.members.all())
    household_merge(
        actor=users.commune_officer, source=source, target=family, relations={m.pk: "other_relative" for m in moving}
    )
    source.refresh_from_db()
    assert source.status == HouseholdStatus.MERGED
    assert set(family.members.values_list("pk", flat=True)) >= {m.pk for m in moving}
    assert Member.objects.filter(pk__in=[m.pk for m in moving], relation="other_relative").count() == 2
    assert len(events(RegistryEventType.HOUSEHOLD_MERGED)) == 2


def test_merge_refusals_write_nothing(family, units, users):
    # No role manages two communes, so the cross-commune rule is checked as the system (actor None).
    other_commune = make_household(units.hac_thanh, code="P001", actor=None)
    same_commune = make_household(units.tho_xuan, code="H002", actor=users.commune_officer)
    relations = {m.pk: "sibling" for m in Member.objects.all()}
    before = _snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        household_merge(actor=None, source=other_commune, target=family, relations=relations)
    assert excinfo.value.code == "merge_across_communes"
    with pytest.raises(PermissionDenied):  # an officer of one commune cannot reach the other
        household_merge(actor=users.commune_officer, source=other_commune, target=family, relations=relations)
    with pytest.raises(ValidationError):
        household_merge(actor=users.commune_officer, source=family, target=family, relations=relations)
    with pytest.raises(ValidationError):  # every moving member needs a relation other than "head"
        household_merge(
            actor=users.commune_officer, source=same_commune, target=family,
            relations={same_commune.head_id: "head"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        household_merge(actor=users.village_head, source=same_commune, target=family, relations=relations)
    assert _snapshot() == before


# -- change of village and moves between communes ------------------------------------------------


def test_change_village_within_the_commune(family, units, users):
    moved = household_village_change(actor=users.commune_officer, household=family, village=units.t2)
    assert (moved.village_id, moved.unit_path) == (units.t2.pk, units.t2.path)
    assert events(RegistryEventType.HOUSEHOLD_UPDATED)[-1].changes["new"] == {"village_id": units.t2.pk}
    with pytest.raises(ValidationError):
        household_village_change(actor=users.commune_officer, household=family, village=units.t2)
    with pytest.raises(ValidationError):
        household_village_change(actor=users.commune_officer, household=family, village=units.b1)


def _request(family, users, units, **extra):
    values = {"to_commune": units.mdrak, "move_date": TODAY, "reason": "Theo con lên Tây Nguyên"}
    return household_move_request(actor=users.commune_officer, household=family, **{**values, **extra})


def test_move_request_is_recorded_on_both_communes(family, units, users):
    move = _request(family, users, units, to_village=units.b1)
    assert (move.status, move.unit_path, move.to_unit_path) == ("requested", units.t1.path, units.b1.path)
    paths = {e.unit_path for e in events(RegistryEventType.HOUSEHOLD_MOVE_REQUESTED)}
    assert paths == {units.t1.path, units.b1.path}
    assert HouseholdMove.objects.visible_to(users.commune_officer_dl).get() == move


def test_second_open_move_is_refused(family, units, users):
    _request(family, users, units)
    with pytest.raises(ApplicationError) as excinfo:
        _request(family, users, units, to_commune=units.hac_thanh)
    assert excinfo.value.code == "move_already_open"
    assert HouseholdMove.objects.count() == 1


@pytest.mark.parametrize("where", ["own_commune", "village", "foreign_village"])
def test_move_request_refuses_a_bad_destination(family, units, users, where):
    destination = {"own_commune": {"to_commune": units.tho_xuan}, "village": {"to_commune": units.b1},
                   "foreign_village": {"to_village": units.t2}}[where]  # fmt: skip
    with pytest.raises(ValidationError):
        _request(family, users, units, **destination)
    assert not HouseholdMove.objects.exists()


def test_move_request_refused_out_of_area(family, units, users):
    with pytest.raises(PermissionDenied):
        household_move_request(
            actor=users.commune_officer_dl, household=family, to_commune=units.mdrak, move_date=TODAY
        )


def test_move_accept_registers_the_household_in_the_receiving_commune(family, units, users):
    wife = _member(family, "Lê Thị Bình")
    member_death_record(actor=users.commune_officer, member=wife, death_date=TODAY)
    move = _request(family, users, units)
    accepted = household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D100", village=units.b1)
    assert accepted.status == MoveStatus.ACCEPTED
    assert accepted.decided_by == users.commune_officer_dl
    new = accepted.new_household
    assert (new.commune_id, new.code, new.unit_path, new.area_type) == (units.mdrak.pk, "D100", units.b1.path, "rural")
    assert new.head.full_name == "Nguyễn Văn An"
    family.refresh_from_db()
    assert family.status == HouseholdStatus.MOVED_OUT
    # Living members moved with their rows; the deceased stays in the old household's history.
    assert sorted(new.members.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Nguyễn Văn Cường"]
    assert Member.objects.get(pk=wife.pk).household_id == family.pk
    assert {e.unit_path for e in events(RegistryEventType.HOUSEHOLD_MOVE_ACCEPTED)} == {units.t1.path, units.b1.path}
    assert Household.objects.visible_to(users.commune_officer_dl).filter(pk=new.pk).exists()
    assert not Household.objects.visible_to(users.commune_officer).filter(pk=new.pk).exists()


def test_move_accept_by_the_sending_commune_is_refused(family, units, users):
    move = _request(family, users, units)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        household_move_accept(actor=users.commune_officer, move=move, new_code="D100")
    with pytest.raises(PermissionDenied):
        household_move_refuse(actor=users.commune_officer, move=move, note="Không")
    with pytest.raises(PermissionDenied):
        household_move_cancel(actor=users.commune_officer_dl, move=move)
    assert _snapshot() == before


def test_move_accept_with_a_taken_code_is_refused(family, units, users):
    make_household(units.mdrak, code="D100", actor=users.commune_officer_dl)
    move = _request(family, users, units)
    before = _snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D100")
    assert excinfo.value.code == "household_code_taken"
    assert _snapshot() == before


def test_move_refuse_needs_a_reason_and_is_recorded(family, units, users):
    move = _request(family, users, units)
    with pytest.raises(ValidationError):
        household_move_refuse(actor=users.commune_officer_dl, move=move, note=" ")
    refused = household_move_refuse(actor=users.commune_officer_dl, move=move, note="Chưa có nơi ở")
    assert (refused.status, refused.decision_note) == (MoveStatus.REFUSED, "Chưa có nơi ở")
    assert len(events(RegistryEventType.HOUSEHOLD_MOVE_REFUSED)) == 2
    family.refresh_from_db()
    assert family.status == HouseholdStatus.ACTIVE
    _request(family, users, units)  # a refused request no longer blocks a new one


def test_move_cancel_by_the_sender(family, units, users):
    move = _request(family, users, units)
    cancelled = household_move_cancel(actor=users.commune_officer, move=move, note="Gia đình đổi ý")
    assert cancelled.status == MoveStatus.CANCELLED
    assert len(events(RegistryEventType.HOUSEHOLD_MOVE_CANCELLED)) == 2


@pytest.mark.parametrize("first", ["accept", "refuse", "cancel"])
def test_transitions_outside_the_map_are_refused(family, units, users, first):
    move = _request(family, users, units)
    steps = {
        "accept": lambda: household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D1"),
        "refuse": lambda: household_move_refuse(actor=users.commune_officer_dl, move=move, note="Không"),
        "cancel": lambda: household_move_cancel(actor=users.commune_officer, move=move),
    }
    steps[first]()
    before = _snapshot()
    for name, step in steps.items():
        with pytest.raises(ApplicationError) as excinfo:
            step()
        assert excinfo.value.code == "move_transition_refused", name
    assert _snapshot() == before


def test_life_events_are_refused_on_a_household_that_moved_out(family, units, users):
    move = _request(family, users, units)
    household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D1")
    with pytest.raises(ApplicationError) as excinfo:
        member_birth_record(actor=users.commune_officer, household=family, data=baby())
    assert excinfo.value.code == "household_not_active"
