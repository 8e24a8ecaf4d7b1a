"""Permission-matrix cases for every life-event page and API operation (run by ansinh/core/tests).

`setup` registers a family in Thọ Xuân (in area for commune_officer) and one in M'Đrắk (out of
area), plus, for move decisions, a request from Thọ Xuân to M'Đrắk (decided by commune_officer_dl)
and one from Thọ Xuân to Hạc Thành (out of commune_officer_dl's area).
"""

from datetime import date

from ansinh.core.testing.matrix import Case
from ansinh.registry.tests.factories import head, make_household, member

DAY = date(2025, 8, 1)


def _setup(ctx):
    son = member("Nguyễn Văn Cường", sex="male", relation="child", birth_year=2000)
    ctx.home = make_household(ctx.units.tho_xuan, village=ctx.units.t1, members=[head(), member(), son])
    ctx.other = make_household(ctx.units.tho_xuan, code="H002", village=ctx.units.t1)
    ctx.far = make_household(ctx.units.mdrak, code="D001", village=ctx.units.b1)
    ctx.son = ctx.home.members.get(full_name="Nguyễn Văn Cường")
    ctx.far_member = ctx.far.members.exclude(pk=ctx.far.head_id).get()


def _setup_moves(ctx):
    from ansinh.registry.services_life import household_move_request

    _setup(ctx)
    ctx.move = household_move_request(
        actor=ctx.users.commune_officer,
        household=ctx.home,
        to_commune=ctx.units.mdrak,
        move_date=DAY,
        reason="Theo con",
    )
    ctx.move_out = household_move_request(
        actor=ctx.users.commune_officer, household=ctx.other, to_commune=ctx.units.hac_thanh, move_date=DAY
    )


def _far_move(ctx):
    """A move between two communes outside Thọ Xuân (out of commune_officer's area)."""
    from ansinh.registry.services_life import household_move_request

    return household_move_request(
        actor=ctx.users.commune_officer_dl, household=ctx.far, to_commune=ctx.units.hac_thanh, move_date=DAY
    )


def _hh(ctx):
    return {"pk": ctx.home.pk}


def _far_hh(ctx):
    return {"pk": ctx.far.pk}


def _api_hh(ctx):
    return {"household_id": ctx.home.pk}


def _api_far_hh(ctx):
    return {"household_id": ctx.far.pk}


def _person(ctx):
    return {"full_name": "Nguyễn Văn Bé", "sex": "male", "relation": "child", "birth_date": "2025-08-01"}


def _page_person(ctx):
    return {**_person(ctx), "date": "2025-08-01"}


def _spouse(ctx):
    """Someone joining by marriage: of marriage age (Luật Hôn nhân và gia đình 2014, Điều 8)."""
    return {"full_name": "Trần Thị Hạnh", "sex": "female", "relation": "child_in_law", "birth_date": "1998-03-04"}


def _page_spouse(ctx):
    return {**_spouse(ctx), "date": "2025-08-01"}


def _split(ctx):
    return {"new_code": "H009", "members": [ctx.son.pk], "new_head": ctx.son.pk}


def _merge(ctx):
    return {"target_code": "H002", **{f"relation_{m.pk}": "other_relative" for m in ctx.home.members.all()}}


