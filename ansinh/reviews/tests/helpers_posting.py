"""Test helpers of steps 5 and 6 (posting, complaints): households agreed at a village meeting without the
meeting service (a `VillageMeeting` row made directly, the case placed in state met), and the permission
matrix's setup."""

from datetime import date

from ansinh.reviews.models import VillageMeeting
from ansinh.reviews.tests.factories import case_at, classified_household

MEETING_ON = date(2025, 10, 10)
POSTING_ON = date(2025, 10, 13)  # Monday: 3 working days → Wednesday 15/10
TODAY = date(2025, 10, 20)

REASONS = [
    {"code": "income_within", "income": 1_200_000, "line": 1_500_000, "line_kind": "poor", "area": "rural",
     "period": "month"},
    {"code": "deprivations", "count": 3, "threshold": 3, "indicators": ["employment", "nutrition", "health_insurance"]},
    {"code": "rule_poor"},
]  # fmt: skip


def meeting(campaign, village, held_on=MEETING_ON):
    return VillageMeeting.objects.create(
        campaign=campaign, village=village, held_on=held_on, place="Nhà văn hóa thôn", chair="Lê Văn Trưởng",
        secretary="Nguyễn Thị Thư", attendee_count=30, unit_path=village.path, successor_path=village.successor_path,
    )  # fmt: skip


def met_case(campaign, household, village_meeting, *, klass="poor", reasons=None, state="met"):
    return case_at(campaign, household, state, meeting=village_meeting, provisional_class=klass,
                   provisional_reasons=REASONS if reasons is None else reasons)  # fmt: skip


def household(commune, village, code, officer, *, klass="poor", name="Nguyễn Văn An"):
    return classified_household(commune, village=village, code=code, klass=klass, actor=officer, name=name)


# -- the permission matrix ----------------------------------------------------------------------


def setup_matrix(ctx):
    """Both 2025 campaigns open (Thanh Hóa in the users' area, Đắk Lắk out of it), each with: a met household
    (ready to post), a household posted in its village (posting 13–15/10/2025) with one open complaint."""
    from ansinh.reviews.services_posting import ComplaintData, complaint_record, posting_open
    from ansinh.reviews.tests.matrix import _setup

    _setup(ctx, open_=True)
    users, units = ctx.users, ctx.units
    for suffix, campaign, commune, village, officer in (
        ("", ctx.campaign, units.tho_xuan, units.t1, users.commune_officer),
        ("_out", ctx.campaign_out, units.mdrak, units.b1, users.commune_officer_dl),
    ):
        m = meeting(campaign, village)
        posted = met_case(campaign, household(commune, village, "P1", officer), m)
        posting = posting_open(actor=officer, campaign=campaign, unit=village, places=["Nhà văn hóa thôn"],
                               start_on=POSTING_ON, today=TODAY)  # fmt: skip
        posted.refresh_from_db()
        met = met_case(campaign, household(commune, village, "P2", officer, name="Trần Thị Bình"), m)
        complaint = complaint_record(
            actor=officer, case=posted, today=TODAY,
            data=ComplaintData(complainant_name="Phạm Văn Cường", content="Hộ có xe ô tô", channel="in_person",
                               received_on=date(2025, 10, 14)),
        )  # fmt: skip
        setattr(ctx, f"posting{suffix}", posting)
        setattr(ctx, f"posted{suffix}", posted)
        setattr(ctx, f"met{suffix}", met)
        setattr(ctx, f"complaint{suffix}", complaint)
