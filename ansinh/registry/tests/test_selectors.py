"""Household reads: area scope, legacy communes, accent-insensitive search, Vietnamese order, history."""

import pytest
from django.http import Http404

from ansinh.core.exceptions import ApplicationError
from ansinh.registry import selectors
from ansinh.registry.events import RegistryEventType
from ansinh.registry.services import HouseholdData, household_update, member_update
from ansinh.registry.services_identity import member_identity_reveal

from .factories import head, make_household, member


def _codes(queryset) -> list[str]:
    return [h.code for h in queryset]


def test_an_officer_of_dak_lak_never_sees_thanh_hoa_households(users, units):
    make_household(units.tho_xuan, code="TH1")
    make_household(units.mdrak, code="DL1")
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer_dl)) == ["DL1"]
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer)) == ["TH1"]
    assert _codes(selectors.household_list_visible_to(user=users.no_role)) == []
    th1 = selectors.household_list_visible_to(user=users.commune_officer).get()
    with pytest.raises(Http404):
        selectors.household_get_visible(user=users.commune_officer_dl, pk=th1.pk)


def test_legacy_households_are_seen_through_the_successor_commune(users, units):
    make_household(units.xuan_hong, code="OLD1")
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer)) == ["OLD1"]
    # Filtering on the successor commune also finds the households of the communes it continues.
    found = selectors.household_list_visible_to(user=users.commune_officer, filters={"commune": units.tho_xuan.pk})
    assert _codes(found) == ["OLD1"]
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer_dl)) == []


def test_search_ignores_accents_and_finds_each_household_once(users, units):
    make_household(units.tho_xuan, code="A1", members=[head("Nguyễn Văn An"), member("Nguyễn Thị An")])
    make_household(units.tho_xuan, code="B1", members=[head("Trần Văn Bảo")])
    found = selectors.household_list_visible_to(user=users.commune_officer, filters={"q": "nguyen"})
    assert _codes(found) == ["A1"]  # two members match, the household is listed once
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer, filters={"q": "TRAN VAN BAO"}))
    assert _codes(selectors.household_list_visible_to(user=users.commune_officer, filters={"q": "b1"})) == ["B1"]


def test_search_by_identity_number_as_typed(users, units):
    make_household(units.tho_xuan, code="C1", members=[head("Lê Văn Cường", id_number="038075000123")])
    make_household(units.tho_xuan, code="C2", members=[head("Lê Văn Cần")])
    for typed in ("038075000123", "038 075 000 123", "038.075.000.123"):
        found = selectors.household_list_visible_to(user=users.commune_officer, filters={"q": typed})
        assert _codes(found) == ["C1"], typed
    # Part of a number is not a match: the number identifies a person, it is not searched by prefix.
    assert not selectors.household_list_visible_to(user=users.commune_officer, filters={"q": "038075"}).exists()


def test_default_order_is_vietnamese_alphabetical_by_given_name(users, units):
    for code, name in [("1", "Lê Văn Ân"), ("2", "Lê Văn Anh"), ("3", "Phạm Văn Đức"), ("4", "Phạm Văn Dung")]:
        make_household(units.tho_xuan, code=code, members=[head(name)])
    names = [h.head_name for h in selectors.household_list_visible_to(user=users.commune_officer)]
    assert names == ["Lê Văn Anh", "Lê Văn Ân", "Phạm Văn Dung", "Phạm Văn Đức"]


def test_filters_by_village_flags_area_type_and_counts_present_members(users, units):
    make_household(units.tho_xuan, village=units.t1, code="V1", lone_household=True)
    make_household(units.tho_xuan, village=units.t2, code="V2", members=[head()])
    user = users.commune_officer
    assert _codes(selectors.household_list_visible_to(user=user, filters={"village": units.t2.pk})) == ["V2"]
    assert _codes(selectors.household_list_visible_to(user=user, filters={"lone_household": True})) == ["V1"]
    assert _codes(selectors.household_list_visible_to(user=user, filters={"lone_household": False})) == ["V2"]
    assert _codes(selectors.household_list_visible_to(user=user, filters={"area_type": "urban"})) == []
    counts = {h.code: h.members_count for h in selectors.household_list_visible_to(user=user)}
    assert counts == {"V1": 2, "V2": 1}


def test_history_is_the_audit_of_the_household_and_its_members_newest_first(users, units):
    officer = users.commune_officer
    household = make_household(units.tho_xuan, code="H1", actor=officer, members=[head(id_number="038075000123")])
    other = make_household(units.tho_xuan, code="H2", actor=officer)
    household_update(
        actor=officer, household=household, expected_version=1, data=HouseholdData(code="H1", facts={"phone": "0912"})
    )
    head_member = household.head
    member_update(actor=officer, member=head_member, data=head(id_number="038075000123", labour_status="self_employed"))
    member_identity_reveal(actor=officer, member=head_member)
    events = list(selectors.household_history(household=household))
    assert [e.event_type for e in events] == [
        RegistryEventType.FULL_IDENTITY_VIEWED,
        RegistryEventType.MEMBER_UPDATED,
        RegistryEventType.HOUSEHOLD_UPDATED,
        RegistryEventType.HOUSEHOLD_REGISTERED,
    ]
    assert events[2].changes == {"old": {"phone": ""}, "new": {"phone": "0912"}}
    assert all(e.target_id != str(other.pk) for e in events)


def test_reveal_refuses_a_member_without_a_number(users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    with pytest.raises(ApplicationError):
        member_identity_reveal(actor=users.commune_officer, member=household.head)


def test_village_filter_offers_all_villages_of_a_small_area_and_only_the_chosen_communes_of_a_large_one(
    users, units, monkeypatch
):
    officer = users.province_officer
    everything = list(selectors.villages_for_filter(user=officer))
    assert {units.t1, units.t2} <= set(everything)
    assert units.b1 not in everything  # Đắk Lắk is outside Thanh Hóa
    monkeypatch.setattr(selectors, "VILLAGE_FILTER_MAX", len(everything) - 1)
    assert list(selectors.villages_for_filter(user=officer)) == []  # too many: pick a commune first
    chosen = list(selectors.villages_for_filter(user=officer, commune_id=units.tho_xuan.pk))
    assert chosen and all(v.parent_id == units.tho_xuan.pk for v in chosen)
    # A link naming only a village still validates: the villages of its commune are offered.
    assert set(selectors.villages_for_filter(user=officer, village_id=units.t1.pk)) == set(chosen)
    # Another province's commune gives nothing, whatever the id says.
    assert list(selectors.villages_for_filter(user=officer, commune_id=units.mdrak.pk)) == []


def test_commune_filter_offers_todays_communes_first_then_the_legacy_ones_of_the_area(users, units):
    communes = list(selectors.communes_for_filter(user=users.province_officer))
    assert set(communes) == {units.tho_xuan, units.hac_thanh, units.xuan_hong}  # not Đắk Lắk's
    assert communes[-1] == units.xuan_hong  # the legacy commune comes after today's
    assert list(selectors.communes_for_filter(user=users.commune_officer)) == [units.tho_xuan, units.xuan_hong]
