"""The unit admin reads through the area scope and is read-only."""

from django.urls import reverse

from ansinh.geo.models import AdminUnit


def test_admin_lists_area_searches_folded_and_hides_out_of_area(client, users, units):
    officer = users.commune_officer
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    response = client.get(reverse("admin:geo_adminunit_changelist"), {"q": "THO XUÂN"})
    assert response.status_code == 200
    assert [u.name for u in response.context["cl"].result_list] == ["Xã Thọ Xuân"]
    assert client.get(reverse("admin:geo_adminunit_change", args=[units.tho_xuan.pk])).status_code == 200
    assert client.get(reverse("admin:geo_adminunit_change", args=[units.mdrak.pk])).status_code == 404
    assert client.get(reverse("admin:geo_adminunit_add")).status_code == 403
    # A read-only admin page ignores a submitted change.
    client.post(reverse("admin:geo_adminunit_change", args=[units.tho_xuan.pk]), {"name": "Xã Khác"})
    assert AdminUnit.objects.get(pk=units.tho_xuan.pk).name == "Xã Thọ Xuân"
