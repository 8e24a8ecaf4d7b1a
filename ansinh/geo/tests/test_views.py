"""Pages of the geo app: what they show, and that refusals come back as form errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.geo.choices import AreaType, Level, Structure, UnitType
from ansinh.geo.events import GeoEventType
from ansinh.geo.models import AdminUnit


@pytest.fixture
def officer_client(client, users):
    client.force_login(users.commune_officer)
    return client


def test_unit_list_shows_only_the_area_and_searches_without_accents(officer_client, units):
    response = officer_client.get(reverse("geo:unit_list"), {"q": "tho xuan"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Xã Thọ Xuân" in content
    assert "Đắk Lắk" not in content
    assert "M&#x27;Đrắk" not in content


def test_unit_list_filters_by_structure_level_and_date(client, users, units):
    client.force_login(users.system_admin)
    response = client.get(reverse("geo:unit_list"), {"structure": Structure.LEGACY, "level": Level.COMMUNE})
    table = response.context["table"]
    assert [row.record.name for row in table.page.object_list] == ["Xã Xuân Hồng"]
    response = client.get(reverse("geo:unit_list"), {"as_of": "2025-06-30", "level": Level.PROVINCE})
    assert [row.record.structure for row in response.context["table"].page.object_list] == [Structure.LEGACY]


def test_unit_list_query_count_does_not_grow_with_rows(client, users, units):
    client.force_login(users.system_admin)
    url = reverse("geo:unit_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        AdminUnit.objects.create(
            structure=Structure.Y2025, level=Level.VILLAGE, unit_type=UnitType.THON, code=f"X{i}", name=f"Thôn {i}",
            short_name=f"Thôn {i}", parent=units.hac_thanh,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_unit_detail_shows_breadcrumb_succession_and_villages(client, users, units):
    client.force_login(users.province_officer)
    response = client.get(reverse("geo:unit_detail", args=[units.tho_xuan.pk]))
    content = response.content.decode()
    assert response.context["ancestors"] == [units.th]
    assert reverse("geo:unit_detail", args=[units.th.pk]) in content  # the province is in this officer's area
    assert "Xã Xuân Hồng" in content  # predecessor
    assert "Thôn 1" in content and "Thôn 2" in content
    assert reverse("geo:village_create", args=[units.tho_xuan.pk]) in content
    assert reverse("geo:area_type", args=[units.tho_xuan.pk]) in content


def test_unit_detail_links_only_what_the_reader_may_open(officer_client, units):
    response = officer_client.get(reverse("geo:unit_detail", args=[units.tho_xuan.pk]))
    content = response.content.decode()
    assert "Tỉnh Thanh Hóa" in content
    assert reverse("geo:unit_detail", args=[units.th.pk]) not in content
    assert reverse("geo:area_type", args=[units.tho_xuan.pk]) not in content  # no such permission


def test_legacy_unit_detail_shows_successor(client, users, units):
    client.force_login(users.system_admin)
    response = client.get(reverse("geo:unit_detail", args=[units.xuan_hong.pk]))
    assert [s.successor for s in response.context["successors"]] == [units.tho_xuan]
    assert response.context["reported_under"] == units.tho_xuan


def test_district_detail_lists_children(client, users, units):
    client.force_login(users.system_admin)
    response = client.get(reverse("geo:unit_detail", args=[units.tho_xuan_district.pk]))
    assert [row.record for row in response.context["child_table"].rows] == [units.xuan_hong]


def test_village_create_page_creates_and_redirects(officer_client, units):
    url = reverse("geo:village_create", args=[units.tho_xuan.pk])
    response = officer_client.post(url, {"code": "T3", "name": "Thôn 3", "unit_type": "thon"})
    assert response.status_code == 302
    assert response["Location"] == reverse("geo:unit_detail", args=[units.tho_xuan.pk])
    assert AdminUnit.objects.filter(parent=units.tho_xuan, code="T3").exists()


def test_village_create_duplicate_is_a_form_error(officer_client, units):
    url = reverse("geo:village_create", args=[units.tho_xuan.pk])
    response = officer_client.post(url, {"code": "T1", "name": "Thôn Trùng", "unit_type": "thon"})
    assert response.status_code == 200
    assert "đã có" in " ".join(response.context["form"].errors["code"])


def test_village_create_bad_code_is_a_form_error(officer_client, units):
    url = reverse("geo:village_create", args=[units.tho_xuan.pk])
    response = officer_client.post(url, {"code": "T 3", "name": "Thôn 3", "unit_type": "thon"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_village_create_on_a_province_is_refused_on_the_form(client, users, units):
    client.force_login(users.province_officer)
    response = client.post(
        reverse("geo:village_create", args=[units.th.pk]), {"code": "T3", "name": "Thôn 3", "unit_type": "thon"}
    )
    assert response.status_code == 200
    assert "không phải cấp xã" in " ".join(response.context["form"].non_field_errors())


def test_village_update_page(officer_client, units):
    url = reverse("geo:village_update", args=[units.t1.pk])
    page = officer_client.get(url)
    assert page.context["form"].initial["name"] == "Thôn 1"
    assert page.context["back"] == units.tho_xuan  # cancel returns to the commune
    assert reverse("geo:unit_detail", args=[units.tho_xuan.pk]) in page.content.decode()
    response = officer_client.post(url, {"code": "T1", "name": "Thôn Một", "unit_type": "thon"})
    assert response.status_code == 302
    units.t1.refresh_from_db()
    assert units.t1.name == "Thôn Một"


def test_village_update_of_a_commune_is_not_found(officer_client, units):
    assert officer_client.get(reverse("geo:village_update", args=[units.tho_xuan.pk])).status_code == 404


def test_village_import_page_shows_row_results(officer_client, units):
    content = "mã thôn,tên thôn,loại\nT3,Thôn 3,Thôn\nT 4,Thôn 4,Thôn\n".encode()
    response = officer_client.post(
        reverse("geo:village_import", args=[units.tho_xuan.pk]),
        {"file": SimpleUploadedFile("thon.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert [(r.row_number, r.status) for r in result.rows] == [(2, "created"), (3, "error")]
    assert "Thêm mới: 1" in response.content.decode()


def test_village_import_unreadable_file_is_a_form_error(officer_client, units):
    response = officer_client.post(
        reverse("geo:village_import", args=[units.tho_xuan.pk]),
        {"file": SimpleUploadedFile("thon.csv", b"a,b\n1,2\n", content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "Thiếu cột" in " ".join(response.context["form"].non_field_errors())


def test_area_type_page_sets_and_audits(client, users, units):
    client.force_login(users.province_officer)
    url = reverse("geo:area_type", args=[units.tho_xuan.pk])
    response = client.post(url, {"area_type": AreaType.URBAN, "reason": "QĐ 5/QĐ-UBND"})
    assert response.status_code == 302
    units.tho_xuan.refresh_from_db()
    assert units.tho_xuan.area_type == AreaType.URBAN
    assert AuditEvent.objects.filter(event_type=GeoEventType.AREA_TYPE_SET).count() == 1


def test_area_type_page_requires_reason(client, users, units):
    client.force_login(users.province_officer)
    response = client.post(reverse("geo:area_type", args=[units.tho_xuan.pk]), {"area_type": "urban", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]


def test_a_commune_no_longer_in_force_offers_no_new_village_nor_area_type(client, users, units):
    # Xã Xuân Hồng (legacy, to 30/6/2025) is in the province officer's area; its villages stay
    # editable, but adding one or setting its area type is not offered, and the pages send back.
    client.force_login(users.province_officer)
    response = client.get(reverse("geo:unit_detail", args=[units.xuan_hong.pk]))
    content = response.content.decode()
    assert response.context["can_manage_villages"] is True
    assert reverse("geo:village_create", args=[units.xuan_hong.pk]) not in content
    assert reverse("geo:village_import", args=[units.xuan_hong.pk]) not in content
    assert reverse("geo:area_type", args=[units.xuan_hong.pk]) not in content
    for name in ("geo:village_create", "geo:village_import", "geo:area_type"):
        url = reverse(name, args=[units.xuan_hong.pk])
        page = client.get(url, follow=True)
        assert page.redirect_chain == [(reverse("geo:unit_detail", args=[units.xuan_hong.pk]), 302)]
        assert "30/06/2025" in page.content.decode()
    posted = client.post(
        reverse("geo:village_create", args=[units.xuan_hong.pk]), {"code": "X1", "name": "Thôn X", "unit_type": "thon"}
    )
    assert posted.status_code == 302
    area = client.post(reverse("geo:area_type", args=[units.xuan_hong.pk]), {"area_type": "urban", "reason": "QĐ 1"})
    assert area.status_code == 302
    assert not AdminUnit.objects.filter(parent=units.xuan_hong).exists()
    assert not AuditEvent.objects.filter(
        event_type__in=[GeoEventType.VILLAGE_CREATED, GeoEventType.AREA_TYPE_SET]
    ).exists()
