"""Permission-matrix cases for every accounts page and API operation (run by core's matrix test).

Pages about oneself (profile, password, tokens) are open to every signed-in user, so they have no
wrong role; "out of area" for a token is someone else's token. Assignments are managed by the
Thanh Hóa province officer; the out-of-area object is the commune officer's assignment in Đắk Lắk.
"""

from ansinh.core.testing.matrix import Case


def _assignment_pk(user) -> int:
    from ansinh.accounts.models import RoleAssignment

    return RoleAssignment.objects.get(user=user).pk


def _tokens(ctx) -> None:
    from ansinh.accounts.services import api_token_create

    ctx.own_token = api_token_create(actor=ctx.users.commune_officer, name="own").token
    ctx.other_token = api_token_create(actor=ctx.users.commune_officer_dl, name="other").token


IN_AREA = lambda ctx: {"pk": _assignment_pk(ctx.users.commune_officer)}  # noqa: E731
OUT_OF_AREA = lambda ctx: {"pk": _assignment_pk(ctx.users.commune_officer_dl)}  # noqa: E731

CASES = [
    Case("accounts:profile", user="commune_officer", wrong_role=None),
    Case("accounts:password_change", user="commune_officer", wrong_role=None),
    Case("accounts:token_create", user="commune_officer", wrong_role=None),
    Case(
        "accounts:token_revoke", user="commune_officer", wrong_role=None, method="post", setup=_tokens,
        kwargs=lambda ctx: {"pk": ctx.own_token.pk}, out_kwargs=lambda ctx: {"pk": ctx.other_token.pk},
        ok_status=302,
    ),
    Case("accounts:assignment_list", user="province_officer"),
    Case("accounts:assignment_create", user="province_officer"),
    Case(
        "accounts:assignment_end", user="province_officer", method="post",
        kwargs=IN_AREA, out_kwargs=OUT_OF_AREA, ok_status=302,
    ),
    Case("api:me_get", user="commune_officer", wrong_role=None),
    Case("api:token_list", user="commune_officer", wrong_role=None),
    Case("api:token_create", user="commune_officer", wrong_role=None, method="post",
         data=lambda ctx: {"name": "tích hợp"}, ok_status=201),
    Case(
        "api:token_revoke", user="commune_officer", wrong_role=None, method="post", setup=_tokens,
        kwargs=lambda ctx: {"token_id": ctx.own_token.pk}, out_kwargs=lambda ctx: {"token_id": ctx.other_token.pk},
    ),
    Case("api:role_assignment_list", user="province_officer"),
    Case(
        "api:role_assignment_create", user="province_officer", method="post", ok_status=201,
        data=lambda ctx: {"username": "no_role", "role": "supervisor", "unit_code": "16000"},
    ),
    Case(
        "api:role_assignment_end", user="province_officer", method="post",
        kwargs=lambda ctx: {"assignment_id": _assignment_pk(ctx.users.commune_officer)},
        out_kwargs=lambda ctx: {"assignment_id": _assignment_pk(ctx.users.commune_officer_dl)},
    ),
]  # fmt: skip
