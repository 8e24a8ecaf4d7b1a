"""Permission-matrix cases of the poverty pages and API (run by ansinh/core/tests).

`setup` loads the shipped standards, registers one classified household in Thọ Xuân (in the
commune officer's area) and one in M'Đrắk (out of it), and one previewed bulk run in each.
Standards are reference data: every reader with the permission sees them, so they have no
out-of-area case.
"""

import json

from ansinh.core.testing.matrix import Case
from ansinh.jobs.services import job_run
from ansinh.poverty.models import PovertyStandard
from ansinh.poverty.services import AssessmentData, assessment_record, household_classify, standards_load
from ansinh.poverty.services_runs import run_start
from ansinh.registry.tests.factories import make_household

STANDARD = "2022-2025"


def complete_assessment(household, actor, *, income=1_000_000, deprived=()):
    """Form B answering every indicator (so classification needs no registry fact)."""
    standard = PovertyStandard.objects.get(code=STANDARD)
    answers = {code: code in deprived for code in standard.spec().indicator_codes}
    data = AssessmentData(income_source="declared", income_per_capita=income, answers=answers)
    return assessment_record(actor=actor, household=household, standard=standard, data=data)


def _previewed_run(unit, actor):
    run = run_start(actor=actor, unit=unit, standard=PovertyStandard.objects.get(code=STANDARD))
    job_run(run.job_id)  # tests do not run on_commit callbacks: run the preview job here
    run.refresh_from_db()
    return run


def _setup(ctx):
    standards_load()
    users, units = ctx.users, ctx.units
    ctx.hh = make_household(units.tho_xuan, village=units.t1, code="PV1")
    ctx.hh_out = make_household(units.mdrak, code="PVOUT1")
    complete_assessment(ctx.hh, users.commune_officer)
    complete_assessment(ctx.hh_out, users.commune_officer_dl)
    ctx.item = household_classify(actor=users.commune_officer, household=ctx.hh)
    ctx.item_out = household_classify(actor=users.commune_officer_dl, household=ctx.hh_out)
    ctx.run = _previewed_run(units.tho_xuan, users.commune_officer)
    ctx.run_out = _previewed_run(units.mdrak, users.commune_officer_dl)


def _hh(ctx):
    return {"pk": ctx.hh.pk}


def _hh_out(ctx):
    return {"pk": ctx.hh_out.pk}


def _api_hh(ctx):
    return {"household_id": ctx.hh.pk}


def _api_hh_out(ctx):
    return {"household_id": ctx.hh_out.pk}


def _run(ctx):
    return {"pk": ctx.run.pk}


def _run_out(ctx):
    return {"pk": ctx.run_out.pk}


def _api_run(ctx):
    return {"run_id": ctx.run.pk}


def _api_run_out(ctx):
    return {"run_id": ctx.run_out.pk}


def _code(ctx):
    return {"code": STANDARD}


def _edit_post(ctx):
    definition = dict(PovertyStandard.objects.get(code=STANDARD).definition)
    definition["notes"] = "Đã đối chiếu lại."
    return {"definition": json.dumps(definition, ensure_ascii=False), "reason": "Kiểm tra ma trận quyền"}


def _assess_post(ctx):
    return {"income_source": "declared", "income_per_capita": "1200000", "answer_nutrition": "no"}


def _run_post(ctx):
    standard = PovertyStandard.objects.get(code=STANDARD)
    return {"unit": ctx.units.tho_xuan.pk, "standard": standard.pk, "on_date": "2025-10-01"}


def _records(ctx):
    return [{"id": "A1", "area": "rural", "income_per_capita": 1_000_000, "deprivations": [], "farming": False}]


def _api_assessment(ctx):
    return {"income_source": "declared", "income_per_capita": 1_300_000, "answers": {"nutrition": False}}


def _api_run_create(ctx):
    return {"unit_id": ctx.units.tho_xuan.pk, "standard": STANDARD}


VIEWER, WRITER, READ_ONLY, OTHER = "commune_officer", "commune_officer", "village_head", "helping_agency_member"

CASES = [
    # standards: reference data for every role that has the permission (not area-scoped)
    Case("poverty:standard_list", user=VIEWER, setup=_setup),
    Case("poverty:standard_detail", user=OTHER, setup=_setup, kwargs=_code),
    Case("poverty:standard_edit", user="system_admin", wrong_role=WRITER, id="GET poverty:standard_edit",
         setup=_setup, kwargs=_code),
    Case("poverty:standard_edit", user="system_admin", wrong_role=WRITER, method="post", data=_edit_post,
         ok_status=302, setup=_setup, kwargs=_code),
    # one household
    Case("poverty:household", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("poverty:household_assess", user=WRITER, wrong_role=READ_ONLY, method="post", data=_assess_post,
         ok_status=302, setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("poverty:household_classify", user=WRITER, wrong_role=READ_ONLY, method="post", ok_status=302,
         setup=_setup, kwargs=_hh, out_kwargs=_hh_out),
    Case("poverty:classification_print", user=VIEWER, wrong_role=OTHER, setup=_setup,
         kwargs=lambda c: {"pk": c.item.pk}, out_kwargs=lambda c: {"pk": c.item_out.pk}),
    # bulk runs
    Case("poverty:run_list", user=VIEWER, wrong_role=OTHER, setup=_setup),
    Case("poverty:run_create", user=WRITER, wrong_role=READ_ONLY, id="GET poverty:run_create"),
    Case("poverty:run_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_run_post, ok_status=302,
         setup=_setup),
    Case("poverty:run_detail", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_run, out_kwargs=_run_out),
    Case("poverty:run_commit", user=WRITER, wrong_role=READ_ONLY, method="post", ok_status=302, setup=_setup,
         kwargs=_run, out_kwargs=_run_out),
    Case("poverty:run_cancel", user=WRITER, wrong_role=READ_ONLY, method="post", ok_status=302, setup=_setup,
         kwargs=_run, out_kwargs=_run_out),
    # API
    Case("api:poverty_standard_list", user=OTHER, setup=_setup),
    Case("api:poverty_standard_get", user=OTHER, setup=_setup, kwargs=_code),
    Case("api:poverty_standard_classify", user=OTHER, method="post", data=_records, setup=_setup, kwargs=_code),
    Case("api:poverty_household_classifications", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_hh,
         out_kwargs=_api_hh_out),
    Case("api:poverty_assessment_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_api_assessment,
         ok_status=201, setup=_setup, kwargs=_api_hh, out_kwargs=_api_hh_out),
    Case("api:poverty_household_classify", user=WRITER, wrong_role=READ_ONLY, method="post", ok_status=201,
         setup=_setup, kwargs=_api_hh, out_kwargs=_api_hh_out),
    Case("api:poverty_run_create", user=WRITER, wrong_role=READ_ONLY, method="post", data=_api_run_create,
         ok_status=201, setup=_setup),
    Case("api:poverty_run_list", user=VIEWER, wrong_role=OTHER, setup=_setup),
    Case("api:poverty_run_get", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_run,
         out_kwargs=_api_run_out),
    Case("api:poverty_run_commit", user=WRITER, wrong_role=READ_ONLY, method="post", setup=_setup,
         kwargs=_api_run, out_kwargs=_api_run_out),
    Case("api:poverty_run_cancel", user=WRITER, wrong_role=READ_ONLY, method="post", setup=_setup,
         kwargs=_api_run, out_kwargs=_api_run_out),
]  # fmt: skip
