"""Household reads: area scope, legacy communes, accent-insensitive search, code and CCCD prefixes,
Vietnamese order, history."""

import re
from datetime import date

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
    # Fewer than 6 digits are not a number search (they would match thousands of people).
    assert not selectors.household_list_visible_to(user=users.commune_officer, filters={"q": "03807"}).exists()


def _search(user, text) -> list[str]:
    return sorted(_codes(selectors.household_list_visible_to(user=user, filters={"q": text})))


def test_search_finds_codes_by_their_start_in_any_case(users, units):
    make_household(units.tho_xuan, code="HG001234", members=[head("Lê Văn Cường")])
    make_household(units.tho_xuan, code="HG001299", members=[head("Lê Văn Cần")])
    make_household(units.tho_xuan, code="HG002001", members=[head("Lê Văn Cẩn")])
    make_household(units.tho_xuan, code="XHG0012", members=[head("Lê Văn Công")])  # holds it, does not start so
    officer = users.commune_officer
    for typed in ("HG0012", "hg0012", "Hg0012", " hg0012 "):
        assert _search(officer, typed) == ["HG001234", "HG001299"], typed
    assert _search(officer, "hg") == []  # under 3 characters: a whole code only
    assert _search(officer, "HG00") == ["HG001234", "HG001299", "HG002001"]
    assert _search(officer, "hg001234") == ["HG001234"]  # the whole code, as before
    assert _search(officer, "HG 0012") == []  # a space: not a code, so no prefix


def test_short_text_matches_a_whole_code_only(users, units):
    # Names without "a" or "b": the name search would find them.
    make_household(units.tho_xuan, code="A1", members=[head("Lê Thị Hồng", sex="female")])
    make_household(units.tho_xuan, code="AB1", members=[head("Lò Thị Hương", sex="female")])
    make_household(units.tho_xuan, code="AB12", members=[head("Hồ Thị Nhung", sex="female")])
    officer = users.commune_officer
    assert _search(officer, "a") == []
    assert _search(officer, "ab") == []
    assert _search(officer, "a1") == ["A1"]
    assert _search(officer, "ab1") == ["AB1", "AB12"]
    assert _search(officer, "AB12") == ["AB12"]


def test_like_wildcards_typed_in_the_search_are_literal(users, units):
    make_household(units.tho_xuan, code="HG_001", members=[head("Lê Văn Cường")])
    make_household(units.tho_xuan, code="HGX001", members=[head("Lê Văn Cần")])
    make_household(units.tho_xuan, code="HG%01", members=[head("Lê Văn Cẩn")])
    officer = users.commune_officer
    assert _search(officer, "hg_") == ["HG_001"]  # not HGX001
    assert _search(officer, "___") == []
    assert _search(officer, "%") == []
    assert _search(officer, "hg%") == []  # "%" is not a code character: a whole code only
    assert _search(officer, "hg%01") == ["HG%01"]


def test_search_by_the_first_six_or_more_digits_of_a_cccd(users, units):
    make_household(units.tho_xuan, code="C1", members=[head("Lê Văn Cường", id_number="038075000123")])
    make_household(units.tho_xuan, code="C2", members=[head("Lê Văn Cần", id_number="038075999888")])
    make_household(units.tho_xuan, code="C3", members=[head("Lê Văn Cẩn", id_number="038080000456",
                                                             birth_date=date(1980, 5, 1))])  # fmt: skip
    make_household(units.tho_xuan, code="M1", members=[head("Lê Văn Công", id_number="123456789")])  # a CMND
    officer = users.commune_officer
    assert _search(officer, "038075") == ["C1", "C2"]
    assert _search(officer, "038 075 000") == ["C1"]
    assert _search(officer, "038.075.00") == ["C1"]
    assert _search(officer, "0380-8") == []  # 5 digits
    assert _search(officer, "03807") == []
    assert _search(officer, "038075000123") == ["C1"]  # the whole CCCD, as before
    assert _search(officer, "038080000456") == ["C3"]
    assert _search(officer, "123456789") == ["M1"]  # the whole CMND, as before
    assert _search(officer, "123 456") == ["M1"]
    assert _search(officer, "12345") == []


