"""Permission-matrix cases of the duplicate queue pages and API (run by ansinh/core/tests).

`setup` registers two households in Thọ Xuân whose spouses are one person entered twice, and the
same in M'Đrắk (Đắk Lắk), then scans: `ctx.pair_in` is the Thọ Xuân pair, `ctx.pair_out` the
Đắk Lắk one (out of the commune officer's area). The spouses are not heads, so a merge succeeds.
"""

from datetime import date

from ansinh.core.testing.matrix import Case
from ansinh.registry.duplicates import duplicates_scan, members_in_area
from ansinh.registry.models import DuplicatePair

from .factories import head, make_household, member


def seed_households(units):
    """Two households per province whose spouses are one person each (same name, same year)."""
    th1 = make_household(
        units.tho_xuan,
        village=units.t1,
        code="TX01",
        members=[head("Nguyễn Văn An"), member("Lê Thị Bình", birth_year=1978)],
    )
    th2 = make_household(
        units.tho_xuan,
        village=units.t2,
        code="TX02",
        members=[head("Trần Văn Cường", birth_date=date(1960, 5, 6)), member("Lê Thị Bình", birth_year=1978)],
    )
    dl1 = make_household(
        units.mdrak,
        village=units.b1,
        code="MD01",
        members=[head("Y Bhin Niê", birth_date=date(1970, 1, 20)), member("H'Nhi Êban", birth_year=1990)],
    )
    dl2 = make_household(
        units.mdrak,
        village=units.b1,
        code="MD02",
        members=[head("Y Kông Mlô", birth_date=date(1965, 8, 9)), member("H'Nhi Êban", birth_year=1990)],
    )
    return th1, th2, dl1, dl2  # fmt: skip


def _spouse_pair(h1, h2) -> DuplicatePair:
    spouses = sorted(m.pk for h in (h1, h2) for m in h.members.all() if m.relation == "spouse")
    return DuplicatePair.objects.get(member_a_id=spouses[0], member_b_id=spouses[1])


def setup(ctx):
    th1, th2, dl1, dl2 = seed_households(ctx.units)
    duplicates_scan(members=members_in_area(""))
    ctx.pair_in = _spouse_pair(th1, th2)
    ctx.pair_out = _spouse_pair(dl1, dl2)


def _in(ctx):
    return {"pk": ctx.pair_in.pk}


def _out(ctx):
    return {"pk": ctx.pair_out.pk}


def _api_in(ctx):
    return {"pair_id": ctx.pair_in.pk}


def _api_out(ctx):
    return {"pair_id": ctx.pair_out.pk}


def _same(ctx):
    return {"keep": "a", "reason": "Cùng một người, đã xác minh tại thôn"}


def _different(ctx):
    return {"reason": "Hai chị em trùng tên, khác bố mẹ"}


WRONG = "village_head"  # sees households and members, holds no duplicate permission

CASES = [
    # pages
    Case("registry:duplicate_list", user="commune_officer", wrong_role=WRONG, setup=setup),
    Case("registry:duplicate_detail", user="commune_officer", wrong_role=WRONG, setup=setup,
         kwargs=_in, out_kwargs=_out),
    Case("registry:duplicate_mark_same", user="commune_officer", wrong_role=WRONG, setup=setup, method="post",
         data=_same, ok_status=302, kwargs=_in, out_kwargs=_out),
    Case("registry:duplicate_mark_different", user="commune_officer", wrong_role=WRONG, setup=setup, method="post",
         data=_different, ok_status=302, kwargs=_in, out_kwargs=_out),
    # No object: the scan covers the user's own area, so there is nothing out of area to ask for.
    Case("registry:duplicate_scan", user="commune_officer", wrong_role=WRONG, method="post", ok_status=302),
    # API
    Case("api:duplicate_list", user="commune_officer", wrong_role=WRONG, setup=setup),
    Case("api:duplicate_get", user="commune_officer", wrong_role=WRONG, setup=setup,
         kwargs=_api_in, out_kwargs=_api_out),
    Case("api:duplicate_mark_same", user="commune_officer", wrong_role=WRONG, setup=setup, method="post",
         data=_same, kwargs=_api_in, out_kwargs=_api_out),
    Case("api:duplicate_mark_different", user="commune_officer", wrong_role=WRONG, setup=setup, method="post",
         data=_different, kwargs=_api_in, out_kwargs=_api_out),
    Case("api:duplicate_scan", user="commune_officer", wrong_role=WRONG, method="post", data=lambda c: {},
         ok_status=202),
]  # fmt: skip
