"""Permission matrix of the audit pages and API."""

from ansinh.audit.tests.helpers import record
from ansinh.core.testing.matrix import Case


def setup(ctx):
    ctx.event_in = record(unit=ctx.units.t1, actor=ctx.users.commune_officer, changes={"new": {"name": "Thôn 1"}})
    ctx.event_out = record(unit=ctx.units.b1, actor=ctx.users.commune_officer_dl)


CASES = [
    Case("audit:event_list", user="commune_officer", setup=setup),
    Case(
        "audit:event_detail",
        user="commune_officer",
        setup=setup,
        kwargs=lambda ctx: {"pk": ctx.event_in.pk},
        out_kwargs=lambda ctx: {"pk": ctx.event_out.pk},
    ),
    # Verification reads every province's chain: a commune officer may read the log but not start it.
    Case("audit:verify_start", user="auditor", wrong_role="commune_officer", method="post", ok_status=302),
    Case("api:audit_event_list", user="commune_officer", setup=setup),
    Case(
        "api:audit_event_get",
        user="commune_officer",
        setup=setup,
        kwargs=lambda ctx: {"event_id": ctx.event_in.pk},
        out_kwargs=lambda ctx: {"event_id": ctx.event_out.pk},
    ),
]
