from ansinh.core.scoping import AreaScope
from ansinh.geo.models import AdminUnit


def test_minimal_paths_drop_covered_ones():
    scope = AreaScope(paths=frozenset({"/2025/38/", "/2025/38/16000/", "/2025/66/24000/"}))
    assert scope.minimal_paths() == ["/2025/38/", "/2025/66/24000/"]


def test_covers_prefix_only():
    scope = AreaScope(paths=frozenset({"/2025/38/16000/"}))
    assert scope.covers("/2025/38/16000/T1/")
    assert not scope.covers("/2025/38/16001/")
    assert not scope.covers("", None)
    assert AreaScope.everywhere().covers("")


def test_commune_officer_sees_own_subtree_and_legacy_predecessor(users, units):
    visible = set(AdminUnit.objects.visible_to(users.commune_officer).values_list("path", flat=True))
    assert units.tho_xuan.path in visible
    assert units.t1.path in visible
    assert units.xuan_hong.path in visible  # legacy commune reported under Xã Thọ Xuân
    assert units.hac_thanh.path not in visible
    assert units.mdrak.path not in visible
    assert units.th.path not in visible


def test_user_without_role_sees_nothing(users):
    assert not AdminUnit.objects.visible_to(users.no_role).exists()


def test_auditor_sees_everything(users):
    assert AdminUnit.objects.visible_to(users.auditor).count() == AdminUnit.objects.count()


def test_has_perm_with_object_checks_area(users, units):
    assert users.commune_officer.has_perm("geo.manage_village", units.tho_xuan)
    assert not users.commune_officer.has_perm("geo.manage_village", units.mdrak)
    assert not users.village_head.has_perm("geo.manage_village", units.t1)
