"""Permission-matrix cases of the review step 'results' (collected by tests/matrix.py).

`_setup` opens Thanh Hóa's 2025 campaign (in the Thanh Hóa users' area) with one decided household in
Thôn 1, and Đắk Lắk's (out of it) with one decided household: both can be frozen (no approval rows).
"""

from ansinh.core.testing.matrix import Case
from ansinh.reviews.tests.matrix_common import _api_c, _api_c_out, _c, _c_out

VIEWER, OTHER = "commune_officer", "helping_agency_member"
FREEZER, NOT_FREEZER = "province_officer", "commune_chair"


def _setup(ctx):
    from ansinh.reviews.tests.factories import case_at, classified_household, load_reference_data, thanh_hoa_campaign
    from ansinh.reviews.tests.helpers_results import dak_lak_final

    load_reference_data()
    units, users = ctx.units, ctx.users
    ctx.campaign = thanh_hoa_campaign(ctx, open_=True)
    hh = classified_household(units.tho_xuan, village=units.t1, code="R1", klass="poor", actor=users.commune_officer)
    ctx.case = case_at(ctx.campaign, hh, "decided", final_class="poor")
    dak_lak_final(ctx)


CASES = [
    Case("reviews:campaign_progress", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_results", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_results_csv", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_results_freeze", user=FREEZER, wrong_role=NOT_FREEZER, method="post", ok_status=302,
         setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("api:reviews_progress", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_c, out_kwargs=_api_c_out),
    Case("api:reviews_results_list", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_transition_counts", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_results_freeze", user=FREEZER, wrong_role=NOT_FREEZER, method="post", ok_status=200,
         setup=_setup, kwargs=_api_c, out_kwargs=_api_c_out),
]  # fmt: skip
