"""Permission-matrix cases of steps 3 and 4 (phiếu B, village meeting), collected by tests/matrix.py.

`_setup` opens Thanh Hóa's 2025 campaign (in the Thanh Hóa users' area) and Đắk Lắk's (out of it);
each gets, in its first village, a case surveying (phiếu B next), a case surveyed (for the meeting),
and a meeting already recorded whose household is met (for re-survey and the meeting pages).
"""

from ansinh.core.testing.matrix import Case

RECORDER, NOT_RECORDER = "commune_officer", "supervisor"  # the supervisor sees cases but records none
VIEWER, OTHER = "commune_officer", "helping_agency_member"


def _setup(ctx):
    from datetime import date

    from ansinh.reviews.services_survey import MeetingData, meeting_record
    from ansinh.reviews.tests.factories import classified_household, dak_lak_campaign, thanh_hoa_campaign
    from ansinh.reviews.tests.helpers_survey import surveyed_case

    users, units = ctx.users, ctx.units
    ctx.campaign = thanh_hoa_campaign(ctx, open_=True)
    ctx.campaign_out = dak_lak_campaign(ctx, open_=True)
    for suffix, campaign, commune, village, officer in (
        ("", ctx.campaign, units.tho_xuan, units.t1, users.commune_officer),
        ("_out", ctx.campaign_out, units.mdrak, units.b1, users.commune_officer_dl),
    ):
        households = [
            classified_household(commune, village=village, code=code, klass="poor", actor=officer, name=name)
            for code, name in (("S1", "Nguyễn Văn An"), ("S2", "Lê Thị Bình"), ("S3", "Trần Văn Cường"))
        ]
        setattr(ctx, f"surveying{suffix}", surveyed_case(campaign, households[0], state="surveying", klass=""))
        setattr(ctx, f"surveyed{suffix}", surveyed_case(campaign, households[1]))
        met = surveyed_case(campaign, households[2])
        data = MeetingData(held_on=date(2025, 10, 10), chair="Lê Văn Trưởng", secretary="Phạm Thị Thư",
                           attendee_count=10)  # fmt: skip
        meeting = meeting_record(actor=officer, campaign=campaign, village=village, data=data, results=[(met, 8)],
                                 today=date(2025, 10, 20))  # fmt: skip
        setattr(ctx, f"meeting{suffix}", meeting)
        met.refresh_from_db()
        setattr(ctx, f"met{suffix}", met)


def _pk(name):
    return lambda c: {"pk": getattr(c, name).pk}


def _api(key, name):
    return lambda c: {key: getattr(c, name).pk}


def _form_b_post(ctx):
    from ansinh.reviews.tests.helpers_survey import form_b_post

    return form_b_post(ctx.campaign)


def _form_b_api(ctx):
    from ansinh.reviews.tests.helpers_survey import answers

    return {"income_source": "declared", "income_per_capita": 1000000, "answers": answers(ctx.campaign),
            "assessed_on": "2025-10-01"}  # fmt: skip


def _meeting_post(ctx):
    from ansinh.reviews.tests.helpers_survey import meeting_post

    return meeting_post(ctx.units.t1, {ctx.surveyed: 12})


def _meeting_api(ctx):
    return {"village_id": ctx.units.t1.pk, "held_on": "2025-10-15", "chair": "Lê Văn Trưởng",
            "secretary": "Phạm Thị Thư", "attendee_count": 20,
            "results": [{"case_id": ctx.surveyed.pk, "agreeing": 12, "passed": True}]}  # fmt: skip


CASES = [
    Case("reviews:form_b", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:form_b", setup=_setup,
         kwargs=_pk("surveying"), out_kwargs=_pk("surveying_out")),
    Case("reviews:form_b", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302, data=_form_b_post,
         setup=_setup, kwargs=_pk("surveying"), out_kwargs=_pk("surveying_out")),
    Case("reviews:case_resurvey", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=lambda c: {"reason": "Sai thu nhập"}, setup=_setup, kwargs=_pk("met"), out_kwargs=_pk("met_out")),
    Case("reviews:meeting_list", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_pk("campaign"),
         out_kwargs=_pk("campaign_out")),
    Case("reviews:meeting_create", user=RECORDER, wrong_role=NOT_RECORDER, id="GET reviews:meeting_create",
         data=lambda c: {"village": c.units.t1.pk}, setup=_setup, kwargs=_pk("campaign"),
         out_kwargs=_pk("campaign_out")),
    Case("reviews:meeting_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=302,
         data=_meeting_post, setup=_setup, kwargs=_pk("campaign"), out_kwargs=_pk("campaign_out")),
    Case("reviews:meeting_detail", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_pk("meeting"),
         out_kwargs=_pk("meeting_out")),
    Case("reviews:meeting_minutes", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_pk("meeting"),
         out_kwargs=_pk("meeting_out")),
    # API
    Case("api:reviews_form_b_record", user=RECORDER, wrong_role=NOT_RECORDER, method="post", data=_form_b_api,
         setup=_setup, kwargs=_api("case_id", "surveying"), out_kwargs=_api("case_id", "surveying_out")),
    Case("api:reviews_case_resurvey", user=RECORDER, wrong_role=NOT_RECORDER, method="post",
         data=lambda c: {"reason": "Sai thu nhập"}, setup=_setup, kwargs=_api("case_id", "met"),
         out_kwargs=_api("case_id", "met_out")),
    Case("api:reviews_meeting_create", user=RECORDER, wrong_role=NOT_RECORDER, method="post", ok_status=201,
         data=_meeting_api, setup=_setup, kwargs=_api("campaign_id", "campaign"),
         out_kwargs=_api("campaign_id", "campaign_out")),
    Case("api:reviews_meeting_list", user=VIEWER, wrong_role=OTHER, setup=_setup,
         kwargs=_api("campaign_id", "campaign"), out_kwargs=_api("campaign_id", "campaign_out")),
    Case("api:reviews_meeting_get", user=VIEWER, wrong_role=OTHER, setup=_setup, kwargs=_api("meeting_id", "meeting"),
         out_kwargs=_api("meeting_id", "meeting_out")),
    Case("api:reviews_meeting_minutes", user=VIEWER, wrong_role=OTHER, setup=_setup,
         kwargs=_api("meeting_id", "meeting"), out_kwargs=_api("meeting_id", "meeting_out")),
]  # fmt: skip
