from datetime import date
from types import SimpleNamespace

import pytest
from django.http import Http404

from ansinh.reviews.selectors import campaign_get_visible, campaign_list_visible_to, milestone_board
from ansinh.reviews.services import milestone_complete
from ansinh.reviews.tests.factories import dak_lak_campaign, make_campaign, thanh_hoa_campaign


@pytest.fixture
def ctx(units, users):
    return SimpleNamespace(units=units, users=users)


def test_campaigns_are_seen_by_their_province_and_the_units_they_cover(ctx):
    users = ctx.users
    th, dl = thanh_hoa_campaign(ctx), dak_lak_campaign(ctx)
    assert set(campaign_list_visible_to(user=users.province_officer)) == {th}
    assert set(campaign_list_visible_to(user=users.commune_officer)) == {th}  # covers Thọ Xuân
    assert set(campaign_list_visible_to(user=users.village_head)) == {th}  # Thôn 1 lies under Thọ Xuân
    assert set(campaign_list_visible_to(user=users.commune_officer_dl)) == {dl}
    assert set(campaign_list_visible_to(user=users.auditor)) == {th, dl}  # national role
    assert not campaign_list_visible_to(user=users.helping_agency_member).exists()  # no view permission
    assert not campaign_list_visible_to(user=users.no_role).exists()
    with pytest.raises(Http404):
        campaign_get_visible(user=users.commune_officer, pk=dl.pk)
    with pytest.raises(Http404):
        campaign_get_visible(user=users.commune_officer, pk="abc")


def test_a_campaign_not_covering_the_commune_is_not_seen(ctx):
    only_hac_thanh = make_campaign(ctx.users.province_officer, ctx.units.th, [ctx.units.hac_thanh])
    assert not campaign_list_visible_to(user=ctx.users.commune_officer).filter(pk=only_hac_thanh.pk).exists()


def test_legacy_campaign_is_seen_by_the_successor_units(ctx):
    units = ctx.units
    legacy = make_campaign(ctx.users.province_officer, units.th_old, [units.tho_xuan_district, units.xuan_hong],
                           year=2024, plan_date=date(2024, 8, 20))  # fmt: skip
    assert legacy in campaign_list_visible_to(user=ctx.users.district_officer)
    assert legacy in campaign_list_visible_to(user=ctx.users.commune_officer)  # Xuân Hồng → Thọ Xuân


def test_list_filters(ctx):
    th = thanh_hoa_campaign(ctx)
    user = ctx.users.province_officer
    assert list(campaign_list_visible_to(user=user, filters={"kind": "periodic", "year": 2025})) == [th]
    assert not campaign_list_visible_to(user=user, filters={"status": "open"}).exists()
    assert not campaign_list_visible_to(user=user, filters={"kind": "monthly"}).exists()


def test_board_counts_match_the_completions(ctx):
    users, units = ctx.users, ctx.units
    campaign = thanh_hoa_campaign(ctx, open_=True)
    recognition = campaign.milestones.get(code="commune_recognition")  # 14/12
    milestone_complete(actor=users.commune_officer, milestone=recognition, unit=units.tho_xuan,
                       done_on=date(2025, 12, 16))  # fmt: skip
    board = milestone_board(user=users.province_officer, campaign=campaign, today=date(2025, 12, 10))
    assert [row.unit for row in board.rows] == [units.th, units.hac_thanh, units.tho_xuan]  # by name
    states = {(row.unit.code, cell.milestone.code): cell.state for row in board.rows for cell in row.cells}
    assert states[("16000", "commune_recognition")] == "done_late"
    assert states[("16001", "commune_recognition")] == "due_soon"  # 4 days left, window 7
    assert states[("38", "province_preliminary_ministry")] == "overdue"  # 15/11
    assert states[("38", "province_official_ministry")] == "pending"  # 20/12: 10 days left
    assert states[("38", "commune_recognition")] == ""  # not the province's level
    assert board.totals == {"done_on_time": 0, "done_late": 1, "due_soon": 1, "overdue": 1, "pending": 1}