def _pages():
    household_pages = [
        ("registry:member_birth", _page_person),
        ("registry:member_join_marriage", _page_spouse),
        ("registry:household_split", _split),
        ("registry:household_merge", _merge),
        ("registry:household_change_village", lambda c: {"village": c.units.t2.pk, "version": c.home.version}),
        (
            "registry:move_request",
            lambda c: {"to_province": c.units.dl.pk, "to_commune": c.units.mdrak.pk, "move_date": "2025-08-01"},
        ),
    ]
    member_pages = [
        ("registry:member_death", lambda c: {"death_date": "2025-08-01"}),
        ("registry:member_leave_marriage", lambda c: {"date": "2025-08-01"}),
    ]
    cases = []
    for route, data in household_pages:
        common = {"user": "commune_officer", "wrong_role": "village_head", "setup": _setup, "kwargs": _hh,
                  "out_kwargs": _far_hh}  # fmt: skip
        cases += [
            Case(route, **common, id=f"GET {route}"),
            Case(route, **common, method="post", data=data, ok_status=302),
        ]
    for route, data in member_pages:
        common = {"user": "commune_officer", "wrong_role": "village_head", "setup": _setup,
                  "kwargs": lambda c: {"pk": c.son.pk}, "out_kwargs": lambda c: {"pk": c.far_member.pk}}  # fmt: skip
        cases += [
            Case(route, **common, id=f"GET {route}"),
            Case(route, **common, method="post", data=data, ok_status=302),
        ]
    # Move decisions: the receiving commune (M'Đrắk) decides; the sender withdraws.
    receiver = {"user": "commune_officer_dl", "wrong_role": "village_head", "setup": _setup_moves,
                "kwargs": lambda c: {"pk": c.move.pk}, "out_kwargs": lambda c: {"pk": c.move_out.pk}}  # fmt: skip
    sender = {"user": "commune_officer", "wrong_role": "village_head", "setup": _setup_moves,
              "kwargs": lambda c: {"pk": c.move.pk}, "out_kwargs": lambda c: {"pk": _far_move(c).pk}}  # fmt: skip
    for route, common, data in [
        ("registry:move_accept", receiver, lambda c: {"new_code": "D100", "village": c.units.b1.pk}),
        ("registry:move_refuse", receiver, lambda c: {"note": "Chưa có nơi ở"}),
        ("registry:move_cancel", sender, lambda c: {"note": "Gia đình đổi ý"}),
    ]:
        cases += [
            Case(route, **common, id=f"GET {route}"),
            Case(route, **common, method="post", data=data, ok_status=302),
        ]
    # village_head holds no move permission at all, so the move pages answer 403 to that role.
    cases += [
        Case("registry:move_list", user="commune_officer_dl", wrong_role="village_head", setup=_setup_moves),
        Case("registry:move_detail", user="commune_officer_dl", wrong_role="village_head", setup=_setup_moves,
             kwargs=lambda c: {"pk": c.move.pk}, out_kwargs=lambda c: {"pk": c.move_out.pk}),
    ]  # fmt: skip
    return cases


def _api():
    on_household = {"user": "commune_officer", "wrong_role": "village_head", "method": "post", "setup": _setup,
                    "kwargs": _api_hh, "out_kwargs": _api_far_hh}  # fmt: skip
    on_member = {"user": "commune_officer", "wrong_role": "village_head", "method": "post", "setup": _setup,
                 "kwargs": lambda c: {"member_id": c.son.pk},
                 "out_kwargs": lambda c: {"member_id": c.far_member.pk}}  # fmt: skip
    receiver = {"user": "commune_officer_dl", "wrong_role": "village_head", "method": "post", "setup": _setup_moves,
                "kwargs": lambda c: {"move_id": c.move.pk},
                "out_kwargs": lambda c: {"move_id": c.move_out.pk}}  # fmt: skip
    return [
        Case("api:member_birth_create", **on_household, data=_person, ok_status=201),
        Case("api:member_join_marriage_create", **on_household, ok_status=201,
             data=lambda c: {"date": "2025-08-01", "person": _spouse(c)}),
        Case("api:household_split_create", **on_household, ok_status=201,
             data=lambda c: {"member_ids": [c.son.pk], "new_code": "H009", "new_head_id": c.son.pk}),
        Case("api:household_merge_create", **on_household,
             data=lambda c: {"target_id": c.other.pk,
                             "relations": {str(m.pk): "other_relative" for m in c.home.members.all()}}),
        Case("api:household_village_change", **on_household, data=lambda c: {"village_id": c.units.t2.pk}),
        Case("api:move_create", **on_household, ok_status=201,
             data=lambda c: {"to_commune_id": c.units.mdrak.pk, "move_date": "2025-08-01"}),
        Case("api:member_death_create", **on_member, data=lambda c: {"death_date": "2025-08-01"}),
        Case("api:member_leave_marriage_create", **on_member, data=lambda c: {"date": "2025-08-01"}),
        Case("api:move_accept", **receiver, data=lambda c: {"new_code": "D100"}),
        Case("api:move_refuse", **receiver, data=lambda c: {"note": "Chưa có nơi ở"}),
        Case("api:move_cancel", user="commune_officer", wrong_role="village_head", method="post", setup=_setup_moves,
             kwargs=lambda c: {"move_id": c.move.pk}, out_kwargs=lambda c: {"move_id": _far_move(c).pk},
             data=lambda c: {"note": ""}),
        Case("api:move_list", user="commune_officer_dl", wrong_role="village_head", setup=_setup_moves),
        Case("api:move_detail", user="commune_officer_dl", wrong_role="village_head", setup=_setup_moves,
             kwargs=lambda c: {"move_id": c.move.pk}, out_kwargs=lambda c: {"move_id": c.move_out.pk}),
    ]  # fmt: skip


CASES = [*_pages(), *_api()]
