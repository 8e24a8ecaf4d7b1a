"""The menu a user sees (`accounts.context_processors.navigation`): only what they may use."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from ansinh.accounts.context_processors import navigation


def _request(rf, user, path="/"):
    request = rf.get(path)
    request.user = user
    return request


def test_no_menu_before_signing_in(rf):
    assert navigation(_request(rf, AnonymousUser())) == {"nav_items": []}


def test_a_user_sees_only_the_menus_of_their_permissions(rf, users):
    without_role = [item["url"] for item in navigation(_request(rf, users.no_role))["nav_items"]]
    assert without_role == [reverse("reports:dashboard")]  # the overview needs no permission
    officer = [item["url"] for item in navigation(_request(rf, users.commune_officer))["nav_items"]]
    assert reverse("registry:household_list") in officer and reverse("audit:event_list") in officer
    village_head = [item["url"] for item in navigation(_request(rf, users.village_head))["nav_items"]]
    assert reverse("registry:household_list") in village_head
    assert reverse("audit:event_list") not in village_head


def test_the_current_page_is_marked_active(rf, users):
    items = navigation(_request(rf, users.commune_officer, reverse("registry:household_list")))["nav_items"]
    assert [item["url"] for item in items if item["active"]] == [reverse("registry:household_list")]


def test_the_menu_is_worked_out_once_per_request(rf, users, monkeypatch):
    user = users.commune_officer
    request = _request(rf, user)
    calls = []
    has_perm = user.has_perm
    monkeypatch.setattr(user, "has_perm", lambda perm, obj=None: calls.append(perm) or has_perm(perm, obj))
    first = navigation(request)
    asked = len(calls)
    assert asked > 0
    assert navigation(request) == first and len(calls) == asked  # a table rendered in the page asks again
    assert navigation(_request(rf, user))["nav_items"] == first["nav_items"] and len(calls) == 2 * asked