def test_board_rows_are_scoped_and_completion_is_offered_only_where_allowed(ctx):
    users, units = ctx.users, ctx.units
    campaign = thanh_hoa_campaign(ctx, open_=True)
    board = milestone_board(user=users.commune_officer, campaign=campaign, today=date(2025, 12, 1))
    # The province's row is shown read only: its milestones are on the campaign page of every reader.
    assert [row.unit for row in board.rows] == [units.th, units.tho_xuan]
    assert [c.can_complete for c in board.rows[0].cells if c.state] == [False, False]
    assert [c.can_complete for c in board.rows[1].cells if c.state] == [True]
    head = milestone_board(user=users.village_head, campaign=campaign, today=date(2025, 12, 1))
    assert [row.unit for row in head.rows] == [units.th, units.tho_xuan]  # the village head follows their commune
    assert not any(c.can_complete for row in head.rows for c in row.cells)


def test_every_reader_counts_the_milestones_the_campaign_page_lists(ctx):
    """One commune in the campaign: the chips of the province and of the commune's readers count each
    listed milestone once, the same states (the province's overdue report included)."""
    users, units = ctx.users, ctx.units
    campaign = thanh_hoa_campaign(ctx, open_=True)
    campaign.covered.exclude(unit=units.tho_xuan).delete()
    today = date(2025, 11, 20)  # after the preliminary report's 15/11
    totals = {user.username: milestone_board(user=user, campaign=campaign, today=today).totals
              for user in (users.province_officer, users.commune_officer, users.village_head)}  # fmt: skip
    assert len({tuple(t.items()) for t in totals.values()}) == 1
    counts = next(iter(totals.values()))
    assert sum(counts.values()) == campaign.milestones.count() and counts["overdue"] == 1


def test_board_shows_the_district_between_a_legacy_campaign_and_its_communes(ctx):
    from ansinh.reviews.selectors import board_units

    units = ctx.units
    legacy = make_campaign(ctx.users.province_officer, units.th_old, [units.xuan_hong], year=2019,
                           plan_date=date(2019, 8, 21), open_=True)  # fmt: skip
    assert [u.pk for u in board_units(legacy)] == [units.tho_xuan_district.pk, units.xuan_hong.pk]
    milestone = legacy.milestones.get(code="district_official")
    done = milestone_complete(actor=ctx.users.province_officer, milestone=milestone, unit=units.tho_xuan_district,
                              done_on=date(2019, 10, 12), today=date(2019, 10, 12))  # fmt: skip
    assert done.late


def test_case_history_includes_the_group_steps_it_went_through(ctx):
    from ansinh.audit.services import audit_record
    from ansinh.reviews.events import ReviewsEventType
    from ansinh.reviews.selectors import case_history
    from ansinh.reviews.tests.helpers_posting import household, meeting, met_case

    units, officer = ctx.units, ctx.users.commune_officer
    campaign = thanh_hoa_campaign(ctx, open_=True)
    village_meeting, other_meeting = meeting(campaign, units.t1), meeting(campaign, units.t2)
    case = met_case(campaign, household(units.tho_xuan, units.t1, "H1", officer), village_meeting)
    village_meeting.results.create(case=case, proposed_class="poor", agreeing=30, passed=True, unit_path=case.unit_path)
    for target in (village_meeting, other_meeting):
        audit_record(actor=officer, event_type=ReviewsEventType.MEETING_RECORDED, target=target,
                     unit_path=target.unit_path, changes={"new": {"meeting": target.pk}})  # fmt: skip
    events = list(case_history(case=case))
    assert [e.target_id for e in events if e.event_type == ReviewsEventType.MEETING_RECORDED] == [
        str(village_meeting.pk)
    ]
