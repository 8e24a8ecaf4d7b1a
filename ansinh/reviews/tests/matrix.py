"""Permission-matrix cases of the review-campaign pages and API (run by ansinh/core/tests).

`setup` loads the standards and campaign kinds and creates Thanh Hóa's 2025 campaign (covering
Thọ Xuân, in the commune officer's area) and Đắk Lắk's (out of it), each with one steering
member and one assignment; `_setup_open` opens both.
"""

from ansinh.core.testing.matrix import Case
from ansinh.reviews.services import assignment_add, steering_member_add
from ansinh.reviews.services_cases import application_record
from ansinh.reviews.tests.factories import dak_lak_campaign, thanh_hoa_campaign
from ansinh.reviews.tests.matrix_common import _api_c, _api_c_out, _c, _c_out


def _plan(ctx, campaign, village, officer, commune):
    steering = steering_member_add(
        actor=officer, campaign=campaign, unit=commune, full_name="Lê Văn Bình", position="Chủ tịch UBND xã",
        committee_role="head",
    )  # fmt: skip
    assignment = assignment_add(actor=officer, campaign=campaign, village=village, role="enumerator",
                                person_name="Nguyễn Thị Hoa")  # fmt: skip
    return steering, assignment


def _setup(ctx, *, open_=False):
    users, units = ctx.users, ctx.units
    ctx.campaign = thanh_hoa_campaign(ctx, open_=open_)
    ctx.campaign_out = dak_lak_campaign(ctx, open_=open_)
    ctx.member, ctx.assignment = _plan(ctx, ctx.campaign, units.t1, users.commune_officer, units.tho_xuan)
    ctx.member_out, ctx.assignment_out = _plan(ctx, ctx.campaign_out, units.b1, users.commune_officer_dl, units.mdrak)
    ctx.milestone = ctx.campaign.milestones.get(code="commune_recognition")
    ctx.milestone_out = ctx.campaign_out.milestones.get(code="commune_recognition")


def _setup_open(ctx):
    _setup(ctx, open_=True)


def _setup_cases(ctx):
    """Both campaigns open, each with a listed poor household and an applicant household."""
    from datetime import date

    from ansinh.reviews.services_cases import cases_list_current
    from ansinh.reviews.tests.factories import application, classified_household, load_form_a

    _setup(ctx, open_=True)
    load_form_a()
    users, units = ctx.users, ctx.units
    for suffix, campaign, commune, village, officer in (
        ("", ctx.campaign, units.tho_xuan, units.t1, users.commune_officer),
        ("_out", ctx.campaign_out, units.mdrak, units.b1, users.commune_officer_dl),
    ):
        classified_household(commune, village=village, code="P1", klass="poor", actor=officer)
        other = classified_household(
            commune, village=village, code="A1", klass="not_poor", actor=officer, name="Trần Văn Cường"
        )
        classified_household(commune, village=village, code="A2", klass="", actor=officer, name="Phạm Thị Dung")
        cases_list_current(actor=officer, campaign=campaign, unit=commune)
        setattr(ctx, f"listed{suffix}", campaign.cases.get(household__code="P1"))
        setattr(
            ctx,
            f"applied{suffix}",
            application_record(
                actor=officer, campaign=campaign, household=other, application=application(), today=date(2025, 10, 1)
            ),
        )


def _case(name):
    return lambda c: {"pk": getattr(c, name).pk}


def _api_case(name):
    return lambda c: {"case_id": getattr(c, name).pk}


def _application_post(ctx):
    return {
        "commune": ctx.units.tho_xuan.pk,
        "household_code": "A2",
        "channel": "in_person",
        "received_on": "2025-09-20",
    }


def _household(ctx, code):
    from ansinh.registry.models import Household

    return Household.objects.get(commune=ctx.units.tho_xuan, code=code).pk


def _form_a_answers(ctx):
    from ansinh.reviews.tests.factories import no_answers

    return no_answers()


def _create_post(ctx):
    from ansinh.reviews.models import CampaignKind

    units = ctx.units
    return {"kind": CampaignKind.objects.get(code="periodic").pk, "year": "2025", "unit": units.th.pk,
            "units": [units.tho_xuan.pk], "plan_number": "1798/KH-UBND", "plan_date": "2025-08-12"}  # fmt: skip


def _api_create(ctx):
    units = ctx.units
    return {"kind": "periodic", "year": 2025, "unit_id": units.th.pk, "unit_ids": [units.tho_xuan.pk],
            "plan_number": "1798/KH-UBND", "plan_date": "2025-08-12"}  # fmt: skip


VIEWER, MANAGER, PROVINCE, READ_ONLY, OTHER = (
    "commune_officer", "commune_officer", "province_officer", "village_head", "helping_agency_member",
)  # fmt: skip
RECORDER, NOT_RECORDER = "commune_officer", "supervisor"  # the supervisor sees cases but records none

