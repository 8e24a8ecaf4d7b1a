from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.registry.choices import DuplicateKind, MemberStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import DuplicatePair, Household, IdentityOverride, Member
from ansinh.registry.services import (
    HouseholdData,
    MemberData,
    household_register_refusals,
    household_update,
    household_update_refusals,
    member_add,
    member_update,
)
from ansinh.registry.services_life import household_move_request, member_death_record

from .factories import head, make_household, member


def test_register_creates_household_members_head_and_audit_event(users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer, housing_area_m2="24.5")
    assert household.head.full_name == "Nguyễn Văn An"
    assert household.head_name == "Nguyễn Văn An"
    assert household.unit_path == units.t1.path
    assert household.area_type == "rural"  # from the commune
    assert household.members.count() == 2
    event = AuditEvent.objects.get(event_type=RegistryEventType.HOUSEHOLD_REGISTERED, target_id=str(household.pk))
    assert event.actor == users.commune_officer
    assert event.unit_path == units.t1.path


def test_register_refused_outside_the_area_writes_nothing(users, units):
    with pytest.raises(PermissionDenied):
        make_household(units.mdrak, actor=users.commune_officer)
    assert not Household.objects.exists()
    assert not Member.objects.exists()


def test_register_refuses_a_village_of_another_commune(users, units):
    with pytest.raises(ValidationError):
        make_household(units.tho_xuan, village=units.b1, actor=users.commune_officer)


def test_register_needs_exactly_one_head(users, units):
    with pytest.raises(ValidationError):
        make_household(units.tho_xuan, actor=users.commune_officer, members=[member(), member("Lê Văn C", sex="male")])


def test_member_errors_are_keyed_by_row_and_nothing_is_written(users, units):
    future = MemberData(full_name="Trần Văn D", sex="male", relation="child", birth_date=date(2999, 1, 1))
    bad_id = member("Phạm Thị E", id_number="038085000123")  # 0 = male, but she is female
    with pytest.raises(ValidationError) as excinfo:
        make_household(units.tho_xuan, actor=users.commune_officer, members=[head(), future, bad_id])
    assert set(excinfo.value.message_dict) == {"members.1.birth_date", "members.2.id_number"}
    assert not Household.objects.exists()


