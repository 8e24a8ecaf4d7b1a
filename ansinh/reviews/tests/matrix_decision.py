"""Permission-matrix cases of the review step 'decision' (collected by tests/matrix.py)."""

from ansinh.core.testing.matrix import Case
from ansinh.reviews.tests.helpers_decision import build_decided, build_posted, build_screened
from ansinh.reviews.tests.matrix_common import _api_c, _api_c_out, _c, _c_out

RECORDER, NOT_RECORDER = "commune_chair", "supervisor"  # the supervisor reads decisions but records none
VIEWER, NOT_VIEWER = "commune_officer", "helping_agency_member"


def _d(ctx):
    return {"pk": ctx.decision.pk}


def _d_out(ctx):
    return {"pk": ctx.decision_out.pk}


def _api_d(ctx):
    return {"decision_id": ctx.decision.pk}


def _api_d_out(ctx):
    return {"decision_id": ctx.decision_out.pk}


def _decision_post(ctx):
    return {"commune": ctx.units.tho_xuan.pk, "number": "125/QĐ-UBND", "signed_on": "2025-11-20",
            "signer_name": "Lê Văn Bình", "signer_position": "Chủ tịch"}  # fmt: skip


def _api_decision_post(ctx):
    return {"commune_id": ctx.units.tho_xuan.pk, "number": "125/QĐ-UBND", "signed_on": "2025-11-20",
            "signer_name": "Lê Văn Bình", "signer_position": "Chủ tịch"}  # fmt: skip


CASES = [
    Case("reviews:decision_create", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:decision_create",
         setup=build_posted, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:decision_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", data=_decision_post,
         ok_status=302, setup=build_posted, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:decision_detail", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_d,
         out_kwargs=_d_out),
    Case("reviews:decision_draft", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_d,
         out_kwargs=_d_out),
    Case("reviews:certificate_list", user=VIEWER, wrong_role=NOT_VIEWER, id="GET reviews:certificate_list",
         setup=build_decided, kwargs=_d, out_kwargs=_d_out),
    Case("reviews:certificate_list", user=RECORDER, wrong_role=NOT_RECORDER, method="post", data=lambda c: {},
         ok_status=302, setup=build_decided, kwargs=_d, out_kwargs=_d_out),
    Case("reviews:certificate_print", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided,
         kwargs=lambda c: {"pk": c.cases["H1"].pk}, out_kwargs=lambda c: {"pk": c.case_out.pk}),
    Case("reviews:case_refusal", user=RECORDER, wrong_role=NOT_RECORDER, setup=build_screened,
         kwargs=lambda c: {"pk": c.screened.pk}, out_kwargs=lambda c: {"pk": c.screened_out.pk}),
    # API
    Case("api:reviews_decision_list", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_decision_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post",
         data=_api_decision_post, ok_status=201, setup=build_posted, kwargs=_api_c, out_kwargs=_api_c_out),
    Case("api:reviews_decision_get", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_api_d,
         out_kwargs=_api_d_out),
    Case("api:reviews_decision_draft", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_api_d,
         out_kwargs=_api_d_out),
    Case("api:reviews_certificate_list", user=VIEWER, wrong_role=NOT_VIEWER, setup=build_decided, kwargs=_api_d,
         out_kwargs=_api_d_out),
    Case("api:reviews_certificates_issue", user=RECORDER, wrong_role=NOT_RECORDER, method="post",
         data=lambda c: {}, ok_status=201, setup=build_decided, kwargs=_api_d, out_kwargs=_api_d_out),
]  # fmt: skip
