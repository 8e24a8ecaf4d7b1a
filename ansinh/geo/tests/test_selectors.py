"""Selectors: area scope, filters, the tree in force on a day."""

from datetime import date

import pytest
from django.db.models.query import EmptyQuerySet
from django.http import Http404

from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit, UnitSuccession
from ansinh.geo.selectors import (
    unit_children,
    unit_get_visible,
    unit_ids_visible_to,
    unit_labels_by_path,
    unit_list_visible_to,
    unit_predecessors,
    unit_province,
    unit_successor,
    unit_successors,
    unit_tree_as_of,
    villages_to_offer,
)


def _names(queryset):
    return [u.name for u in queryset]


def test_list_is_scoped_to_the_area(units, users):
    names = set(_names(unit_list_visible_to(user=users.commune_officer)))
    # Own commune, its villages, and the legacy commune reported under it.
    assert names == {"Xã Thọ Xuân", "Thôn 1", "Thôn 2", "Xã Xuân Hồng"}
    assert unit_list_visible_to(user=users.no_role).count() == 0
    assert unit_list_visible_to(user=users.system_admin).count() == 11


def test_search_ignores_accents_and_matches_codes(units, users):
    admin = users.system_admin
    assert set(_names(unit_list_visible_to(user=admin, filters={"q": "tho xuan"}))) == {"Huyện Thọ Xuân", "Xã Thọ Xuân"}
    assert _names(unit_list_visible_to(user=admin, filters={"q": "ĐẮK LẮK"})) == ["Tỉnh Đắk Lắk"]
    assert _names(unit_list_visible_to(user=admin, filters={"q": "15850"})) == ["Xã Xuân Hồng"]


def test_filters_structure_level_parent_province(units, users):
    admin = users.system_admin
    legacy = unit_list_visible_to(user=admin, filters={"structure": Structure.LEGACY})
    assert set(_names(legacy)) == {"Tỉnh Thanh Hóa", "Huyện Thọ Xuân", "Xã Xuân Hồng"}
    communes = unit_list_visible_to(user=admin, filters={"structure": Structure.Y2025, "level": Level.COMMUNE})
    assert _names(communes) == ["Phường Hạc Thành", "Xã M'Đrắk", "Xã Thọ Xuân"]  # by short name: H, M, T
    assert _names(unit_list_visible_to(user=admin, filters={"parent": units.tho_xuan.pk})) == ["Thôn 1", "Thôn 2"]
    in_dl = unit_list_visible_to(user=admin, filters={"province": units.dl.pk})
    assert set(_names(in_dl)) == {"Xã M'Đrắk", "Buôn Ea Khanh"}
    assert unit_list_visible_to(user=admin, filters={"province": 999_999}).count() == 0


def test_as_of_date_selects_the_structure_in_force(units, users):
    admin = users.system_admin
    before = unit_list_visible_to(user=admin, filters={"as_of": date(2025, 6, 30)})
    after = unit_list_visible_to(user=admin, filters={"as_of": date(2025, 7, 1)})
    assert {u.structure for u in before} == {Structure.LEGACY}
    assert {u.structure for u in after} == {Structure.Y2025}


def test_get_visible_answers_404_for_missing_and_out_of_area_alike(units, users):
    assert unit_get_visible(user=users.commune_officer, pk=units.tho_xuan.pk) == units.tho_xuan
    with pytest.raises(Http404):
        unit_get_visible(user=users.commune_officer, pk=units.mdrak.pk)
    with pytest.raises(Http404):
        unit_get_visible(user=users.commune_officer, pk=999_999)


def test_children_are_scoped(units, users):
    assert _names(unit_children(user=users.province_officer, unit=units.th)) == ["Phường Hạc Thành", "Xã Thọ Xuân"]
    assert _names(unit_children(user=users.commune_officer, unit=units.th)) == ["Xã Thọ Xuân"]
    assert _names(unit_children(user=users.system_admin, unit=units.th, day=date(2020, 1, 1))) == []


