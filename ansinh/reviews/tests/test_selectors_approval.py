"""Step 10 reads: rows visible per area, blockers, counts, approval_for and who acts at which level."""

from types import SimpleNamespace

import pytest

from ansinh.reviews.selectors_approval import acts_at, approval_counts, approval_for, approval_tree
from ansinh.reviews.tests import matrix_approval as m
from ansinh.reviews.tests.factories import case_at, classified_household
from ansinh.reviews.tests.helpers_approval import legacy_campaign, open_complaint, rows


@pytest.fixture
def ctx(units, users):
    c = SimpleNamespace(units=units, users=users)
    m._setup(c)
    return c


def test_tree_is_scoped_to_the_readers_area(ctx):
    users = ctx.users
    assert [n.unit.code for n in approval_tree(user=users.commune_officer, campaign=ctx.campaign)] == ["16000"]
    codes = [n.unit.code for n in approval_tree(user=users.province_officer, campaign=ctx.campaign)]
    assert codes[0] == "38" and sorted(codes[1:]) == ["16000", "16001"]  # highest level first
    assert approval_tree(user=users.commune_officer_dl, campaign=ctx.campaign) == []
    assert approval_tree(user=users.helping_agency_member, campaign=ctx.campaign) == []


def test_blockers_and_children(ctx, units):
    household = classified_household(units.hac_thanh, village=None, code="S1", klass="poor", actor=None)
    case = case_at(ctx.campaign, household, "posted")
    open_complaint(ctx.campaign, case)
    nodes = {n.unit.code: n for n in approval_tree(user=ctx.users.province_officer, campaign=ctx.campaign)}
    ht = nodes["16001"].blockers
    assert ht.blocked and ht.not_done == {"posted": 1} and ht.open_complaints == 1 and ht.has_decision
    assert not nodes["16000"].blockers.blocked and nodes["16000"].can_submit is True
    assert nodes["16000"].can_approve is False  # submit_results over the area, but no approval right
    assert nodes["38"].children == {"waiting": 2} and nodes["38"].blockers is None
    assert nodes["38"].can_submit is True  # the button shows; the service refuses (children not approved)


def test_counts_per_level_and_approval_for(ctx, units):
    counts = approval_counts(user=ctx.users.province_officer, campaign=ctx.campaign)
    assert [(c["level"], c["total"]) for c in counts] == [("commune", 2), ("province", 1)]
    assert approval_for(ctx.campaign, units.t1.path + "x/").unit == units.tho_xuan
    assert approval_for(ctx.campaign, units.th.path).unit == units.th
    assert approval_for(ctx.campaign_out, units.t1.path) is None


def test_acts_at_exact_level_including_legacy_successors(ctx, units):
    users = ctx.users
    assert acts_at(users.commune_chair, units.tho_xuan) and not acts_at(users.commune_chair, units.th)
    assert acts_at(users.province_approver, units.th) and not acts_at(users.province_approver, units.tho_xuan)
    assert not acts_at(users.commune_officer, units.tho_xuan)  # submits, does not approve
    legacy = legacy_campaign(ctx)
    rows(legacy)
    # a legacy unit is approved by the 2025 unit of the same level it is reported under
    assert acts_at(users.commune_chair, units.xuan_hong)
    assert acts_at(users.province_approver, units.th_old)
    assert not acts_at(users.province_approver, units.tho_xuan_district)  # district's successor is the province
    assert acts_at(users.district_officer, units.tho_xuan_district)
