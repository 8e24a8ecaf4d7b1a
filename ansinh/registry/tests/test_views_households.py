"""Household pages: list, detail, register with members, edit, stale version, duplicate CCCD, masking."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.registry.choices import InfoDevice
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household, IdentityOverride
from ansinh.registry.services import HouseholdData, household_update

from .factories import head, make_household, member

HEAD_ID = "038075000123"


@pytest.fixture
def officer_client(client, users):
    client.force_login(users.commune_officer)
    return client


def _register_post(units, **extra):
    data = {
        "commune": units.tho_xuan.pk,
        "village": units.t1.pk,
        "code": "HX01",
        "area_type": "",
        "housing_area_m2": "32.5",
        "info_devices": ["tv", "smartphone"],
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
        "members-0-full_name": "Hà Văn Thắng",
        "members-0-sex": "male",
        "members-0-relation": "head",
        "members-0-birth_date": "1975-03-02",
        "members-0-ethnicity": "",
        "members-0-id_number": "038 075 000 123",
        "members-0-disability": "none",
        "members-0-allowance": "none",
        "members-1-full_name": "Lò Thị Mai",
        "members-1-sex": "female",
        "members-1-relation": "spouse",
        "members-1-birth_year": "1979",
        "members-1-disability": "none",
        "members-1-allowance": "none",
        # row 2 left blank: ignored
        "members-2-disability": "none",
        "members-2-allowance": "none",
    }
    data.update(extra)
    return data


def test_list_shows_the_area_masks_cccd_and_flags(officer_client, units):
    make_household(units.tho_xuan, village=units.t1, code="L1", lone_household=True,
                   members=[head("Nguyễn Văn An", id_number=HEAD_ID), member()])  # fmt: skip
    make_household(units.mdrak, code="DL1", members=[head("Y Bhim Niê")])
    response = officer_client.get(reverse("registry:household_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn An" in content
    assert "Y Bhim Niê" not in content
    assert HEAD_ID not in content
    assert "•••••••••123" in content
    assert "Hộ neo đơn" in content
    row = response.context["table"].page.object_list[0].record
    assert row.members_count == 2


def test_list_searches_without_accents_and_sorts_on_the_server(officer_client, units):
    make_household(units.tho_xuan, code="S1", members=[head("Nguyễn Văn Ân")])
    make_household(units.tho_xuan, code="S2", members=[head("Nguyễn Văn Anh")])
    make_household(units.tho_xuan, code="S3", members=[head("Trần Văn Bình")])
    response = officer_client.get(reverse("registry:household_list"), {"q": "nguyen van"})
    assert [r.record.code for r in response.context["table"].page.object_list] == ["S2", "S1"]
    response = officer_client.get(reverse("registry:household_list"), {"sort": "-code"})
    assert [r.record.code for r in response.context["table"].page.object_list] == ["S3", "S2", "S1"]
    response = officer_client.get(reverse("registry:household_list"), {"flag": "lone_household"})
    assert list(response.context["table"].page.object_list) == []


def test_list_finds_code_and_cccd_prefixes_inside_the_area_only(officer_client, units):
    make_household(units.tho_xuan, code="HG001234", members=[head("Lê Văn Cường", id_number=HEAD_ID)])
    make_household(units.tho_xuan, code="HG002000", members=[head("Lê Văn Cần")])
    make_household(units.mdrak, code="HG001277", members=[head("Y Bhim Niê", id_number="038075777777")])
    url = reverse("registry:household_list")
    for typed in ("hg0012", "038 075", "038075000", HEAD_ID, "HG001234"):
        response = officer_client.get(url, {"q": typed})
        assert [r.record.code for r in response.context["table"].page.object_list] == ["HG001234"], typed
        assert "Y Bhim Niê" not in response.content.decode()
    for typed in ("hg", "03807"):  # too short for a prefix
        response = officer_client.get(url, {"q": typed})
        assert list(response.context["table"].page.object_list) == [], typed


def test_list_query_count_does_not_grow_with_rows(officer_client, units):
    make_household(units.tho_xuan, code="Q0")
    url = reverse("registry:household_list")
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(url).status_code == 200
    for i in range(1, 25):
        make_household(units.tho_xuan, village=units.t2, code=f"Q{i}", members=[head(f"Đỗ Văn Số {i}"), member()])
    with CaptureQueriesContext(connection) as many:
        assert officer_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_register_with_inline_members_end_to_end(officer_client, units, users):
    response = officer_client.get(reverse("registry:household_create"))
    assert response.context["form"].fields["commune"].initial == units.tho_xuan.pk  # the only commune: preselected
    response = officer_client.post(reverse("registry:household_create"), _register_post(units))
    household = Household.objects.get(code="HX01")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household_detail", args=[household.pk])
    assert household.head.full_name == "Hà Văn Thắng"
    assert household.head.id_number == HEAD_ID
    assert [m.full_name for m in household.members.order_by("order")] == ["Hà Văn Thắng", "Lò Thị Mai"]
    assert household.info_devices == ["tv", "smartphone"]
    assert household.village == units.t1
    assert AuditEvent.objects.filter(
        event_type=RegistryEventType.HOUSEHOLD_REGISTERED, target_id=str(household.pk), actor=users.commune_officer
    ).exists()


def test_member_errors_come_back_on_their_row_and_input_is_kept(officer_client, units):
    data = _register_post(units, **{"members-1-birth_year": "2999", "members-0-id_number": "038175000123"})
    response = officer_client.post(reverse("registry:household_create"), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert "birth_year" in formset.forms[1].errors
    assert "id_number" in formset.forms[0].errors  # the century digit does not match 1975
    assert 'value="Lò Thị Mai"' in response.content.decode()
    assert not Household.objects.exists()


def test_add_row_keeps_input_without_validating(officer_client, units):
    data = _register_post(units, add_member_row="1")
    response = officer_client.post(reverse("registry:household_create"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 4
    assert "form-errors" not in response.content.decode()
    assert "Chưa ghi" not in response.content.decode()
    assert not Household.objects.exists()


def test_register_page_refuses_a_negative_area_in_the_registrys_words(officer_client, units):
    response = officer_client.post(reverse("registry:household_create"), _register_post(units, housing_area_m2="-4"))
    assert response.status_code == 200
    assert response.context["form"].errors["housing_area_m2"] == ["Diện tích không được âm."]
    assert not Household.objects.exists()


def test_register_page_shows_the_rules_refusals_beside_its_field_errors(officer_client, units):
    """One submit, every refusal: the form refuses the negative area itself; the registry's rules still
    read the rest (a future birth date, a CCCD whose century digit does not match, a code in use)."""
    make_household(units.tho_xuan, code="HX01")
    data = _register_post(units, housing_area_m2="-4", **{
        "members-1-birth_year": "2999", "members-0-id_number": "038175000123",
    })  # fmt: skip
    response = officer_client.post(reverse("registry:household_create"), data)
    assert response.status_code == 200
    form, rows = response.context["form"], response.context["formset"].forms
    assert form.errors["housing_area_m2"] == ["Diện tích không được âm."]
    assert form.errors["code"] == ["Mã hộ HX01 đã có ở Xã Thọ Xuân."]
    assert rows[1].errors["birth_year"] == ["Năm sinh 2999 không hợp lệ."]
    assert "id_number" in rows[0].errors
    assert "Chưa ghi: 4 ô cần sửa, tô đỏ bên dưới." in response.content.decode()  # the summary, at the top
    assert Household.objects.count() == 1


def test_register_page_keeps_a_refused_rows_own_errors_only(officer_client, units):
    """A birth date the form cannot read is not also reported as "no birth date or year"; with a row's
    relation refused, the head count is not guessed; the other row still gets the rules' word."""
    data = _register_post(units, **{
        "members-0-birth_date": "31/02/1975", "members-0-relation": "chief",
        "members-1-birth_year": "2999",
    })  # fmt: skip
    response = officer_client.post(reverse("registry:household_create"), data)
    form, rows = response.context["form"], response.context["formset"].forms
    assert set(rows[0].errors) == {"birth_date", "relation"}
    assert rows[1].errors["birth_year"] == ["Năm sinh 2999 không hợp lệ."]
    assert "Hộ phải có đúng một chủ hộ." not in form.non_field_errors()
    assert not Household.objects.exists()


