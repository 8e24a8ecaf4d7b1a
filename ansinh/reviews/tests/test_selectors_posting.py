from datetime import date
from types import SimpleNamespace

import pytest
from django.http import Http404

from ansinh.reviews.selectors_posting import (
    complaint_get_visible,
    complaint_list,
    open_complaints,
    posting_get_visible,
    posting_list,
)
from ansinh.reviews.services_posting import ComplaintData, complaint_record, complaint_verify, posting_open
from ansinh.reviews.tests.factories import load_reference_data, thanh_hoa_campaign
from ansinh.reviews.tests.helpers_posting import POSTING_ON, TODAY, household, meeting, met_case


@pytest.fixture
def ctx(units, users):
    load_reference_data()
    c = SimpleNamespace(units=units, users=users)
    c.campaign = thanh_hoa_campaign(c, open_=True)
    officer = users.commune_officer
    m1, m2 = meeting(c.campaign, units.t1), meeting(c.campaign, units.t2)
    c.a = met_case(c.campaign, household(units.tho_xuan, units.t1, "H1", officer), m1)
    c.b = met_case(c.campaign, household(units.tho_xuan, units.t2, "H2", officer, name="Lê Thị Bình"), m2)
    c.p1 = posting_open(actor=officer, campaign=c.campaign, unit=units.t1, places=["Nhà văn hóa Thôn 1"],
                        start_on=POSTING_ON, today=TODAY)  # fmt: skip
    c.p2 = posting_open(actor=officer, campaign=c.campaign, unit=units.t2, places=["Nhà văn hóa Thôn 2"],
                        start_on=POSTING_ON, today=TODAY)  # fmt: skip
    c.a.refresh_from_db()
    c.b.refresh_from_db()

    def complain(case, day):
        return complaint_record(actor=officer, case=case, today=TODAY,
                                data=ComplaintData(complainant_name="Phạm Văn Cường", content="Có ô tô",
                                                   channel="phone", received_on=date(2025, 10, day)))  # fmt: skip

    c.on_time_a, c.late_a, c.on_time_b = complain(c.a, 14), complain(c.a, 16), complain(c.b, 15)
    return c


def test_open_complaints_are_on_time_and_open_under_the_path(ctx):
    units = ctx.units
    assert set(open_complaints(ctx.campaign, units.tho_xuan.path)) == {ctx.on_time_a, ctx.on_time_b}
    assert list(open_complaints(ctx.campaign, units.t1.path)) == [ctx.on_time_a]
    complaint_verify(actor=ctx.users.commune_officer, complaint=ctx.on_time_a, upheld=False, reason="Không đúng",
                     today=TODAY)  # fmt: skip
    assert list(open_complaints(ctx.campaign, units.tho_xuan.path)) == [ctx.on_time_b]


def test_lists_are_scoped_to_the_reader(ctx, users):
    assert set(posting_list(users.commune_officer, ctx.campaign)) == {ctx.p1, ctx.p2}
    assert list(posting_list(users.village_head, ctx.campaign)) == [ctx.p1]  # Thôn 1 only
    assert list(posting_list(users.helping_agency_member, ctx.campaign)) == []
    assert posting_list(users.commune_officer, ctx.campaign).get(pk=ctx.p1.pk).case_count == 1
    assert complaint_list(users.commune_officer, ctx.campaign).count() == 3
    assert complaint_list(users.village_head, ctx.campaign).count() == 2
    assert complaint_list(users.commune_officer, ctx.campaign, status="upheld").count() == 0
    assert complaint_list(users.commune_officer_dl, ctx.campaign).count() == 0


def test_get_visible_answers_404_out_of_area(ctx, users):
    assert posting_get_visible(user=users.commune_officer, pk=ctx.p2.pk) == ctx.p2
    with pytest.raises(Http404):
        posting_get_visible(user=users.village_head, pk=ctx.p2.pk)
    with pytest.raises(Http404):
        posting_get_visible(user=users.commune_officer_dl, pk=ctx.p1.pk)
    assert complaint_get_visible(user=users.village_head, pk=ctx.on_time_a.pk) == ctx.on_time_a
    with pytest.raises(Http404):
        complaint_get_visible(user=users.village_head, pk=ctx.on_time_a.pk, perm="reviews.handle_complaint")
    with pytest.raises(Http404):
        complaint_get_visible(user=users.commune_officer, pk="x")
