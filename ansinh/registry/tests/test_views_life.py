import re

from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.registry.choices import HouseholdStatus, MemberStatus, MoveStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household, HouseholdMove, Member
from ansinh.registry.services_life import household_move_request

from .factories import make_household

TODAY = timezone.localdate().isoformat()


def test_birth_page_records_and_redirects_to_the_household(client, users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("registry:member_birth", kwargs={"pk": household.pk})
    assert "Khai sinh" in client.get(url).content.decode()
    response = client.post(url, {"full_name": "Nguyễn Văn Bé", "sex": "male", "birth_date": TODAY,
                                 "relation": "child"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/"
    assert Member.objects.filter(household=household, full_name="Nguyễn Văn Bé").exists()
    assert AuditEvent.objects.filter(event_type=RegistryEventType.MEMBER_BORN).count() == 1


def test_death_of_the_head_without_successor_stays_on_the_form(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("registry:member_death", kwargs={"pk": household.head_id})
    response = client.post(url, {"death_date": TODAY})
    assert response.status_code == 200
    assert "chủ hộ mới" in response.content.decode()
    assert Member.objects.get(pk=household.head_id).status == MemberStatus.PRESENT


def test_merge_page_refuses_an_unknown_code(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    data = {"target_code": "NOPE", **{f"relation_{m.pk}": "sibling" for m in household.members.all()}}
    response = client.post(reverse("registry:household_merge", kwargs={"pk": household.pk}), data)
    assert response.status_code == 200
    assert "Không có hộ mã NOPE" in response.content.decode()
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ACTIVE


def test_move_flow_through_the_pages(client, users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    response = client.post(reverse("registry:move_request", kwargs={"pk": household.pk}),
                           {"to_province": units.dl.pk, "to_commune": units.mdrak.pk, "move_date": TODAY,
                            "reason": "Theo con"})  # fmt: skip
    move = HouseholdMove.objects.get()
    assert response["Location"] == reverse("registry:move_detail", kwargs={"pk": move.pk})
    outgoing = client.get(reverse("registry:move_list"), {"direction": "out"}).content.decode()
    assert household.code in outgoing
    # The sender sees no accept button; the receiver sees the request among incoming ones.
    assert (
        reverse("registry:move_accept", kwargs={"pk": move.pk}) not in client.get(response["Location"]).content.decode()
    )
    client.force_login(users.commune_officer_dl)
    assert household.code in client.get(reverse("registry:move_list")).content.decode()
    detail = client.get(reverse("registry:move_detail", kwargs={"pk": move.pk})).content.decode()
    assert reverse("registry:move_accept", kwargs={"pk": move.pk}) in detail
    response = client.post(reverse("registry:move_accept", kwargs={"pk": move.pk}),
                           {"new_code": "D100", "village": units.b1.pk})  # fmt: skip
    move.refresh_from_db()
    assert move.status == MoveStatus.ACCEPTED
    assert response["Location"] == f"/households/{move.new_household_id}/"


def test_sender_cannot_accept_its_own_request(client, users, units):
    household = make_household(units.tho_xuan, actor=users.commune_officer)
    move = household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                                  move_date=timezone.localdate())  # fmt: skip
    client.force_login(users.commune_officer)
    response = client.post(reverse("registry:move_accept", kwargs={"pk": move.pk}), {"new_code": "D100"})
    assert response.status_code == 200
    assert "không được quản lý" in response.content.decode()
    assert HouseholdMove.objects.get().status == MoveStatus.REQUESTED
    assert Household.objects.count() == 1


def test_move_list_stays_within_a_bounded_number_of_queries(client, users, units, django_assert_max_num_queries):
    for index in range(5):
        household = make_household(units.tho_xuan, code=f"H{index}", actor=users.commune_officer)
        household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                               move_date=timezone.localdate())  # fmt: skip
    client.force_login(users.commune_officer_dl)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:move_list"))
    assert response.content.decode().count("/moves/") >= 5


def _commune_options(response) -> set[int]:
    return {choice.value for choice, _label in response.context["form"].fields["to_commune"].choices if choice}


def test_move_page_lists_the_communes_of_one_province_the_households_own_first(client, users, units):
    """Not the country's 3,321 communes in one list: the household's province, then the one chosen."""
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("registry:move_request", kwargs={"pk": household.pk})
    page = client.get(url)
    assert page.context["form"]["to_province"].value() == units.th.pk
    assert _commune_options(page) == {units.hac_thanh.pk}  # its own commune left out, Đắk Lắk's not listed
    html = page.content.decode()
    assert f'hx-get="{url}"' in html and 'hx-select="#move-commune"' in html
    chosen = client.get(url, {"to_province": units.dl.pk})  # what htmx fetches, or the page reloaded without it
    assert chosen.context["form"]["to_province"].value() == units.dl.pk
    assert _commune_options(chosen) == {units.mdrak.pk}
    assert f'name="to_province" value="{units.dl.pk}"' in chosen.content.decode()  # the hidden copy posted
    for junk in ("abc", "999999", str(units.tho_xuan.pk)):  # not a province: the household's own is kept
        assert client.get(url, {"to_province": junk}).context["form"]["to_province"].value() == units.th.pk


MOVE_SWAP = {"HX-Request": "true", "HX-Target": "move-commune"}  # what the province select sends (htmx)


def _without_tokens(body: str) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', body)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)


def test_the_communes_fetched_for_a_province_come_alone(client, users, units):
    """`core.htmx.swapped_block`: the province select's fetch gets the commune block, not the page."""
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("registry:move_request", kwargs={"pk": household.pk})
    page = client.get(url, {"to_province": units.dl.pk}).content.decode()
    response = client.get(url, {"to_province": units.dl.pk}, headers=MOVE_SWAP)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Target" in response["Vary"]
    # The page's block byte for byte: the province chosen (posted with the form) and its communes.
    block = re.search(r'<div id="move-commune">.*?</select></div>\s*</div>', page, re.S).group(0)
    assert body == block
    assert f'name="to_province" value="{units.dl.pk}"' in body
    assert re.findall(r'<option value="(\d+)"', body) == [str(units.mdrak.pk)]
    for absent in ('id="move-province"', 'name="move_date"', 'name="reason"', household.code, "<html"):
        assert absent not in body, absent
    assert len(response.content) * 3 < len(page)
    # The household's own province leaves its own commune out, as the page does; junk keeps that province.
    for junk in ("", "abc", "999999", str(units.tho_xuan.pk)):
        body = client.get(url, {"to_province": junk}, headers=MOVE_SWAP).content.decode()
        assert re.findall(r'<option value="(\d+)"', body) == [str(units.hac_thanh.pk)], junk
        assert f'name="to_province" value="{units.th.pk}"' in body


def test_the_communes_fetched_are_refused_as_the_page_is(client, users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    url = reverse("registry:move_request", kwargs={"pk": household.pk})
    data = {"to_province": units.dl.pk}
    response = client.get(url, data, headers=MOVE_SWAP)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    for user, status in ((users.supervisor, 403), (users.commune_officer_dl, 404)):  # reads only; another area
        client.force_login(user)
        assert client.get(url, data).status_code == status
        assert client.get(url, data, headers=MOVE_SWAP).status_code == status


def test_without_the_swap_the_move_page_is_the_page(client, users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("registry:move_request", kwargs={"pk": household.pk})
    data = {"to_province": units.dl.pk}
    page = _without_tokens(client.get(url, data).content.decode())
    assert 'id="move-province"' in page and 'name="move_date"' in page
    for headers in ({"HX-Request": "true"}, {"HX-Target": "move-commune"}, {**MOVE_SWAP, "HX-Target": "other"}):
        assert _without_tokens(client.get(url, data, headers=headers).content.decode()) == page, headers
    response = client.post(url, {"to_province": units.dl.pk, "to_commune": units.mdrak.pk, "move_date": TODAY},
                           headers=MOVE_SWAP)  # fmt: skip
    assert response.status_code == 302 and HouseholdMove.objects.get().to_commune == units.mdrak


def test_move_to_a_commune_outside_the_chosen_province_is_refused(client, users, units):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    response = client.post(reverse("registry:move_request", kwargs={"pk": household.pk}),
                           {"to_province": units.th.pk, "to_commune": units.mdrak.pk, "move_date": TODAY})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["to_commune"]
    assert not HouseholdMove.objects.exists()


def test_move_page_of_a_household_of_a_legacy_commune_starts_from_its_successors_province(client, users, units):
    household = make_household(units.xuan_hong, actor=users.commune_officer)
    client.force_login(users.commune_officer)
    page = client.get(reverse("registry:move_request", kwargs={"pk": household.pk}))
    assert page.status_code == 200
    assert page.context["form"]["to_province"].value() == units.th.pk
    assert units.tho_xuan.pk in _commune_options(page)


def test_move_pages_name_each_commune_with_its_province_and_the_village_first(client, users, units):
    household = make_household(units.tho_xuan, code="HX1", actor=users.commune_officer)
    move = household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                                  to_village=units.b1, move_date=timezone.localdate())  # fmt: skip
    client.force_login(users.commune_officer_dl)
    listed = client.get(reverse("registry:move_list")).content.decode()
    assert "<td>Xã Thọ Xuân, Tỉnh Thanh Hóa</td>" in listed
    assert "<td>Buôn Ea Khanh, Xã M&#x27;Đrắk, Tỉnh Đắk Lắk</td>" in listed
    detail = client.get(reverse("registry:move_detail", kwargs={"pk": move.pk})).content.decode()
    assert "<dd>Xã Thọ Xuân, Tỉnh Thanh Hóa</dd>" in detail
    accept = client.get(reverse("registry:move_accept", kwargs={"pk": move.pk})).content.decode()
    assert "Chuyển từ Xã Thọ Xuân, Tỉnh Thanh Hóa đến Buôn Ea Khanh, Xã M&#x27;Đrắk, Tỉnh Đắk Lắk" in accept
    # The receiving commune cannot open the household yet: the way back is the request itself.
    assert f'href="/households/{household.pk}/"' not in accept
    assert accept.count(f'href="{reverse("registry:move_detail", kwargs={"pk": move.pk})}"') == 2  # crumb, cancel
    # The two directions are tabs: the one shown is marked as the current page.
    assert '<a href="?direction=in" aria-current="page">' in listed
    assert '<div class="table-scroll" role="region"' in listed  # a phone scrolls the table, not the page
    outgoing = client.get(reverse("registry:move_list"), {"direction": "out"}).content.decode()
    assert '<a href="?direction=out" aria-current="page">' in outgoing


def test_household_page_shows_its_moves_and_offers_no_second_request_while_one_waits(client, users, units):
    household = make_household(units.tho_xuan, code="HX2", actor=users.commune_officer)
    page_url = f"/households/{household.pk}/"
    request_url = reverse("registry:move_request", kwargs={"pk": household.pk})
    client.force_login(users.commune_officer)
    page = client.get(page_url).content.decode()
    assert request_url in page and "Chuyển hộ giữa các xã" not in page
    move = household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                                  move_date=timezone.localdate())  # fmt: skip
    page = client.get(page_url).content.decode()
    assert request_url not in page
    assert reverse("registry:move_detail", kwargs={"pk": move.pk}) in page
    assert "Từ Xã Thọ Xuân, Tỉnh Thanh Hóa đến Xã M&#x27;Đrắk, Tỉnh Đắk Lắk" in page
    assert "<strong>Chờ xã nơi đến tiếp nhận</strong>" in page
    # The household registered by the receiving commune shows the move it arrived by.
    from ansinh.registry.services_life import household_move_accept

    household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D200")
    move.refresh_from_db()
    client.force_login(users.commune_officer_dl)
    page = client.get(f"/households/{move.new_household_id}/").content.decode()
    assert reverse("registry:move_detail", kwargs={"pk": move.pk}) in page and "Đã tiếp nhận" in page


def test_household_history_tells_a_move_in_words(client, users, units):
    from ansinh.registry.services_life import household_move_accept

    household = make_household(units.tho_xuan, code="HX3", village=units.t1, actor=users.commune_officer)
    move = household_move_request(actor=users.commune_officer, household=household, to_commune=units.mdrak,
                                  move_date=timezone.localdate(), reason="Theo con")  # fmt: skip
    client.force_login(users.village_head)  # reads the household, not the move itself
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Xã Thọ Xuân, Tỉnh Thanh Hóa" in page and "Xã M&#x27;Đrắk, Tỉnh Đắk Lắk" in page
    assert "Chờ xã nơi đến tiếp nhận" in page and "Theo con" in page
    assert "/2025/" not in page and ">requested<" not in page and ">move<" not in page
    household_move_accept(actor=users.commune_officer_dl, move=move, new_code="D300", village=units.b1)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Đã tiếp nhận" in page and "D300" in page and "Buôn Ea Khanh, Xã M&#x27;Đrắk" in page
    assert "/2025/" not in page and ">accepted<" not in page


def test_household_history_tells_a_split_and_a_merge_in_words(client, users, units):
    from ansinh.registry.services_life import household_merge, household_split

    from .factories import head, member

    household = make_household(units.tho_xuan, code="HX4", village=units.t1, actor=users.commune_officer, members=[
        head(), member(), member("Nguyễn Văn Cường", sex="male", relation="child", birth_year=2000),
    ])  # fmt: skip
    son = household.members.get(full_name="Nguyễn Văn Cường")
    new = household_split(actor=users.commune_officer, household=household, members=[son], new_code="HX5",
                          new_head=son, village=units.t2)  # fmt: skip
    client.force_login(users.commune_officer)
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Tách thành hộ mới" in page and "HX5" in page and "Nguyễn Văn Cường (Chủ hộ)" in page
    assert "{&#x27;id&#x27;" not in page and "new_household" not in page
    page = client.get(f"/households/{new.pk}/").content.decode()
    assert "Tách từ hộ" in page and "HX4" in page and "Thôn 2" in page
    assert "split_from" not in page and "{&#x27;id&#x27;" not in page

    household_merge(actor=users.commune_officer, source=new, target=household, relations={son.pk: "child"})
    page = client.get(f"/households/{new.pk}/").content.decode()
    assert "Nhập vào hộ" in page and "HX4" in page and "Đã nhập vào hộ khác" in page
    assert "Thành viên chuyển đi" in page and "Nguyễn Văn Cường (Con)" in page
    page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Nhập từ hộ" in page and "HX5" in page and "Thành viên nhập vào" in page
    assert "merged_from" not in page and "{&#x27;id&#x27;" not in page


def test_household_history_keeps_a_member_who_married_into_another_household(client, users, units):
    from ansinh.registry.services_life import member_death_record, member_join_by_marriage

    from .factories import head, member

    home = make_household(units.tho_xuan, code="HX6", village=units.t1, actor=users.commune_officer)
    other = make_household(units.tho_xuan, code="HX7", village=units.t2, actor=users.commune_officer, members=[
        head("Trần Văn Đức"), member("Trần Thị Mai", relation="child", birth_year=2000),
    ])  # fmt: skip
    bride = other.members.get(full_name="Trần Thị Mai")
    member_join_by_marriage(actor=users.commune_officer, household=home, member=bride, relation="child_in_law",
                            date=timezone.localdate())  # fmt: skip
    client.force_login(users.commune_officer)
    page = client.get(f"/households/{other.pk}/").content.decode()  # she is gone, her departure is not
    assert "Rời hộ do kết hôn" in page and "Trần Thị Mai" in page and "HX6" in page
    page = client.get(f"/households/{home.pk}/").content.decode()
    assert "Nhập hộ do kết hôn" in page and "HX7" in page and "Con dâu/con rể" in page
    member_death_record(actor=users.commune_officer, member=home.members.exclude(pk=home.head_id).first(),
                        death_date=timezone.localdate())  # fmt: skip
    page = client.get(f"/households/{home.pk}/").content.decode()
    assert "Đang trong hộ" in page and "Đã mất" in page
    assert ">present<" not in page and ">dead<" not in page


def test_split_form_ties_each_relation_to_its_members_box(client, users, units):
    """ansinh.js shows a relation field only while its member is ticked (`data-shown-by`); the n-th relation
    field names the n-th checkbox, the members being listed in the same order."""
    from .factories import head, member

    household = make_household(units.tho_xuan, code="HX8", actor=users.commune_officer, members=[
        head(), member(), member("Nguyễn Văn Cường", sex="male", relation="child", birth_year=2000),
    ])  # fmt: skip
    client.force_login(users.commune_officer)
    page = client.get(reverse("registry:household_split", kwargs={"pk": household.pk})).content.decode()
    wife, son = (household.members.get(full_name=n) for n in ("Lê Thị Bình", "Nguyễn Văn Cường"))
    assert f'id="id_members_0" value="{wife.pk}"' in page or f'value="{wife.pk}" id="id_members_0"' in page
    assert f'name="relation_{wife.pk}" data-shown-by="id_members_0"' in page
    assert f'name="relation_{son.pk}" data-shown-by="id_members_1"' in page


def test_a_merge_into_a_household_outside_the_readers_area_does_not_name_it(client, users, units):
    from ansinh.registry.services_life import household_merge

    source = make_household(units.tho_xuan, code="HX9", village=units.t1, actor=users.commune_officer)
    target = make_household(units.tho_xuan, code="HY9", village=units.t2, actor=users.commune_officer)
    household_merge(actor=users.commune_officer, source=source, target=target,
                    relations={m.pk: "other" for m in source.members.all()})  # fmt: skip
    client.force_login(users.village_head)  # of T1: reads HX9, not HY9 in T2
    page = client.get(f"/households/{source.pk}/").content.decode()
    assert "Nhập vào hộ" in page and "một hộ ngoài địa bàn của bạn" in page and "HY9" not in page
    client.force_login(users.commune_officer)
    assert "HY9" in client.get(f"/households/{source.pk}/").content.decode()