def test_tree_as_of_starts_at_the_top_of_the_visible_area(units, users):
    national = unit_tree_as_of(user=users.system_admin, day=date(2025, 8, 1))
    assert _names(national) == ["Tỉnh Đắk Lắk", "Tỉnh Thanh Hóa"]
    legacy = unit_tree_as_of(user=users.system_admin, day=date(2024, 1, 1))
    assert _names(legacy) == ["Tỉnh Thanh Hóa"]
    assert legacy[0].structure == Structure.LEGACY
    # A commune officer's forest starts at the commune (the province is outside the area).
    assert _names(unit_tree_as_of(user=users.commune_officer, day=date(2025, 8, 1))) == ["Xã Thọ Xuân"]
    assert _names(unit_tree_as_of(user=users.commune_officer, day=date(2025, 8, 1), parent=units.tho_xuan)) == [
        "Thôn 1",
        "Thôn 2",
    ]


def test_succession_links(units, users):
    [link] = unit_predecessors(unit=units.tho_xuan)
    assert (link.predecessor, link.successor_count) == (units.xuan_hong, 1)
    UnitSuccession.objects.create(predecessor=units.xuan_hong, successor=units.hac_thanh, is_default=False)
    assert unit_predecessors(unit=units.tho_xuan).get().successor_count == 2  # divided between two communes
    assert [s.successor for s in unit_successors(unit=units.xuan_hong)] == [
        units.tho_xuan,
        units.hac_thanh,
    ]  # default first
    assert unit_successor(unit=units.tho_xuan_district) == units.th
    assert unit_successor(unit=units.th) is None


def test_ids_visible_to(units, users):
    ids = [units.tho_xuan.pk, units.mdrak.pk, units.th.pk, None]
    assert unit_ids_visible_to(user=users.commune_officer, ids=ids) == {units.tho_xuan.pk}
    assert unit_ids_visible_to(user=users.commune_officer, ids=[]) == set()


def test_unit_province_is_found_in_the_units_own_structure(units):
    assert unit_province(units.t1) == units.th  # village → commune → province (2025)
    assert unit_province(units.th) == units.th
    assert unit_province(units.xuan_hong) == units.th_old  # legacy commune → legacy district → legacy province
    assert unit_province(None) is None


def test_unit_labels_by_path_name_the_unit_and_its_parent(units, django_assert_num_queries):
    paths = [units.th.path, units.tho_xuan.path, units.t1.path, units.xuan_hong.path, "/2025/99/", ""]
    with django_assert_num_queries(1):
        labels = unit_labels_by_path(paths)
    assert labels == {
        units.th.path: "Tỉnh Thanh Hóa",
        units.tho_xuan.path: "Xã Thọ Xuân, Tỉnh Thanh Hóa",
        units.t1.path: "Thôn 1, Xã Thọ Xuân",
        units.xuan_hong.path: "Xã Xuân Hồng, Huyện Thọ Xuân (cũ)",
        "/2025/99/": "/2025/99/",  # no such unit: the path as it is
    }


def test_villages_to_offer_all_of_a_few_else_those_of_the_chosen_commune(units, monkeypatch, django_assert_num_queries):
    from ansinh.geo import selectors

    villages = AdminUnit.objects.filter(level=Level.VILLAGE, path__startswith=units.th.path).order_by("sort_key")
    with django_assert_num_queries(2):
        assert list(villages_to_offer(villages)) == [units.t1, units.t2]  # the check (LIMIT 1), then the rows
    monkeypatch.setattr(selectors, "VILLAGES_AT_ONCE_MAX", 1)
    with django_assert_num_queries(1):
        assert isinstance(villages_to_offer(villages), EmptyQuerySet)  # too many: a commune first
    with django_assert_num_queries(0):
        chosen = villages_to_offer(villages, commune_id=units.tho_xuan.pk)
    assert list(chosen) == [units.t1, units.t2]
    assert list(villages_to_offer(villages, village_id=units.t2.pk)) == [units.t1, units.t2]
    # Ids only narrow the given villages: another province's commune or village offers nothing.
    assert list(villages_to_offer(villages, commune_id=units.mdrak.pk)) == []
    assert list(villages_to_offer(villages, village_id=units.b1.pk)) == []
    assert list(villages_to_offer(villages, limit=5)) == [units.t1, units.t2]
