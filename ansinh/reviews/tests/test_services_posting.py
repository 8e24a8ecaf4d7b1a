from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.kinds import KindDefinitionError, KindSpec
from ansinh.reviews.models import Complaint, Posting, ReviewCase, UnitApproval
from ansinh.reviews.selectors_posting import open_complaints, posted_rows, posting_status
from ansinh.reviews.services import campaign_close
from ansinh.reviews.services_posting import ComplaintData, complaint_record, complaint_verify, posting_open
from ansinh.reviews.tests.factories import case_at, load_reference_data, make_campaign, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_posting import POSTING_ON, TODAY, household, meeting, met_case


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    c.meeting1 = meeting(c.campaign, units.t1)
    c.meeting2 = meeting(c.campaign, units.t2, held_on=date(2025, 10, 11))
    c.a = met_case(c.campaign, household(units.tho_xuan, units.t1, "H1", officer), c.meeting1)
    c.b = met_case(c.campaign, household(units.tho_xuan, units.t1, "H2", officer, name="Lê Thị Bình",
                                         klass="near_poor"), c.meeting1, klass="near_poor",
                   reasons=[{"code": "rule_near_poor"}])  # fmt: skip
    c.c = met_case(c.campaign, household(units.tho_xuan, units.t2, "H3", officer, name="Trần Văn Cường"), c.meeting2)
    c.surveying = case_at(c.campaign, household(units.tho_xuan, units.t1, "H4", officer, name="Phạm Thị Dung"),
                          "surveying")  # fmt: skip
    return c


def events(event_type) -> int:
    return AuditEvent.objects.filter(event_type=event_type).count()


def snapshot():
    return (
        Posting.objects.count(), Complaint.objects.count(), AuditEvent.objects.count(),
        sorted(ReviewCase.objects.values_list("pk", "state", "posting_id")),
        sorted(Complaint.objects.values_list("pk", "status", "outcome_reason")),
    )  # fmt: skip


def assert_refused(exc_type, call, match=None):
    before = snapshot()
    with pytest.raises(exc_type) as info:
        call()
    assert snapshot() == before
    if match:
        assert match in " ".join(_texts(info.value))
    return info.value