def test_registration_reports_household_and_member_refusals_together(users, units):
    """A bad village, a negative area, two heads and a future birth: one refusal naming all of them."""
    future = MemberData(full_name="Trần Văn D", sex="male", relation="head", birth_date=date(2999, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        make_household(units.tho_xuan, village=units.b1, actor=users.commune_officer, housing_area_m2="-3",
                       members=[head(), future])  # fmt: skip
    assert set(excinfo.value.message_dict) == {"village", "housing_area_m2", "members", "members.1.birth_date"}
    assert not Household.objects.exists()


def test_register_refusals_name_every_rule_and_the_code_in_use_without_writing(users, units):
    make_household(units.tho_xuan, code="R1", actor=users.commune_officer)
    future = MemberData(full_name="Trần Văn D", sex="male", relation="child", birth_date=date(2999, 1, 1))
    data = HouseholdData(code="R1", village=units.b1, facts={"housing_area_m2": -3})
    refusals = household_register_refusals(commune=units.tho_xuan, data=data, members=[head(), future])
    assert set(refusals) == {"code", "village", "housing_area_m2", "members.1.birth_date"}
    assert refusals["code"] == ["Mã hộ R1 đã có ở Xã Thọ Xuân."]
    assert Household.objects.count() == 1
    assert household_register_refusals(commune=units.tho_xuan, data=HouseholdData(code="R2"), members=[head()]) == {}
    assert Household.objects.count() == 1


def test_an_unknown_ethnicity_of_the_head_is_said_once(users, units):
    with pytest.raises(ValidationError) as excinfo:
        make_household(units.tho_xuan, actor=users.commune_officer, ethnicity_code="99",
                       members=[head(ethnicity_code="99"), member()])  # fmt: skip
    assert excinfo.value.message_dict == {"members.0.ethnicity": ["Mã dân tộc “99” không có trong danh mục."]}


def test_death_before_birth_is_refused(users, units):
    dead = MemberData(full_name="Hà Văn F", sex="male", relation="parent", birth_date=date(1950, 1, 1),
                      death_date=date(1940, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError):
        make_household(units.tho_xuan, actor=users.commune_officer, members=[head(), dead])


def test_negative_housing_area_is_refused(users, units):
    with pytest.raises(ValidationError):
        make_household(units.tho_xuan, actor=users.commune_officer, housing_area_m2="-3")


def test_duplicate_code_in_commune_is_refused(users, units):
    make_household(units.tho_xuan, actor=users.commune_officer)
    with pytest.raises(ApplicationError) as excinfo:
        make_household(units.tho_xuan, actor=users.commune_officer)
    assert excinfo.value.code == "household_code_taken"
    assert excinfo.value.details == {"field": "code"}


def test_same_cccd_in_two_living_members_is_blocked_unless_confirmed(users, units):
    number = "038075000111"
    make_household(units.tho_xuan, actor=users.commune_officer, members=[head(id_number=number)])
    with pytest.raises(ApplicationError) as excinfo:
        make_household(units.tho_xuan, code="H002", actor=users.commune_officer, members=[head(id_number=number)])
    assert excinfo.value.code == "id_duplicate"
    assert Household.objects.count() == 1
    make_household(
        units.tho_xuan, code="H002", actor=users.commune_officer,
        members=[head(id_number=number, id_duplicate_reason="Cùng người, đăng ký lại sau khi chuyển hộ")],
    )  # fmt: skip
    assert IdentityOverride.objects.get().id_number == number
    # Accepted with a reason, the pair is in the duplicates queue at once (no scan needed).
    pair = DuplicatePair.objects.get(kind=DuplicateKind.ID_NUMBER)
    assert {pair.member_a.id_number, pair.member_b.id_number} == {number}


def test_duplicate_cccd_refusal_names_the_number_and_field(users, units):
    number = "038075000111"
    make_household(units.tho_xuan, actor=users.commune_officer, members=[head(id_number=number)])
    with pytest.raises(ApplicationError) as excinfo:
        make_household(units.tho_xuan, code="H002", actor=users.commune_officer, members=[head(id_number=number)])
    assert excinfo.value.details["field"] == "id_number"
    assert excinfo.value.details["id_number"] == number


def test_update_with_a_stale_version_is_refused(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    data = HouseholdData(code="H001", facts={"phone": "0912345678"})
    household_update(actor=users.commune_officer, household=household, expected_version=1, data=data)
    with pytest.raises(ApplicationError) as excinfo:
        household_update(actor=users.commune_officer, household=household, expected_version=1, data=data)
    assert excinfo.value.code == "stale_version"


def test_update_records_old_and_new(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    household_update(
        actor=users.commune_officer, household=household, expected_version=1,
        data=HouseholdData(code="H001", facts={"phone": "0912345678"}),
    )  # fmt: skip
    event = AuditEvent.objects.get(event_type=RegistryEventType.HOUSEHOLD_UPDATED)
    assert event.changes == {"old": {"phone": ""}, "new": {"phone": "0912345678"}}


def test_update_reports_every_refusal_at_once_and_writes_nothing(users, units):
    """A village of another commune, a negative area, a code in use and an unknown ethnicity: one refusal."""
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    make_household(units.tho_xuan, code="TAKEN", actor=users.commune_officer)
    data = HouseholdData(code="TAKEN", village=units.b1, ethnicity_code="99", facts={"housing_area_m2": -2})
    with pytest.raises(ValidationError) as excinfo:
        household_update(actor=users.commune_officer, household=household, expected_version=1, data=data)
    assert set(excinfo.value.message_dict) == {"village", "housing_area_m2", "code", "ethnicity"}
    assert excinfo.value.message_dict["code"] == ["Mã hộ TAKEN đã có trong xã."]
    assert household_update_refusals(household=household, data=data) == excinfo.value.message_dict
    household.refresh_from_db()
    assert (household.code, household.version) == ("H001", 1)
    assert not AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_UPDATED).exists()


def test_update_with_only_a_code_in_use_keeps_its_error_code(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    make_household(units.tho_xuan, code="TAKEN", actor=users.commune_officer)
    with pytest.raises(ApplicationError) as excinfo:
        household_update(actor=users.commune_officer, household=household, expected_version=1,
                         data=HouseholdData(code="TAKEN"))  # fmt: skip
    assert (excinfo.value.code, excinfo.value.details) == ("household_code_taken", {"field": "code"})
    assert household_update_refusals(household=household, data=HouseholdData(code="H001")) == {}


def test_member_add_and_update(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    child = member_add(actor=users.commune_officer, household=household,
                       data=member("Nguyễn Văn Gia", sex="male", relation="child", birth_year=2010))  # fmt: skip
    assert child.order == 3
    updated = member_update(actor=users.commune_officer, member=child,
                            data=member("Nguyễn Văn Gia", sex="male", relation="child", birth_year=2010,
                                        schooling="lower_secondary"))  # fmt: skip
    assert updated.schooling == "lower_secondary"
    assert Household.objects.get(pk=household.pk).version == 3


def test_legacy_commune_household_is_scoped_through_its_successor(users, units):
    household = make_household(units.xuan_hong, actor=None)  # system import into a legacy commune
    assert Household.objects.visible_to(users.commune_officer).filter(pk=household.pk).exists()
    assert not Household.objects.visible_to(users.commune_officer_dl).filter(pk=household.pk).exists()


def test_member_update_keeps_a_recorded_death(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    spouse = household.members.get(relation="spouse")
    member_death_record(actor=users.commune_officer, member=spouse, death_date=date(2024, 5, 1))
    updated = member_update(
        actor=users.commune_officer, member=spouse, data=member(schooling="primary")
    )  # the edit form sends no death date
    assert updated.death_date == date(2024, 5, 1)
    assert updated.status == MemberStatus.DEAD


def test_village_change_is_refused_while_a_move_is_open(users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    household_move_request(
        actor=users.commune_officer, household=household, to_commune=units.hac_thanh, move_date=date(2026, 1, 5)
    )
    household.refresh_from_db()
    with pytest.raises(ApplicationError) as excinfo:
        household_update(
            actor=users.commune_officer, household=household, expected_version=household.version,
            data=HouseholdData(code="H001", village=units.t2),
        )  # fmt: skip
    assert excinfo.value.code == "move_open"
    assert Household.objects.get(pk=household.pk).village == units.t1
    with pytest.raises(ValidationError) as excinfo:  # with another refusal: both said, on their fields
        household_update(
            actor=users.commune_officer, household=household, expected_version=household.version,
            data=HouseholdData(code="H001", village=units.t2, facts={"housing_area_m2": -1}),
        )  # fmt: skip
    assert set(excinfo.value.message_dict) == {"village", "housing_area_m2"}
    # Other facts can still be corrected while the receiving commune decides.
    household_update(
        actor=users.commune_officer, household=household, expected_version=household.version,
        data=HouseholdData(code="H001", village=units.t1, facts={"phone": "0912345678"}),
    )  # fmt: skip
    assert Household.objects.get(pk=household.pk).phone == "0912345678"
