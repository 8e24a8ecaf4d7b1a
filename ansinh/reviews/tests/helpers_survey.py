"""Test helpers of steps 3 and 4 (phiếu B, village meeting)."""

from datetime import date

from ansinh.poverty.services import AssessmentData

SURVEY_DAY = date(2025, 10, 1)
MEETING_DAY = date(2025, 10, 15)
TODAY = date(2025, 10, 20)


def indicator_codes(campaign) -> list[str]:
    return [i.code for i in campaign.standard.spec().indicators]


def answers(campaign, *, deprived=()) -> dict[str, bool]:
    """A yes/no answer for every indicator of the campaign's standard (`deprived` are yes)."""
    return {code: code in deprived for code in indicator_codes(campaign)}


def form_b_data(campaign, *, income=1_000_000, deprived=(), **extra) -> AssessmentData:
    """Phiếu B facts: declared income per capita and an answer for every indicator."""
    return AssessmentData(
        income_source=extra.pop("income_source", "declared"), income_per_capita=income,
        answers=extra.pop("answers", None) or answers(campaign, deprived=deprived),
        assessed_on=extra.pop("assessed_on", SURVEY_DAY), **extra,
    )  # fmt: skip


def form_b_post(campaign, *, income=1_000_000, deprived=()) -> dict:
    """The phiếu B page's POST: both an answer and an override-less value per indicator (the form
    keeps the field it shows for each one)."""
    data = {"income_source": "declared", "income_per_capita": str(income), "assessed_on": "2025-10-01"}
    for code in indicator_codes(campaign):
        data[f"answer_{code}"] = "yes" if code in deprived else "no"
    return data


def surveyed_case(campaign, household, *, klass="poor", surveyed_on=SURVEY_DAY, state="surveyed", **fields):
    """A case placed in `state` (default surveyed) with a provisional class, for the meeting step."""
    from ansinh.reviews.tests.factories import case_at

    return case_at(campaign, household, state, provisional_class=klass, surveyed_on=surveyed_on, **fields)


def meeting_post(village, cases_counts: dict, **extra) -> dict:
    """The meeting page's POST: {case: agreeing}."""
    data = {
        "village": village.pk, "held_on": extra.pop("held_on", "2025-10-15"), "place": "Nhà văn hóa Thôn 1",
        "chair": extra.pop("chair", "Lê Văn Trưởng"), "secretary": extra.pop("secretary", "Phạm Thị Thư"),
        "attendee_count": str(extra.pop("attendee_count", 20)),
        "attendees": "Lê Văn Trưởng — Trưởng thôn\nPhạm Thị Thư — Chi hội phụ nữ",
        "signatories": "Nguyễn Văn An — Đại diện hộ", "note": "",
    }  # fmt: skip
    for case, agreeing in cases_counts.items():
        data[f"agreeing_{case.pk}"] = str(agreeing)
    data.update(extra)
    return data