def _texts(exc):
    if isinstance(exc, ApplicationError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


def post_village(ctx, **extra):
    args = {
        "actor": ctx.users.commune_officer,
        "campaign": ctx.campaign,
        "unit": ctx.units.t1,
        "places": ["Nhà văn hóa Thôn 1", "Trụ sở UBND xã Thọ Xuân"],
        "start_on": POSTING_ON,
        "today": TODAY,
    }
    args.update(extra)
    return posting_open(**args)


def complaint(**extra):
    values = {"complainant_name": "Phạm Văn Cường", "content": "Hộ có ô tô", "channel": "in_person",
              "received_on": date(2025, 10, 14)}  # fmt: skip
    values.update(extra)
    return ComplaintData(**values)


# -- posting ------------------------------------------------------------------------------------


def test_posting_a_village_moves_its_met_households_with_one_event(ctx):
    posting = post_village(ctx, note="Niêm yết theo kế hoạch")
    assert posting.end_on == date(2025, 10, 15) and posting.working_days == 3  # Mon → Wed
    assert posting.places == ["Nhà văn hóa Thôn 1", "Trụ sở UBND xã Thọ Xuân"]
    assert posting.unit_path == ctx.units.t1.path and posting.created_by == ctx.users.commune_officer
    states = dict(ReviewCase.objects.values_list("pk", "state"))
    assert states[ctx.a.pk] == states[ctx.b.pk] == "posted"
    assert states[ctx.c.pk] == "met"  # Thôn 2 is not in this posting
    assert states[ctx.surveying.pk] == "surveying"
    assert set(posting.cases.values_list("pk", flat=True)) == {ctx.a.pk, ctx.b.pk}
    event = AuditEvent.objects.get(event_type=ReviewsEventType.POSTING_OPENED)
    new = event.changes["new"]
    assert new["posting"] == posting.pk and new["unit"] == ctx.units.t1.path
    assert sorted(new["cases"]) == sorted([ctx.a.pk, ctx.b.pk])
    assert new["start_on"] == "2025-10-13" and new["end_on"] == "2025-10-15"


def test_posting_a_commune_takes_every_village(ctx):
    posting = post_village(ctx, unit=ctx.units.tho_xuan, start_on=date(2025, 10, 11))
    assert posting.cases.count() == 3
    assert posting.start_on == date(2025, 10, 11)  # Saturday, but the meeting was that day
    assert posting.end_on == date(2025, 10, 15)  # Mon 13, Tue 14, Wed 15


def test_end_date_skips_national_day_and_the_weekend(ctx):
    ReviewCase.objects.filter(meeting__isnull=False).update(meeting=None)
    posting = post_village(ctx, start_on=date(2025, 8, 29), today=date(2025, 9, 1))
    # Fri 29/8 counts; Sat 30, Sun 31, Mon 1/9 and Tue 2/9 (Quốc khánh) do not; Wed 3, Thu 4.
    assert posting.end_on == date(2025, 9, 4) and posting.working_days == 3


def test_end_date_skips_tet_2026(units, users):
    load_reference_data()
    campaign = make_campaign(users.province_officer, units.th, [units.tho_xuan], open_=True, kind_code="monthly",
                             year=2026, month=2, plan_date=date(2026, 1, 20))  # fmt: skip
    m = meeting(campaign, units.t1, held_on=date(2026, 2, 12))
    met_case(campaign, household(units.tho_xuan, units.t1, "T1", users.commune_officer), m)
    posting = posting_open(actor=users.commune_officer, campaign=campaign, unit=units.t1, places=["Nhà văn hóa"],
                           start_on=date(2026, 2, 13), today=date(2026, 2, 13))  # fmt: skip
    # Fri 13/2 counts; the weekend and Tết (16–20/2) and the next weekend do not; Mon 23, Tue 24.
    assert posting.end_on == date(2026, 2, 24) and posting.working_days == 3


def test_working_days_default_from_the_kind(ctx):
    kind = ctx.campaign.kind
    kind.definition = {**kind.definition, "posting_working_days": 5}
    kind.save()
    posting = post_village(ctx)
    assert posting.working_days == 5 and posting.end_on == date(2025, 10, 17)


def test_kind_spec_checks_posting_working_days(ctx):
    definition = ctx.campaign.kind.definition
    assert KindSpec.from_dict({k: v for k, v in definition.items() if k != "posting_working_days"}
                              ).posting_working_days == 3  # fmt: skip
    for bad in (0, -1, "3", True):
        with pytest.raises(KindDefinitionError, match="posting_working_days"):
            KindSpec.from_dict({**definition, "posting_working_days": bad})


def test_posting_before_the_meeting_is_refused_with_the_count(ctx):
    ReviewCase.objects.filter(pk__in=[ctx.a.pk, ctx.b.pk]).update(state="surveyed")
    err = assert_refused(ApplicationError, lambda: post_village(ctx), match="(3 hộ còn")
    assert err.code == "posting_before_meeting"


def test_posting_refusals_write_nothing(ctx, users, units):
    cases = [
        (ValidationError, dict(places=[" ", ""]), "nơi niêm yết"),
        (ValidationError, dict(working_days=0), "ít nhất 1"),
        (ValidationError, dict(start_on=date(2025, 10, 9)), "trước ngày họp dân"),
        (ValidationError, dict(start_on=date(2025, 11, 20)), "30 ngày"),
        (ValidationError, dict(actor=users.province_officer, unit=units.th), "không phải xã hoặc thôn"),
        (PermissionDenied, dict(actor=users.supervisor), ""),
        (PermissionDenied, dict(actor=users.commune_officer_dl), ""),
        (ValidationError, dict(start_on=None), "ngày bắt đầu"),
    ]
    for exc, extra, match in cases:
        assert_refused(exc, lambda extra=extra: post_village(ctx, **extra), match=match)


def test_a_past_start_is_allowed_when_recording_after_the_fact(ctx):
    posting = post_village(ctx, start_on=date(2025, 10, 13), today=date(2025, 12, 1))
    assert posting.end_on == date(2025, 10, 15)


def test_posting_refused_when_campaign_closed_or_results_locked(ctx, units, users):
    UnitApproval.objects.create(campaign=ctx.campaign, unit=units.tho_xuan, level="commune", state="approved",
                                unit_path=units.tho_xuan.path)  # fmt: skip
    assert_refused(ApplicationError, lambda: post_village(ctx), match="đã được phê duyệt")
    UnitApproval.objects.all().delete()
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert_refused(ApplicationError, lambda: post_village(ctx), match="không ở trạng thái đang rà soát")


def test_posted_rows_carry_class_reasons_and_complaints(ctx):
    posting = post_village(ctx)
    ctx.a.refresh_from_db()
    complaint_record(actor=ctx.users.commune_officer, case=ctx.a, data=complaint(), today=TODAY)
    rows = {r.household_code: r for r in posted_rows(posting)}
    assert rows["H1"].proposed_label == "Hộ nghèo" and rows["H1"].complaints == 1
    assert rows["H1"].village == "Thôn 1" and rows["H1"].head_name == "Nguyễn Văn An"
    assert any("Việc làm" in text and "Dinh dưỡng" in text for text in rows["H1"].reasons)
    assert any("1.200.000" in text for text in rows["H1"].reasons)
    assert rows["H2"].proposed_label == "Hộ cận nghèo" and rows["H2"].complaints == 0
    assert posting_status(posting, date(2025, 10, 12)) == "upcoming"
    assert posting_status(posting, date(2025, 10, 15)) == "open"
    assert posting_status(posting, date(2025, 10, 16)) == "closed"


# -- complaints ---------------------------------------------------------------------------------


@pytest.fixture
def posted(ctx):
    ctx.posting = post_village(ctx)
    ctx.a.refresh_from_db()
    ctx.b.refresh_from_db()
    return ctx


def test_complaint_during_posting_is_on_time_and_audited(posted):
    ctx = posted
    c = complaint_record(actor=ctx.users.commune_steering_member, case=ctx.a,
                         data=complaint(complainant_contact="Thôn 1, 0912 345 678", late_claimed=False),
                         today=TODAY)  # fmt: skip
    assert c.late is False and c.status == "open" and c.posting == ctx.posting and c.unit_path == ctx.a.unit_path
    assert c.complainant_contact == "Thôn 1, 0912 345 678"
    event = AuditEvent.objects.get(event_type=ReviewsEventType.COMPLAINT_RECORDED)
    assert event.changes["new"]["late"] is False and event.changes["new"]["case"] == ctx.a.pk
    assert list(open_complaints(ctx.campaign, ctx.units.tho_xuan.path)) == [c]


def test_late_complaint_is_recorded_as_late_and_not_counted_open(posted):
    ctx = posted
    c = complaint_record(actor=ctx.users.commune_officer, case=ctx.a,
                         data=complaint(received_on=date(2025, 10, 16)), today=TODAY)  # fmt: skip
    assert c.late is True
    c2 = complaint_record(actor=ctx.users.commune_officer, case=ctx.b,
                          data=complaint(received_on=date(2025, 10, 17), late_claimed=True), today=TODAY)  # fmt: skip
    assert c2.late is True
    assert not open_complaints(ctx.campaign, ctx.units.tho_xuan.path).exists()


def test_late_complaint_claimed_on_time_is_refused(posted):
    ctx = posted
    err = assert_refused(
        ValidationError,
        lambda: complaint_record(
            actor=ctx.users.commune_officer,
            case=ctx.a,
            today=TODAY,
            data=complaint(received_on=date(2025, 10, 16), late_claimed=False),
        ),
        match="sau khi hết thời gian niêm yết",
    )
    assert "late_claimed" in err.message_dict  # fmt: skip


def test_complaint_refusals_write_nothing(posted, users):
    ctx = posted
    base = {"actor": users.commune_officer, "case": ctx.a, "today": TODAY}
    cases = [
        (ApplicationError, {"case": ctx.c}, {}, "chưa được niêm yết"),
        (ValidationError, {}, {"received_on": date(2025, 10, 21)}, "tương lai"),
        (ValidationError, {}, {"received_on": date(2025, 10, 12)}, "trước ngày bắt đầu niêm yết"),
        (ValidationError, {}, {"complainant_name": " "}, "người khiếu nại"),
        (ValidationError, {}, {"content": ""}, "nội dung"),
        (ValidationError, {}, {"channel": "pigeon"}, "hình thức"),
        (ValidationError, {}, {"late_claimed": True}, "không phải nhận muộn"),
        (PermissionDenied, {"actor": users.village_head}, {}, ""),
        (PermissionDenied, {"actor": users.commune_officer_dl}, {}, ""),
    ]
    for exc, args, data, match in cases:
        assert_refused(exc, lambda a=args, d=data: complaint_record(**{**base, **a, "data": complaint(**d)}),
                       match=match)  # fmt: skip


def test_complaint_refused_when_campaign_closed(posted, users):
    ctx = posted
    campaign_close(actor=users.province_officer, campaign=ctx.campaign)
    assert_refused(ApplicationError, lambda: complaint_record(actor=users.commune_officer, case=ctx.a,
                                                              data=complaint(), today=TODAY))  # fmt: skip


# -- verification -------------------------------------------------------------------------------


@pytest.fixture
def complained(posted):
    ctx = posted
    ctx.complaint = complaint_record(actor=ctx.users.commune_officer, case=ctx.a, data=complaint(), today=TODAY)
    return ctx


def test_upheld_complaint_sends_the_household_back_to_form_b(complained):
    ctx = complained
    c = complaint_verify(actor=ctx.users.commune_chair, complaint=ctx.complaint, upheld=True,
                         reason="Hộ có ô tô tải", verified_on=date(2025, 10, 16), today=TODAY)  # fmt: skip
    assert c.status == "upheld" and c.outcome_reason == "Hộ có ô tô tải" and c.verified_by == ctx.users.commune_chair
    case = ReviewCase.objects.get(pk=ctx.a.pk)
    assert case.state == "surveying" and case.posting is None and case.meeting is None
    verified = AuditEvent.objects.get(event_type=ReviewsEventType.COMPLAINT_VERIFIED)
    assert verified.changes["new"]["status"] == "upheld"
    resurvey = AuditEvent.objects.get(event_type=ReviewsEventType.CASE_RESURVEY)
    assert resurvey.changes["complaint"] == c.pk and "Hộ có ô tô tải" in resurvey.changes["reason"]
    assert not open_complaints(ctx.campaign, ctx.units.tho_xuan.path).exists()
    # the household is no longer posted: a new complaint about it is refused until it is posted again
    assert_refused(
        ApplicationError,
        lambda: complaint_record(actor=ctx.users.commune_officer, case=case, data=complaint(), today=TODAY),
        match="chưa được niêm yết",
    )


def test_rejected_complaint_keeps_the_household_posted(complained):
    ctx = complained
    c = complaint_verify(actor=ctx.users.commune_officer, complaint=ctx.complaint, upheld=False,
                         reason="Ô tô của con trai đã tách hộ", today=TODAY)  # fmt: skip
    assert c.status == "rejected" and c.verified_on == TODAY
    assert ReviewCase.objects.get(pk=ctx.a.pk).state == "posted"
    assert events(ReviewsEventType.CASE_RESURVEY) == 0


def test_upheld_complaint_about_a_household_no_longer_posted_changes_only_the_complaint(complained):
    ctx = complained
    ReviewCase.objects.filter(pk=ctx.a.pk).update(state="decided")
    c = complaint_verify(actor=ctx.users.commune_officer, complaint=ctx.complaint, upheld=True, reason="Đúng",
                         today=TODAY)  # fmt: skip
    assert c.status == "upheld" and ReviewCase.objects.get(pk=ctx.a.pk).state == "decided"


def test_verify_refusals_write_nothing(complained, users, units):
    ctx = complained
    base = {"actor": users.commune_officer, "complaint": ctx.complaint, "upheld": True, "reason": "Đúng",
            "today": TODAY}  # fmt: skip
    cases = [
        (ValidationError, {"reason": "  "}, "lý do"),
        (ValidationError, {"upheld": False, "reason": ""}, "lý do"),
        (ValidationError, {"verified_on": date(2025, 10, 13)}, "trước ngày nhận"),
        (ValidationError, {"verified_on": date(2025, 10, 21)}, "tương lai"),
        (PermissionDenied, {"actor": users.enumerator}, ""),
        (PermissionDenied, {"actor": users.commune_officer_dl}, ""),
    ]
    for exc, extra, match in cases:
        assert_refused(exc, lambda e=extra: complaint_verify(**{**base, **e}), match=match)
    UnitApproval.objects.create(campaign=ctx.campaign, unit=units.tho_xuan, level="commune", state="approved",
                                unit_path=units.tho_xuan.path)  # fmt: skip
    assert_refused(ApplicationError, lambda: complaint_verify(**base), match="đã được phê duyệt")
    UnitApproval.objects.all().delete()
    complaint_verify(**{**base, "upheld": False})
    assert_refused(ApplicationError, lambda: complaint_verify(**base), match="đã có kết luận")
