"""Permission-matrix cases of re-inspection (phúc tra; collected by tests/matrix.py).

Both 2025 campaigns are open with four posted households each (Thọ Xuân in area, M'Đrắk out of it);
`_setup_reinspected` adds to each a re-inspection of two households, the second one a discrepancy.
The inspector (and the province officer) orders and records findings; the commune officer resolves.
"""

from ansinh.core.testing.matrix import Case
from ansinh.reviews.tests.matrix_common import _api_c, _api_c_out, _c, _c_out

VIEWER, OTHER = "commune_officer", "helping_agency_member"
INSPECTOR, NOT_INSPECTOR = "inspector", "commune_officer"
RESOLVER, NOT_RESOLVER = "commune_officer", "inspector"


def _setup(ctx):
    from ansinh.reviews.tests.factories import load_reference_data
    from ansinh.reviews.tests.helpers_inspection import inspection_ctx

    load_reference_data()
    built = inspection_ctx(ctx.units, ctx.users)
    ctx.campaign, ctx.campaign_out = built.campaign, built.campaign_out
    ctx.cases, ctx.cases_out = built.cases, built.cases_out


def _setup_reinspected(ctx):
    from ansinh.reviews.tests.helpers_inspection import with_discrepancy

    _setup(ctx)
    ctx.reinspection = with_discrepancy(ctx)
    ctx.reinspection_out = with_discrepancy(
        ctx, campaign=ctx.campaign_out, commune=ctx.units.mdrak, actor=ctx.users.province_officer_dl,
        cases=ctx.cases_out[:2],
    )  # fmt: skip
    ctx.sample = ctx.reinspection.samples.get(discrepancy=True)
    ctx.sample_out = ctx.reinspection_out.samples.get(discrepancy=True)


def _r(ctx):
    return {"pk": ctx.reinspection.pk}


def _r_out(ctx):
    return {"pk": ctx.reinspection_out.pk}


def _api_r(ctx):
    return {"reinspection_id": ctx.reinspection.pk}


def _api_r_out(ctx):
    return {"reinspection_id": ctx.reinspection_out.pk}


def _s(ctx):
    return {"pk": ctx.reinspection.pk, "sample_pk": ctx.sample.pk}


def _s_out(ctx):
    return {"pk": ctx.reinspection_out.pk, "sample_pk": ctx.sample_out.pk}


def _api_s(ctx):
    return {"sample_id": ctx.sample.pk}


def _api_s_out(ctx):
    return {"sample_id": ctx.sample_out.pk}


def _finding(ctx):
    return {"found_class": "poor", "findings": "Hộ không có thu nhập ổn định", "inspector_name": "Đỗ Văn Kiên",
            "inspected_on": "2025-10-25"}  # fmt: skip


def _resolve(ctx):
    return {"resolution": "Xã rà soát lại phiếu B của hộ", "resurvey": True}


CASES = [
    Case("reviews:reinspection_units", user=VIEWER, wrong_role=OTHER, setup=_setup_reinspected, kwargs=_c,
         out_kwargs=_c_out),
    Case("reviews:reinspection_order", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=302,
         data=lambda c: {"commune": c.units.tho_xuan.pk, "reasons": "Tỷ lệ nghèo giảm bất thường", "sample_size": 2},
         setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:reinspection_detail", user=VIEWER, wrong_role=OTHER, setup=_setup_reinspected, kwargs=_r,
         out_kwargs=_r_out),
    Case("reviews:reinspection_finding", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=302,
         data=_finding, setup=_setup_reinspected, kwargs=_s, out_kwargs=_s_out),
    Case("reviews:reinspection_resolve", user=RESOLVER, wrong_role=NOT_RESOLVER, method="post", ok_status=302,
         data=_resolve, setup=_setup_reinspected, kwargs=_s, out_kwargs=_s_out),
    Case("reviews:reinspection_close", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=302,
         setup=_setup_reinspected, kwargs=_r, out_kwargs=_r_out),
    # API
    Case("api:reviews_suspicious_units", user=VIEWER, wrong_role=OTHER, setup=_setup_reinspected, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_reinspection_create", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=201,
         data=lambda c: {"commune_id": c.units.tho_xuan.pk, "reasons": ["3 khiếu nại"],
                         "case_ids": [c.cases[0].pk, c.cases[2].pk]},
         setup=_setup, kwargs=_api_c, out_kwargs=_api_c_out),
    Case("api:reviews_reinspection_list", user=VIEWER, wrong_role=OTHER, setup=_setup_reinspected, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_reinspection_get", user=VIEWER, wrong_role=OTHER, setup=_setup_reinspected, kwargs=_api_r,
         out_kwargs=_api_r_out),
    Case("api:reviews_finding_record", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=200,
         data=_finding, setup=_setup_reinspected, kwargs=_api_s, out_kwargs=_api_s_out),
    Case("api:reviews_discrepancy_resolve", user=RESOLVER, wrong_role=NOT_RESOLVER, method="post", ok_status=200,
         data=_resolve, setup=_setup_reinspected, kwargs=_api_s, out_kwargs=_api_s_out),
    Case("api:reviews_reinspection_close", user=INSPECTOR, wrong_role=NOT_INSPECTOR, method="post", ok_status=200,
         setup=_setup_reinspected, kwargs=_api_r, out_kwargs=_api_r_out),
]  # fmt: skip
