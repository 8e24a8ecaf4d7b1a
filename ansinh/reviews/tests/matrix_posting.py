"""Permission-matrix cases of the review step 'posting' (collected by tests/matrix.py): public postings
(record_case) and complaints (handle_complaint), each page and API operation."""

from ansinh.core.testing.matrix import Case
from ansinh.reviews.tests.helpers_posting import setup_matrix
from ansinh.reviews.tests.matrix_common import _api_c, _api_c_out, _c, _c_out

RECORDER, NOT_RECORDER = "commune_officer", "supervisor"  # the supervisor sees postings but posts nothing
HANDLER, NOT_HANDLER = "commune_officer", "village_head"  # the village head sees complaints, verifies none
VIEWER, OTHER = "commune_officer", "helping_agency_member"


def _posting_post(ctx):
    return {"unit": ctx.units.t1.pk, "places": "Nhà văn hóa Thôn 1\nTrụ sở UBND xã", "start_on": "2025-10-16",
            "working_days": "3"}  # fmt: skip


def _complaint_post(ctx):
    return {"complainant_name": "Lê Thị Hoa", "content": "Hộ mới xây nhà kiên cố", "channel": "letter",
            "received_on": "2025-10-15"}  # fmt: skip


def _verify_post(ctx):
    return {"outcome": "rejected", "reason": "Nhà do con trai ở riêng xây"}


CASES = [
    Case("reviews:posting_create", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:posting_create",
         setup=setup_matrix, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:posting_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=_posting_post, setup=setup_matrix, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:posting_detail", user=VIEWER, wrong_role=OTHER, setup=setup_matrix,
         kwargs=lambda c: {"pk": c.posting.pk}, out_kwargs=lambda c: {"pk": c.posting_out.pk}),
    Case("reviews:complaint_list", user=VIEWER, wrong_role=OTHER, setup=setup_matrix, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:complaint_create", user=HANDLER, wrong_role=NOT_HANDLER, id="GET reviews:complaint_create",
         setup=setup_matrix, kwargs=lambda c: {"pk": c.posted.pk}, out_kwargs=lambda c: {"pk": c.posted_out.pk}),
    Case("reviews:complaint_create", user=HANDLER, wrong_role=NOT_HANDLER, method="post", ok_status=302,
         data=_complaint_post, setup=setup_matrix, kwargs=lambda c: {"pk": c.posted.pk},
         out_kwargs=lambda c: {"pk": c.posted_out.pk}),
    Case("reviews:complaint_verify", user=HANDLER, wrong_role=NOT_HANDLER, id="GET reviews:complaint_verify",
         setup=setup_matrix, kwargs=lambda c: {"pk": c.complaint.pk},
         out_kwargs=lambda c: {"pk": c.complaint_out.pk}),
    Case("reviews:complaint_verify", user=HANDLER, wrong_role=NOT_HANDLER, method="post", ok_status=302,
         data=_verify_post, setup=setup_matrix, kwargs=lambda c: {"pk": c.complaint.pk},
         out_kwargs=lambda c: {"pk": c.complaint_out.pk}),
    # API
    Case("api:reviews_posting_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=201,
         data=lambda c: {"unit_id": c.units.t1.pk, "places": ["Nhà văn hóa Thôn 1"], "start_on": "2025-10-16"},
         setup=setup_matrix, kwargs=_api_c, out_kwargs=_api_c_out),
    Case("api:reviews_posting_list", user=VIEWER, wrong_role=OTHER, setup=setup_matrix, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_posting_get", user=VIEWER, wrong_role=OTHER, setup=setup_matrix,
         kwargs=lambda c: {"posting_id": c.posting.pk}, out_kwargs=lambda c: {"posting_id": c.posting_out.pk}),
    Case("api:reviews_complaint_create", user=HANDLER, wrong_role=NOT_HANDLER, method="post", ok_status=201,
         data=lambda c: {**_complaint_post(c)}, setup=setup_matrix,
         kwargs=lambda c: {"case_id": c.posted.pk}, out_kwargs=lambda c: {"case_id": c.posted_out.pk}),
    Case("api:reviews_complaint_list", user=VIEWER, wrong_role=OTHER, setup=setup_matrix, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_complaint_verify", user=HANDLER, wrong_role=NOT_HANDLER, method="post", ok_status=200,
         data=lambda c: {"upheld": True, "reason": "Hộ có ô tô, không thuộc diện hộ nghèo"}, setup=setup_matrix,
         kwargs=lambda c: {"complaint_id": c.complaint.pk}, out_kwargs=lambda c: {"complaint_id": c.complaint_out.pk}),
]  # fmt: skip
