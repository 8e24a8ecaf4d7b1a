"""Permission matrix of the job pages and API.

Own jobs need no permission (whoever starts a job must be able to follow it), so a user without
jobs.view_job never gets 403 here: the list is simply empty and someone else's job answers 404,
the same as a missing one. Those cases have `wrong_role=None` and are tested in test_views and
test_api (`test_someone_elses_job_without_permission_is_not_found`).
"""

from django.db import transaction

from ansinh.core.testing.matrix import Case
from ansinh.jobs.services import job_enqueue
from ansinh.jobs.tests.kinds import COUNT_KIND


def setup(ctx):
    # Started by someone else in Thọ Xuân: the commune officer sees it through jobs.view_job.
    with transaction.atomic():
        ctx.job_in = job_enqueue(
            actor=ctx.users.commune_chair, kind=COUNT_KIND, label="Đếm Thọ Xuân", unit_path=ctx.units.tho_xuan.path
        )
        ctx.job_out = job_enqueue(
            actor=ctx.users.commune_officer_dl, kind=COUNT_KIND, label="Đếm M'Đrắk", unit_path=ctx.units.mdrak.path
        )


def _in(ctx):
    return {"pk": ctx.job_in.pk}


def _out(ctx):
    return {"pk": ctx.job_out.pk}


def _api_in(ctx):
    return {"job_id": ctx.job_in.pk}


def _api_out(ctx):
    return {"job_id": ctx.job_out.pk}


CASES = [
    Case("jobs:job_list", user="commune_officer", wrong_role=None, setup=setup),
    Case("jobs:job_detail", user="commune_officer", wrong_role=None, setup=setup, kwargs=_in, out_kwargs=_out),
    Case("jobs:job_progress", user="commune_officer", wrong_role=None, setup=setup, kwargs=_in, out_kwargs=_out),
    Case("api:job_list", user="commune_officer", wrong_role=None, setup=setup),
    Case("api:job_get", user="commune_officer", wrong_role=None, setup=setup, kwargs=_api_in, out_kwargs=_api_out),
]
