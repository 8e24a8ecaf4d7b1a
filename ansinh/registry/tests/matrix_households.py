"""Permission-matrix cases of the household pages and API (run by ansinh/core/tests).

`setup` registers one household in Thọ Xuân (in the commune officer's area) and one in M'Đrắk
(out of it); the ids are kept on `ctx`.
"""

from ansinh.core.testing.matrix import Case
from ansinh.registry.tests.factories import head, make_household


def _setup(ctx):
    ctx.hh = make_household(ctx.units.tho_xuan, village=ctx.units.t1, code="IN1")
    ctx.hh_out = make_household(ctx.units.mdrak, code="OUT1")
    ctx.member = ctx.hh.members.exclude(pk=ctx.hh.head_id).get()
    ctx.member_out = ctx.hh_out.members.exclude(pk=ctx.hh_out.head_id).get()
    ctx.hh_with_id = make_household(
        ctx.units.tho_xuan,
        code="IN2",
        members=[head("Trần Văn Cường", id_number="038075000123")],
    )
    ctx.hh_out_with_id = make_household(
        ctx.units.mdrak, code="OUT2", members=[head("Y Bhim Niê", id_number="066075000456")]
    )


def _hh(ctx):
    return {"pk": ctx.hh.pk}


def _hh_out(ctx):
    return {"pk": ctx.hh_out.pk}


def _member(ctx):
    return {"pk": ctx.member.pk}


def _member_out(ctx):
    return {"pk": ctx.member_out.pk}


def _household_post(ctx):
    return {
        "commune": ctx.units.tho_xuan.pk,
        "village": ctx.units.t2.pk,
        "code": "NEW1",
        "area_type": "",
        "disability": "none",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
        "members-0-full_name": "Hoàng Văn Dũng",
        "members-0-sex": "male",
        "members-0-relation": "head",
        "members-0-birth_year": "1980",
        "members-0-disability": "none",
        "members-0-allowance": "none",
    }


def _household_edit_post(ctx):
    return {"code": "IN1", "village": ctx.units.t2.pk, "version": 1, "address": "Xóm Đông"}


def _member_post(ctx):
    return {
        "full_name": "Nguyễn Thị Hoa",
        "sex": "female",
        "relation": "child",
        "birth_year": "2005",
        "disability": "none",
        "allowance": "none",
    }


def _member_edit_post(ctx):
    return {**_member_post(ctx), "full_name": "Lê Thị Bình", "relation": "spouse", "birth_year": "1978"}


def _head_post(ctx):
    return {"new_head": ctx.member.pk, "old_head_relation": "spouse"}


def _head_out_post(ctx):
    return {"new_head": ctx.member_out.pk, "old_head_relation": "spouse"}


def _api_household(ctx):
    return {
        "commune_id": ctx.units.tho_xuan.pk,
        "code": "API1",
        "members": [{"full_name": "Đỗ Văn Em", "sex": "male", "relation": "head", "birth_year": 1970}],
    }


def _api_household_update(ctx):
    return {"code": "IN1", "version": 1, "village_id": ctx.units.t1.pk, "address": "Xóm Tây"}


def _api_member(ctx):
    return {"full_name": "Nguyễn Thị Hoa", "sex": "female", "relation": "child", "birth_year": 2005}


def _api_member_update(ctx):
    return {"full_name": "Lê Thị Bình", "sex": "female", "relation": "spouse", "birth_year": 1979}


WRITER, READ_ONLY = "commune_officer", "village_head"

CASES = [
    # pages: reading
    Case("registry:household_list", user="commune_officer", wrong_role="helping_agency_member", setup=_setup),
    Case("registry:household_detail", user="commune_officer", wrong_role="helping_agency_member", setup=_setup,
         kwargs=_hh, out_kwargs=_hh_out),
    # pages: writing (a village head can read households but not change them)
    Case("registry:household_create", user=WRITER, wrong_role=READ_ONLY, id="GET registry:household_create"),
    Case("registry:household_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_household_post,
         ok_status=302, setup=_setup),
    Case("registry:household_edit", user=WRITER, wrong_role=READ_ONLY, id="GET registry:household_edit",
         setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("registry:household_edit", user=WRITER, wrong_role=READ_ONLY, method="post", data=_household_edit_post,
         ok_status=302, setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("registry:member_create", user=WRITER, wrong_role=READ_ONLY, id="GET registry:member_create",
         setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("registry:member_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_member_post,
         ok_status=302, setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("registry:member_edit", user=WRITER, wrong_role=READ_ONLY, id="GET registry:member_edit",
         setup=_setup, kwargs=_member, out_kwargs=_member_out),
    Case("registry:member_edit", user=WRITER, wrong_role=READ_ONLY, method="post", data=_member_edit_post,
         ok_status=302, setup=_setup, kwargs=_member, out_kwargs=_member_out),
    Case("registry:household_change_head", user=WRITER, wrong_role=READ_ONLY,
         id="GET registry:household_change_head", setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("registry:household_change_head", user=WRITER, wrong_role=READ_ONLY, method="post", data=_head_post,
         ok_status=302, setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    # the full CCCD: a village head sees households but only masked numbers
    Case("registry:member_reveal_id", user=WRITER, wrong_role=READ_ONLY, method="post", setup=_setup,
         kwargs=lambda c: {"pk": c.hh_with_id.head_id}, out_kwargs=lambda c: {"pk": c.hh_out_with_id.head_id}),
    # API
    Case("api:household_list", user="commune_officer", wrong_role="helping_agency_member", setup=_setup),
    Case("api:household_get", user="commune_officer", wrong_role="helping_agency_member", setup=_setup,
         kwargs=lambda c: {"household_id": c.hh.pk}, out_kwargs=lambda c: {"household_id": c.hh_out.pk}),
    Case("api:household_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_api_household,
         ok_status=201, setup=_setup),
    Case("api:household_update", user=WRITER, wrong_role=READ_ONLY, method="put", data=_api_household_update,
         setup=_setup, kwargs=lambda c: {"household_id": c.hh.pk},
         out_kwargs=lambda c: {"household_id": c.hh_out.pk}),
    Case("api:member_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_api_member, ok_status=201,
         setup=_setup, kwargs=lambda c: {"household_id": c.hh.pk},
         out_kwargs=lambda c: {"household_id": c.hh_out.pk}),
    Case("api:member_update", user=WRITER, wrong_role=READ_ONLY, method="put", data=_api_member_update,
         setup=_setup, kwargs=lambda c: {"member_id": c.member.pk},
         out_kwargs=lambda c: {"member_id": c.member_out.pk}),
    Case("api:member_reveal_id", user=WRITER, wrong_role=READ_ONLY, method="post", setup=_setup,
         kwargs=lambda c: {"member_id": c.hh_with_id.head_id},
         out_kwargs=lambda c: {"member_id": c.hh_out_with_id.head_id}),
]  # fmt: skip