def test_prefix_search_never_reaches_outside_the_area(users, units):
    make_household(units.tho_xuan, code="HG001234", members=[head("Lê Văn Cường", id_number="038075000123")])
    make_household(units.mdrak, code="HG001277", members=[head("Y Bhim Niê", id_number="038075777777")])
    assert _search(users.commune_officer, "hg0012") == ["HG001234"]
    assert _search(users.commune_officer, "038075") == ["HG001234"]
    assert _search(users.commune_officer_dl, "hg0012") == ["HG001277"]
    assert _search(users.commune_officer_dl, "038 075") == ["HG001277"]
    assert _search(users.no_role, "hg0012") == []
    assert _search(users.no_role, "038075") == []


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


SEARCHES = ("hg0", "HG00", "hg0012", "hg001234", "nguyen", "nguyen van an", "038075", "038075000123", "xhg", "b1", "le")


def _found(user, text) -> tuple[list[str], int]:
    queryset = selectors.household_list_visible_to(user=user, filters={"q": text})
    return _codes(queryset), queryset.count()


def test_search_finds_the_same_households_in_the_same_order_in_each_of_its_forms(users, units, settings, monkeypatch):
    """`households_search` reads few matches by id, a code prefix most codes share on the households
    themselves, other many matches through a subquery: one set of households, one order, one count."""
    for i, (name, number) in enumerate([("Nguyễn Văn An", "038075000123"), ("Nguyễn Văn Anh", ""),
                                         ("Trần Thị Bình", "038075999888"), ("Lê Văn Cường", "")]):  # fmt: skip
        make_household(units.tho_xuan, code=f"HG00{i}234", members=[head(name, id_number=number)])
    make_household(units.tho_xuan, code="XHG0012", members=[head("Lê Thị Hoa", sex="female")])
    make_household(units.tho_xuan, code="B1", members=[head("Nguyễn Văn An")])
    make_household(units.mdrak, code="HG009999", members=[head("Nguyễn Văn An", id_number="038075777777")])
    officer = users.commune_officer
    expected = {text: _found(officer, text) for text in SEARCHES}
    assert expected["hg0"][0] == ["HG000234", "HG001234", "HG002234", "HG003234"]  # An, Anh, Bình, Cường
    assert expected["nguyen van an"][0] == ["B1", "HG000234", "HG001234"]  # same head name: by code
    assert expected["038075"][0] == ["HG000234", "HG002234"]
    assert expected["xhg"][0] == ["XHG0012"] and expected["b1"][0] == ["B1"]
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", 0)  # every search through the subquery of matches
    assert {text: _found(officer, text) for text in SEARCHES} == expected
    settings.LIST_COUNT_CAP = 1  # and a code prefix matching 2+ households of the area: on the households
    assert {text: _found(officer, text) for text in SEARCHES} == expected
    assert _found(users.commune_officer_dl, "hg0") == (["HG009999"], 1)  # never outside the area
    assert _found(users.no_role, "hg0") == ([], 0)


def test_search_forms_read_by_id_walk_the_households_or_use_the_subquery(users, units, settings, monkeypatch):
    for i in range(3):
        make_household(units.tho_xuan, code=f"HG00{i}", members=[head("Nguyễn Văn An")])

    def sql(text):
        query = str(selectors.household_list_visible_to(user=users.commune_officer, filters={"q": text}).query)
        query = re.sub(r'"name_folded"(::text)? LIKE', "NAME LIKE", query)  # the name search, on either database
        return re.sub(r'(UPPER\()?"registry_household"\."code"(::text\))? LIKE', "CODE LIKE", query)  # the code prefix

    few = sql("nguyen van an")  # three matches: read once, then the list filters on their ids
    assert "NAME LIKE" not in few and "UNION" not in few and "CODE LIKE" not in few
    single = sql("nguyen")  # one word (a family name alone) is not read first: it often matches many
    assert "UNION" in single and "NAME LIKE" in single
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", 2)
    many = sql("hg0")
    assert "UNION" in many and "NAME LIKE" in many  # more than the ids read: the subquery
    settings.LIST_COUNT_CAP = 2  # the code prefix matches more of the area than a list counts
    walk = sql("hg0")
    assert "UNION" not in walk and walk.count("CODE LIKE") == 1 and "NAME LIKE" in walk
    on_households = r"CODE LIKE \S+ (ESCAPE \S+ )?OR \"registry_household\"\.\"id\" IN \(SELECT"
    assert re.search(on_households, walk), walk