def test_register_page_asks_for_the_head_when_every_row_was_read(officer_client, units):
    data = _register_post(units, housing_area_m2="-1", **{"members-0-relation": "child"})
    response = officer_client.post(reverse("registry:household_create"), data)
    assert "Hộ phải có đúng một chủ hộ." in response.context["form"].non_field_errors()
    assert not Household.objects.exists()


def test_register_page_without_a_commune_checks_fields_only(officer_client, units):
    data = _register_post(units, commune="", **{"members-1-birth_year": "2999"})
    response = officer_client.post(reverse("registry:household_create"), data)
    assert "commune" in response.context["form"].errors
    assert not response.context["formset"].forms[1].errors  # the rules are a commune's: not run
    assert not Household.objects.exists()


def test_one_cccd_typed_for_two_members_of_the_new_household_is_refused_as_such(officer_client, units):
    row = {"id_number": "038 075 000 123", "sex": "male", "birth_year": "1975", "id_duplicate_reason": "nhập lại"}
    data = _register_post(units, **{f"members-1-{name}": value for name, value in row.items()})
    response = officer_client.post(reverse("registry:household_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Số CCCD 038075000123 được nhập cho hai thành viên của hộ này: hãy sửa số của một người."
    ]
    assert not Household.objects.exists()


def test_duplicate_cccd_asks_for_a_reason_then_registers(officer_client, units, users):
    make_household(units.tho_xuan, code="OLD", members=[head("Hà Văn Thắng", id_number=HEAD_ID)])
    response = officer_client.post(reverse("registry:household_create"), _register_post(units))
    assert response.status_code == 200
    assert "đã có ở thành viên khác" in response.content.decode()
    assert response.context["formset"].forms[0].show_duplicate_reason
    assert "members-0-id_duplicate_reason" in response.content.decode()
    assert not Household.objects.filter(code="HX01").exists()
    reason = "Chuyển từ hộ OLD sang, hồ sơ cũ chờ xử lý trùng"
    response = officer_client.post(
        reverse("registry:household_create"), _register_post(units, **{"members-0-id_duplicate_reason": reason})
    )
    assert response.status_code == 302
    override = IdentityOverride.objects.get()
    assert override.reason == reason
    assert override.confirmed_by == users.commune_officer


def test_edit_saves_and_a_stale_version_keeps_the_input(officer_client, units, users):
    household = make_household(units.tho_xuan, code="E1", actor=users.commune_officer)
    url = reverse("registry:household_edit", args=[household.pk])
    response = officer_client.get(url)
    assert response.context["form"].initial["version"] == 1
    # Someone else saves first.
    household_update(actor=users.commune_officer, household=household, expected_version=1,
                     data=HouseholdData(code="E1", facts={"phone": "0900000000"}))  # fmt: skip
    response = officer_client.post(url, {"code": "E1", "version": 1, "address": "Xóm Chùa"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "vừa được người khác sửa" in content
    assert 'value="Xóm Chùa"' in content
    household.refresh_from_db()
    assert household.address == ""
    response = officer_client.post(url, {"code": "E1", "version": 2, "address": "Xóm Chùa", "village": units.t2.pk})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.village, household.version) == ("Xóm Chùa", units.t2, 3)
    assert "Chưa ghi" not in content  # a stale version is a non-field error: said at the top already


def test_edit_page_sums_up_its_refused_fields_at_the_top(officer_client, units, users):
    household = make_household(units.tho_xuan, code="E2", actor=users.commune_officer)
    url = reverse("registry:household_edit", args=[household.pk])
    data = {"code": "E2", "version": 1, "housing_area_m2": "-2", "production_land_m2": "-1"}
    response = officer_client.post(url, data)
    assert response.status_code == 200
    assert "Chưa ghi: 2 ô cần sửa, tô đỏ bên dưới." in response.content.decode()
    assert "Chưa ghi" not in officer_client.get(url).content.decode()


def test_edit_page_shows_the_rules_refusals_beside_its_field_errors(officer_client, units, users):
    household = make_household(units.tho_xuan, code="E3", actor=users.commune_officer)
    make_household(units.tho_xuan, code="E4", actor=users.commune_officer)
    url = reverse("registry:household_edit", args=[household.pk])
    response = officer_client.post(url, {"code": "E4", "version": 1, "housing_area_m2": "-2"})
    form = response.context["form"]
    assert form.errors["housing_area_m2"] == ["Diện tích không được âm."]
    assert form.errors["code"] == ["Mã hộ E4 đã có trong xã."]
    assert "Chưa ghi: 2 ô cần sửa, tô đỏ bên dưới." in response.content.decode()
    household.refresh_from_db()
    assert (household.code, household.version) == ("E3", 1)
    # Refused by the service alone (the form read everything): said once, not checked twice.
    response = officer_client.post(url, {"code": "E4", "version": 1})
    assert response.context["form"].errors == {"code": ["Mã hộ E4 đã có trong xã."]}  # next to the code
    assert response.content.decode().count("Mã hộ E4 đã có trong xã.") == 1


def test_member_pages_show_the_rules_refusals_beside_their_field_errors(officer_client, units):
    """A sex the form cannot read and a birth year in the future: both said at once; the CCCD, which is
    read against the sex, is not judged on a guess."""
    household = make_household(units.tho_xuan, code="M2")
    data = {"full_name": "Hà Văn Út", "sex": "x", "relation": "child", "birth_year": "2999",
            "id_number": "038175000123", "disability": "none", "allowance": "none"}  # fmt: skip
    response = officer_client.post(reverse("registry:member_create", args=[household.pk]), data)
    errors = response.context["form"].errors
    assert set(errors) == {"sex", "birth_year"}
    assert errors["birth_year"] == ["Năm sinh 2999 không hợp lệ."]
    assert "Chưa ghi: 2 ô cần sửa, tô đỏ bên dưới." in response.content.decode()
    child = household.members.exclude(relation="head").first()
    response = officer_client.post(reverse("registry:member_edit", args=[child.pk]), {**data, "full_name": ""})
    assert set(response.context["form"].errors) == {"full_name", "sex", "birth_year"}
    assert household.members.count() == 2


def test_a_refused_member_row_still_gets_the_rules_that_do_not_read_the_refused_field(officer_client, units):
    data = _register_post(units, housing_area_m2="-1", **{"members-1-sex": "x", "members-1-birth_year": "2999"})
    response = officer_client.post(reverse("registry:household_create"), data)
    row = response.context["formset"].forms[1]
    assert set(row.errors) == {"sex", "birth_year"}
    assert row.errors["birth_year"] == ["Năm sinh 2999 không hợp lệ."]
    assert not Household.objects.exists()


def test_members_add_edit_and_change_head(officer_client, units):
    household = make_household(units.tho_xuan, code="M1")
    response = officer_client.post(
        reverse("registry:member_create", args=[household.pk]),
        {"full_name": "Hà Văn Con", "sex": "male", "relation": "child", "birth_year": "2010",
         "disability": "none", "allowance": "none"},
    )  # fmt: skip
    assert response.status_code == 302
    child = household.members.get(full_name="Hà Văn Con")
    response = officer_client.post(
        reverse("registry:member_edit", args=[child.pk]),
        {"full_name": "Hà Văn Con", "sex": "male", "relation": "child", "birth_year": "2011",
         "disability": "none", "allowance": "none", "schooling": "lower_secondary"},
    )  # fmt: skip
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.birth_year, child.schooling) == (2011, "lower_secondary")
    spouse = household.members.get(relation="spouse")
    response = officer_client.post(
        reverse("registry:household_change_head", args=[household.pk]),
        {"new_head": spouse.pk, "old_head_relation": "spouse"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head == spouse
    assert household.female_head


def test_member_form_cannot_make_a_second_head(officer_client, units):
    household = make_household(units.tho_xuan, code="M2")
    response = officer_client.post(
        reverse("registry:member_create", args=[household.pk]),
        {"full_name": "Hà Văn Khác", "sex": "male", "relation": "head", "birth_year": "1990",
         "disability": "none", "allowance": "none"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "relation" in response.context["form"].errors
    assert household.members.count() == 2


def test_detail_masks_cccd_and_shows_history_and_empty_sections(officer_client, units, users):
    household = make_household(units.tho_xuan, code="D1", actor=users.commune_officer,
                               members=[head(id_number=HEAD_ID), member()])  # fmt: skip
    household_update(actor=users.commune_officer, household=household, expected_version=1,
                     data=HouseholdData(code="D1", facts={"lone_household": True}))  # fmt: skip
    response = officer_client.get(reverse("registry:household_detail", args=[household.pk]))
    content = response.content.decode()
    assert HEAD_ID not in content
    assert "•••••••••123" in content
    assert "Xem đầy đủ" in content
    assert "Chưa có dữ liệu phân loại." in content
    assert "Sửa thông tin hộ" in response.context["history"][0]["label"]
    assert response.context["history"][0]["changes"] == [{"field": "Hộ neo đơn", "old": "Không", "new": "Có"}]


def test_a_village_head_sees_only_the_mask_and_cannot_reveal(client, units, users):
    household = make_household(units.tho_xuan, village=units.t1, code="V1", members=[head(id_number=HEAD_ID)])
    client.force_login(users.village_head)
    content = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert HEAD_ID not in content
    assert "Xem đầy đủ" not in content
    assert "Sửa thông tin hộ" not in content
    response = client.post(reverse("registry:member_reveal_id", args=[household.head_id]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(event_type=RegistryEventType.FULL_IDENTITY_VIEWED).exists()


def test_reveal_shows_the_number_and_records_who_looked(officer_client, units, users):
    household = make_household(units.tho_xuan, code="R1", members=[head(id_number=HEAD_ID)])
    url = reverse("registry:member_reveal_id", args=[household.head_id])
    assert officer_client.get(url).status_code == 405  # a link or prefetch cannot reveal
    response = officer_client.post(url)
    assert response.status_code == 200
    assert HEAD_ID in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(event_type=RegistryEventType.FULL_IDENTITY_VIEWED)
    assert event.actor == users.commune_officer
    assert event.target_id == str(household.head_id)
    assert HEAD_ID not in str(event.changes)
    fragment = officer_client.post(url, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().strip().startswith("<strong>" + HEAD_ID)
    assert AuditEvent.objects.filter(event_type=RegistryEventType.FULL_IDENTITY_VIEWED).count() == 2


def test_history_shows_labels_of_information_devices(officer_client, units, users):
    household = make_household(units.tho_xuan, code="D2", actor=users.commune_officer)
    household_update(actor=users.commune_officer, household=household, expected_version=1,
                     data=HouseholdData(code="D2", facts={"info_devices": ["tv", "internet"]}))  # fmt: skip
    response = officer_client.get(reverse("registry:household_detail", args=[household.pk]))
    change = response.context["history"][0]["changes"][0]
    assert change["new"] == f"{InfoDevice.TV.label}, {InfoDevice.INTERNET.label}"


def test_list_offers_export_with_the_current_filters_and_detail_offers_life_events(officer_client, units, users):
    household = make_household(units.tho_xuan, code="D3", actor=users.commune_officer)
    content = officer_client.get(reverse("registry:household_list") + "?q=nguyen&page=1").content.decode()
    assert reverse("registry:household_export") + "?q=nguyen" in content
    assert reverse("registry:household_export") + "?q=nguyen&amp;format=csv" in content
    content = officer_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    for name in ("member_birth", "household_split", "household_merge", "move_request"):
        assert reverse(f"registry:{name}", args=[household.pk]) in content
    assert reverse("registry:member_death", args=[household.head_id]) in content


def test_list_filter_of_a_large_area_offers_villages_only_after_a_commune_is_chosen(client, users, units,
                                                                                   monkeypatch):  # fmt: skip
    from ansinh.registry import selectors

    make_household(units.tho_xuan, village=units.t1, code="VF1")
    monkeypatch.setattr(selectors, "VILLAGE_FILTER_MAX", 0)
    client.force_login(users.province_officer)
    url = reverse("registry:household_list")
    page = client.get(url).content.decode()
    assert f'value="{units.t1.pk}"' not in page and "hãy chọn xã/phường" in page
    page = client.get(url, {"commune": units.tho_xuan.pk}).content.decode()
    assert f'<option value="{units.t1.pk}">{units.t1.name} ({units.tho_xuan.name})</option>' in page
    assert "hãy chọn xã/phường" not in page  # villages are offered: no hint
    response = client.get(url, {"village": units.t1.pk})  # a link naming only the village
    assert response.status_code == 200 and [h.code for h in response.context["table"].data] == ["VF1"]


def test_the_moves_button_is_offered_only_with_the_permission_its_page_checks(client, users, units):
    move_list = reverse("registry:move_list")
    for user, allowed in ((users.commune_officer, True), (users.province_approver, False)):
        client.force_login(user)
        content = client.get(reverse("registry:household_list")).content.decode()
        assert (f'href="{move_list}"' in content) is allowed
        assert client.get(move_list).status_code == (200 if allowed else 403)


def test_list_explains_an_area_of_units_no_longer_in_force(client, users, units):
    # A legacy district officer: the district ended on 30/6/2025; a commune officer gets no notice.
    client.force_login(users.district_officer)
    response = client.get(reverse("registry:household_list"))
    assert response.context["ended_areas"] == [units.tho_xuan_district]
    assert "chỉ có hiệu lực đến 30/06/2025" in response.content.decode()
    client.force_login(users.commune_officer)
    response = client.get(reverse("registry:household_list"))
    assert response.context["ended_areas"] == []
    assert "chỉ có hiệu lực đến" not in response.content.decode()


def test_members_actions_are_one_menu_and_marriage_is_offered_from_the_legal_age(officer_client, units, users):
    child = member("Nguyễn Thị Nhỏ", relation="child", birth_year=timezone.localdate().year - 8)
    household = make_household(units.tho_xuan, actor=users.commune_officer, members=[head(), member(), child])
    content = officer_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    ids = dict(household.members.values_list("full_name", "pk"))
    assert content.count('<details class="row-menu">') == 3
    assert reverse("registry:member_leave_marriage", args=[ids["Lê Thị Bình"]]) in content
    assert reverse("registry:member_leave_marriage", args=[ids["Nguyễn Thị Nhỏ"]]) not in content
    assert reverse("registry:member_death", args=[ids["Nguyễn Thị Nhỏ"]]) in content