CASES = [
    Case("reviews:campaign_list", user=VIEWER, wrong_role=OTHER, setup=_setup),
    Case("reviews:campaign_create", user=PROVINCE, wrong_role=READ_ONLY, id="GET reviews:campaign_create",
         setup=_setup),
    Case("reviews:campaign_create", user=PROVINCE, wrong_role=READ_ONLY, method="post", data=_create_post,
         ok_status=302, setup=_setup),
    Case("reviews:campaign_detail", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_open", user=PROVINCE, wrong_role=READ_ONLY, method="post", ok_status=302, setup=_setup,
         kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_close", user=PROVINCE, wrong_role=READ_ONLY, method="post", ok_status=302,
         setup=_setup_open, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:campaign_cancel", user=PROVINCE, wrong_role=READ_ONLY, method="post", ok_status=302,
         data=lambda c: {"reason": "Kế hoạch thay thế"}, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:milestone_board", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:milestone_complete", user=VIEWER, wrong_role=READ_ONLY, method="post", ok_status=302,
         data=lambda c: {"unit": c.units.tho_xuan.pk, "done_on": "2025-12-01"}, setup=_setup_open,
         kwargs=lambda c: {"pk": c.campaign.pk, "milestone_pk": c.milestone.pk},
         out_kwargs=lambda c: {"pk": c.campaign_out.pk, "milestone_pk": c.milestone_out.pk}),
    Case("reviews:steering_member_add", user=MANAGER, wrong_role=READ_ONLY, method="post", ok_status=302,
         data=lambda c: {"unit": c.units.tho_xuan.pk, "full_name": "Trần Thị Lan", "position": "Công chức LĐ-TB&XH",
                         "committee_role": "member"},
         setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:steering_member_remove", user=MANAGER, wrong_role=READ_ONLY, method="post", ok_status=302,
         setup=_setup, kwargs=lambda c: {"pk": c.campaign.pk, "member_pk": c.member.pk},
         out_kwargs=lambda c: {"pk": c.campaign_out.pk, "member_pk": c.member_out.pk}),
    Case("reviews:assignment_add", user=MANAGER, wrong_role=READ_ONLY, method="post", ok_status=302,
         data=lambda c: {"village": c.units.t2.pk, "role": "supervisor", "person_name": "Phạm Văn Nam"},
         setup=_setup, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:assignment_end", user=MANAGER, wrong_role=READ_ONLY, method="post", ok_status=302,
         setup=_setup, kwargs=lambda c: {"pk": c.campaign.pk, "assignment_pk": c.assignment.pk},
         out_kwargs=lambda c: {"pk": c.campaign_out.pk, "assignment_pk": c.assignment_out.pk}),
    Case("reviews:training_add", user=MANAGER, wrong_role=READ_ONLY, method="post", ok_status=302,
         data=lambda c: {"unit": c.units.tho_xuan.pk, "held_on": "2025-09-05", "topic": "Phiếu A, phiếu B",
                         "attendees": "Nguyễn Thị Hoa\nPhạm Văn Nam"},
         setup=_setup, kwargs=_c, out_kwargs=_c_out),
    # Households in the campaign (review cases)
    Case("reviews:case_list", user=VIEWER, wrong_role=OTHER, setup=_setup_cases, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:cases_list_current", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=lambda c: {"unit": c.units.tho_xuan.pk}, setup=_setup_cases, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:application_create", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:application_create",
         setup=_setup_cases, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:application_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=_application_post, setup=_setup_cases, kwargs=_c, out_kwargs=_c_out),
    Case("reviews:case_detail", user=VIEWER, wrong_role=OTHER, setup=_setup_cases, kwargs=_case("applied"),
         out_kwargs=_case("applied_out")),
    Case("reviews:form_a", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:form_a", setup=_setup_cases,
         kwargs=_case("applied"), out_kwargs=_case("applied_out")),
    Case("reviews:form_a", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=lambda c: {}, setup=_setup_cases, kwargs=_case("applied"), out_kwargs=_case("applied_out")),
    Case("reviews:case_start_survey", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         setup=_setup_cases, kwargs=_case("listed"), out_kwargs=_case("listed_out")),
    # API
    Case("api:reviews_campaign_list", user=VIEWER, wrong_role=OTHER, setup=_setup),
    Case("api:reviews_campaign_get", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_campaign_create", user=PROVINCE, wrong_role=READ_ONLY, method="post", data=_api_create,
         ok_status=201, setup=_setup),
    Case("api:reviews_milestone_board", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_milestone_complete", user=VIEWER, wrong_role=READ_ONLY, method="post", ok_status=201,
         data=lambda c: {"unit_id": c.units.tho_xuan.pk, "done_on": "2025-12-01"}, setup=_setup_open,
         kwargs=lambda c: {"campaign_id": c.campaign.pk, "milestone_id": c.milestone.pk},
         out_kwargs=lambda c: {"campaign_id": c.campaign_out.pk, "milestone_id": c.milestone_out.pk}),
    Case("api:reviews_case_list", user=VIEWER, wrong_role=OTHER, setup=_setup_cases, kwargs=_api_c,
         out_kwargs=_api_c_out),
    Case("api:reviews_application_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=201,
         data=lambda c: {"household_id": _household(c, "A2"),
                         "channel": "online", "received_on": "2025-09-20"},
         setup=_setup_cases, kwargs=_api_c, out_kwargs=_api_c_out),
    Case("api:reviews_form_a_record", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=200,
         data=lambda c: {"answers": _form_a_answers(c)}, setup=_setup_cases, kwargs=_api_case("applied"),
         out_kwargs=_api_case("applied_out")),
]  # fmt: skip


# Steps 3–10 and the results keep their cases next to their own modules.
def _add_step_cases() -> None:
    from . import matrix_approval, matrix_decision, matrix_inspection, matrix_posting, matrix_results, matrix_survey

    for step in (matrix_survey, matrix_posting, matrix_inspection, matrix_decision, matrix_approval, matrix_results):
        CASES.extend(step.CASES)


_add_step_cases()