def _move(users, units, code):
    from django.utils import timezone

    from ansinh.registry.services_life import household_move_request

    household = make_household(units.tho_xuan, code=code, actor=users.commune_officer)
    return household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                                  move_date=timezone.localdate())  # fmt: skip


def test_moves_are_seen_from_both_communes_and_split_by_direction(users, units):
    move = _move(users, units, "MV1")
    sender, receiver = users.commune_officer, users.commune_officer_dl
    assert list(selectors.moves_visible_to(user=sender, direction="out")) == [move]
    assert list(selectors.moves_visible_to(user=sender, direction="in")) == []
    assert list(selectors.moves_visible_to(user=receiver, direction="in")) == [move]
    assert list(selectors.moves_visible_to(user=receiver, direction="out")) == []
    assert list(selectors.moves_visible_to(user=receiver, status="accepted")) == []
    assert list(selectors.moves_visible_to(user=receiver, status="requested")) == [move]
    assert list(selectors.moves_visible_to(user=users.no_role)) == []
    assert list(selectors.moves_visible_to(user=users.auditor)) == [move]


def test_moves_awaiting_acceptance_are_those_the_user_may_accept_oldest_first(users, units):
    from ansinh.registry.services_life import household_move_accept, household_move_cancel

    first, second, third = (_move(users, units, code) for code in ("MV1", "MV2", "MV3"))
    count, moves = selectors.moves_awaiting_acceptance_by(user=users.commune_officer_dl, limit=2)
    assert count == 3 and moves == [first, second]
    assert moves[0].from_place == "Xã Thọ Xuân, Tỉnh Thanh Hóa" and moves[0].to_place == "Xã M'Đrắk, Tỉnh Đắk Lắk"
    # The sender, a reader of the receiving province and someone without a role have nothing to accept.
    for user in (users.commune_officer, users.province_officer_dl, users.no_role):
        assert selectors.moves_awaiting_acceptance_by(user=user) == (0, [])
    household_move_accept(actor=users.commune_officer_dl, move=first, new_code="D1")
    household_move_cancel(actor=users.commune_officer, move=third, note="Nhầm")
    assert selectors.moves_awaiting_acceptance_by(user=users.commune_officer_dl) == (1, [second])


def _classified(units, users, code, klass, *, village=None, status=None):
    from ansinh.registry.models import Household

    household = make_household(units.tho_xuan, code=code, village=village or units.t1, actor=users.commune_officer)
    Household.objects.filter(pk=household.pk).update(poverty_class=klass, **({"status": status} if status else {}))
    return household


def test_household_class_counts_are_per_unit_of_the_readers_area(users, units, django_assert_num_queries):
    for code, klass in [("A1", "poor"), ("A2", "poor"), ("A3", "near_poor"), ("A4", "not_poor"), ("A5", "")]:
        _classified(units, users, code, klass)
    _classified(units, users, "B1", "average", village=units.t2)
    _classified(units, users, "C1", "poor", status="merged")  # no longer managed: not counted
    make_household(units.mdrak, code="D1", actor=users.commune_officer_dl)  # another province
    with django_assert_num_queries(1):
        counts = selectors.household_class_counts(
            user=users.commune_officer, units=[units.tho_xuan, units.t1, units.t2]
        )
    assert counts[units.tho_xuan.pk] == {"total": 6, "poor": 2, "near_poor": 1, "average": 1, "not_poor": 1,
                                         "unclassified": 1}  # fmt: skip
    assert counts[units.t1.pk]["total"] == 5 and counts[units.t2.pk] == {
        "total": 1, "poor": 0, "near_poor": 0, "average": 1, "not_poor": 0, "unclassified": 0}  # fmt: skip
    # The village head sees the village's households only, even when asked for the commune.
    assert selectors.household_class_counts(user=users.village_head, units=[units.tho_xuan, units.t1]) == {
        units.t1.pk: counts[units.t1.pk]
    }


def test_household_class_counts_leave_out_what_the_reader_may_not_count(users, units):
    _classified(units, users, "A1", "poor")
    assert selectors.household_class_counts(user=users.helping_agency_member, units=[units.tho_xuan]) == {}
    assert selectors.household_class_counts(user=users.commune_officer_dl, units=[units.tho_xuan]) == {}
    assert selectors.household_class_counts(user=users.province_officer, units=[units.th]) == {}  # too large
