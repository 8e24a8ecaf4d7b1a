"""Permission-matrix cases for every geo page and API operation (run by ansinh/core/tests)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ansinh.core.testing.matrix import Case


def _csv(ctx):
    content = "mã thôn,tên thôn,loại\nT9,Thôn 9,Thôn\n".encode()
    return {"file": SimpleUploadedFile("thon.csv", content, content_type="text/csv")}


def _village(ctx):
    return {"code": "T9", "name": "Thôn 9", "unit_type": "thon"}


def _area_type(ctx):
    return {"area_type": "urban", "reason": "Quyết định 12/QĐ-UBND"}


CASES = [
    # pages
    Case("geo:unit_list", user="commune_officer"),
    Case("geo:unit_detail", user="commune_officer",
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    Case("geo:village_create", user="commune_officer", id="GET geo:village_create",
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    Case("geo:village_create", user="commune_officer", method="post", data=_village, ok_status=302,
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    Case("geo:village_update", user="commune_officer", id="GET geo:village_update",
         kwargs=lambda c: {"pk": c.units.t1.pk}, out_kwargs=lambda c: {"pk": c.units.b1.pk}),
    Case("geo:village_update", user="commune_officer", method="post", data=_village, ok_status=302,
         kwargs=lambda c: {"pk": c.units.t1.pk}, out_kwargs=lambda c: {"pk": c.units.b1.pk}),
    Case("geo:village_import", user="commune_officer", id="GET geo:village_import",
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    # The per-row result is rendered as the answer (200), not redirected to.
    Case("geo:village_import", user="commune_officer", method="post", data=_csv, ok_status=200,
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    Case("geo:area_type", user="province_officer", wrong_role="commune_officer", id="GET geo:area_type",
         kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    Case("geo:area_type", user="province_officer", wrong_role="commune_officer", method="post", data=_area_type,
         ok_status=302, kwargs=lambda c: {"pk": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"pk": c.units.mdrak.pk}),
    # API
    Case("api:geo_unit_list", user="commune_officer"),
    Case("api:geo_unit_detail", user="commune_officer",
         kwargs=lambda c: {"unit_id": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"unit_id": c.units.mdrak.pk}),
    Case("api:geo_unit_children", user="commune_officer",
         kwargs=lambda c: {"unit_id": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"unit_id": c.units.mdrak.pk}),
    Case("api:geo_village_create", user="commune_officer", method="post", data=_village, ok_status=201,
         kwargs=lambda c: {"commune_id": c.units.tho_xuan.pk}, out_kwargs=lambda c: {"commune_id": c.units.mdrak.pk}),
    Case("api:geo_village_update", user="commune_officer", method="patch", data=lambda c: {"name": "Thôn Một"},
         kwargs=lambda c: {"village_id": c.units.t1.pk}, out_kwargs=lambda c: {"village_id": c.units.b1.pk}),
    Case("api:geo_unit_area_type_set", user="province_officer", wrong_role="commune_officer", method="post",
         data=_area_type, kwargs=lambda c: {"unit_id": c.units.tho_xuan.pk},
         out_kwargs=lambda c: {"unit_id": c.units.mdrak.pk}),
]  # fmt: skip
