"""Permission-matrix cases of step 10 (approval upward): the approval tree page and API, and the three
moves. The commune officer submits Thọ Xuân, the commune chair approves it, the province officer
submits the province, the province approver approves it and returns an approved commune; the
supervisor sees the rows but may do none of this; out of area = the Đắk Lắk campaign's rows."""

from ansinh.core.testing.matrix import Case


def _setup(ctx):
    """Both campaigns open with their approval rows; Thọ Xuân (and M'Đrắk) decided, ready to submit."""
    from ansinh.reviews.tests.factories import dak_lak_campaign, load_reference_data, thanh_hoa_campaign
    from ansinh.reviews.tests.helpers_approval import decided_commune, rows

    load_reference_data()
    users, units = ctx.users, ctx.units
    ctx.campaign = thanh_hoa_campaign(ctx, open_=True)
    ctx.campaign_out = dak_lak_campaign(ctx, open_=True)
    decided_commune(ctx.campaign, units.tho_xuan, village=units.t1, prefix="X", actor=users.commune_officer)
    decided_commune(ctx.campaign, units.hac_thanh, prefix="H", actor=None)
    decided_commune(ctx.campaign_out, units.mdrak, village=units.b1, prefix="M", actor=users.commune_officer_dl)
    r, r_out = rows(ctx.campaign), rows(ctx.campaign_out)
    ctx.commune, ctx.other_commune, ctx.province = r["16000"], r["16001"], r["38"]
    ctx.commune_out, ctx.province_out = r_out["24000"], r_out["66"]


def _ready(ctx):
    """Thọ Xuân submitted by the commune officer (the chair approves next)."""
    from ansinh.reviews.services_approval import results_submit

    _setup(ctx)
    results_submit(actor=ctx.users.commune_officer, approval=ctx.commune)


def _approved(ctx):
    """Thọ Xuân approved by its chair (the province approver may return it)."""
    from ansinh.reviews.services_approval import results_approve

    _ready(ctx)
    results_approve(actor=ctx.users.commune_chair, approval=ctx.commune)


def _province_waiting(ctx):
    """Both communes approved: the province officer may submit the province."""
    from ansinh.reviews.services_approval import results_approve, results_submit
    from conftest import make_user

    _approved(ctx)
    from ansinh.accounts.models import Role

    roles = {r.code: r for r in Role.objects.all()}
    officer = make_user("ht_officer", role="commune_officer", unit=ctx.units.hac_thanh, roles=roles)
    chair = make_user("ht_chair", role="commune_chair", unit=ctx.units.hac_thanh, roles=roles)
    results_submit(actor=officer, approval=ctx.other_commune)
    results_approve(actor=chair, approval=ctx.other_commune)


def _province_ready(ctx):
    from ansinh.reviews.services_approval import results_submit

    _province_waiting(ctx)
    results_submit(actor=ctx.users.province_officer, approval=ctx.province)


def _row(name):
    return lambda c: {"pk": getattr(c, name).pk}


def _api_row(name):
    return lambda c: {"approval_id": getattr(c, name).pk}


def _reason(ctx):
    return {"reason": "Hộ X1 có xe ô tô, đề nghị rà soát lại"}


WRONG = "supervisor"  # sees the approval rows, may neither submit nor approve

CASES = [
    Case("reviews:approval_tree", user="commune_officer", wrong_role="helping_agency_member", setup=_setup,
         kwargs=lambda c: {"pk": c.campaign.pk}, out_kwargs=lambda c: {"pk": c.campaign_out.pk}),
    Case("reviews:approval_submit", user="commune_officer", wrong_role=WRONG, method="post", ok_status=302,
         setup=_setup, kwargs=_row("commune"), out_kwargs=_row("commune_out")),
    Case("reviews:approval_submit", user="province_officer", wrong_role=WRONG, method="post", ok_status=302,
         setup=_province_waiting, kwargs=_row("province"), out_kwargs=_row("province_out"),
         id="POST reviews:approval_submit (province)"),
    Case("reviews:approval_approve", user="commune_chair", wrong_role=WRONG, method="post", ok_status=302,
         setup=_ready, kwargs=_row("commune"), out_kwargs=_row("commune_out")),
    Case("reviews:approval_approve", user="province_approver", wrong_role=WRONG, method="post", ok_status=302,
         setup=_province_ready, kwargs=_row("province"), out_kwargs=_row("province_out"),
         id="POST reviews:approval_approve (province)"),
    Case("reviews:approval_return", user="province_approver", wrong_role=WRONG, method="post", ok_status=302,
         data=_reason, setup=_approved, kwargs=_row("commune"), out_kwargs=_row("commune_out")),
    # API
    Case("api:reviews_approval_list", user="commune_officer", wrong_role="helping_agency_member", setup=_setup,
         kwargs=lambda c: {"campaign_id": c.campaign.pk}, out_kwargs=lambda c: {"campaign_id": c.campaign_out.pk}),
    Case("api:reviews_approval_submit", user="commune_officer", wrong_role=WRONG, method="post", setup=_setup,
         kwargs=_api_row("commune"), out_kwargs=_api_row("commune_out")),
    Case("api:reviews_approval_submit", user="province_officer", wrong_role=WRONG, method="post",
         setup=_province_waiting, kwargs=_api_row("province"), out_kwargs=_api_row("province_out"),
         id="POST api:reviews_approval_submit (province)"),
    Case("api:reviews_approval_approve", user="commune_chair", wrong_role=WRONG, method="post", setup=_ready,
         kwargs=_api_row("commune"), out_kwargs=_api_row("commune_out")),
    Case("api:reviews_approval_approve", user="province_approver", wrong_role=WRONG, method="post",
         setup=_province_ready, kwargs=_api_row("province"), out_kwargs=_api_row("province_out"),
         id="POST api:reviews_approval_approve (province)"),
    Case("api:reviews_approval_return", user="province_approver", wrong_role=WRONG, method="post", data=_reason,
         setup=_approved, kwargs=_api_row("commune"), out_kwargs=_api_row("commune_out")),
]  # fmt: skip
