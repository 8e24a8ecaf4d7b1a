import pytest
from django.core.management import call_command

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.services import roles_load
from ansinh.audit.verification import verify_all
from ansinh.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from ansinh.demo.duplicates import DEMO_DUPLICATES
from ansinh.demo.households import DEMO_COMMUNES
from ansinh.demo.services import demo_load
from ansinh.geo.choices import LEGACY_LAST_DAY
from ansinh.geo.models import AdminUnit
from ansinh.poverty.services import standards_load
from ansinh.registry.models import DuplicatePair, Household, Member
from ansinh.reviews.models import Campaign, Certificate, MilestoneCompletion, ReviewCase
from ansinh.reviews.services import kinds_load
from ansinh.reviews.services_cases import form_a_load


@pytest.fixture
def national_units(db):
    call_command("geo_load", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.slow
def test_demo_load_is_complete_valid_and_idempotent(national_units, client):
    roles_load(actor=None)
    standards_load()
    kinds_load()
    form_a_load()
    first = demo_load()
    assert first["users_created"] == len(ACCOUNTS)
    assert first["households_created"] == sum(c.households for c in DEMO_COMMUNES)
    assert Member.objects.count() >= 3 * Household.objects.count()
    assert demo_load() == {"users_created": 0, "villages_created": 0, "households_created": 0,
                           "households_classified": 0, "campaigns_created": 0, "duplicates_added": 0}  # fmt: skip
    assert first["campaigns_created"] == 2
    # Thanh Hóa 2026 (2025 structure): every step done through the services, up to the frozen results.
    campaign = Campaign.objects.get(year=2026)
    assert campaign.status == "open" and campaign.approval_chain == ["commune", "province"]
    cases = ReviewCase.objects.filter(campaign=campaign)
    assert set(cases.values_list("state", flat=True)) == {"approved", "screened_out"}
    assert cases.filter(origin="applied").count() == 5 and cases.filter(state="screened_out").count() == 1
    assert campaign.meetings.filter(results__passed=False).count() == 1  # under 50 %: surveyed and met again
    assert campaign.complaints.filter(late=True).count() == 1 and campaign.complaints.count() == 2
    recognised = cases.filter(final_class__in=["poor", "near_poor"])
    assert Certificate.objects.filter(case__campaign=campaign).count() == recognised.count() > 0
    assert campaign.results.count() == cases.count()
    assert set(campaign.approvals.values_list("state", flat=True)) == {"approved", "accepted"}
    assert not MilestoneCompletion.objects.get(milestone__campaign=campaign).late
    # Đắk Lắk 2019 replayed on the legacy structure: closed, Krông Jing late, one discrepancy resolved.
    replay = Campaign.objects.get(year=2019)
    assert replay.status == "closed" and replay.approval_chain == ["commune", "district", "province"]
    assert replay.structure == "legacy" and replay.plan_number == "6828/KH-UBND"
    late = {
        c.unit.name: c.late
        for c in MilestoneCompletion.objects.filter(milestone__campaign=replay, milestone__code="commune_recognition")
    }
    assert late == {"Xã Ea Lai": False, "Xã Krông Jing": True}
    sample = replay.reinspections.get().samples.get(discrepancy=True)
    assert sample.resolved_on is not None and sample.resolution
    assert replay.results.count() == replay.cases.count() > 0
    # Every demo household has form B and a classification; the classes are a realistic mix.
    assert first["households_classified"] == Household.objects.count()
    classes = set(Household.objects.values_list("poverty_class", flat=True))
    assert {"poor", "near_poor", "not_poor"} <= classes
    # A few people entered twice (no diacritics, a typo, day and month swapped): the queue has them.
    assert first["duplicates_added"] == len(DEMO_DUPLICATES)
    rules = [set(p.evidence["rules"]) for p in DuplicatePair.objects.filter(status="pending")]
    for rule in ("lost_diacritics", "one_letter_typo", "day_month_swapped"):
        assert any(rule in found for found in rules), rule
    assert DuplicatePair.objects.count() == len(DEMO_DUPLICATES)  # and no false pair among the demo's people
    checked, breaks = verify_all()
    assert checked > 0
    assert breaks == []

    # Each commune officer sees the households of their own commune (and of the legacy communes it
    # continues: Ea Lai and Krông Jing are now part of xã M'Drắk) and no other.
    officer = User.objects.get(username="dl.canbo")
    visible = Household.objects.visible_to(officer)
    codes = {"24412", "24421", "24427"}
    assert visible.count() == sum(c.households for c in DEMO_COMMUNES if c.code in codes)
    assert set(visible.values_list("commune__code", flat=True)) == codes
    response = client.post("/accounts/login/", {"username": "th.canbo", "password": DEMO_PASSWORD})
    assert response.status_code == 302  # the documented demo password works
    # Legacy district accounts: every assignment starts while its district existed (before
    # 1/7/2025); th.huyen.cu's ended with the district, as the README's table says.
    for assignment in RoleAssignment.objects.filter(unit__structure="legacy").select_related("unit", "user"):
        assert assignment.valid_from <= assignment.unit.valid_to, assignment.user.username
    ended = RoleAssignment.objects.get(user__username="th.huyen.cu")
    assert ended.valid_to == LEGACY_LAST_DAY
    # The 2019 communes got their villages as of the day their records describe.
    assert AdminUnit.objects.filter(level="village", parent__structure="legacy", parent__code="24421").exists()
    # Every role of the brief has an account: the village head and the enumerator of Thôn Xuân Hồng 1
    # see its households only; the Front's supervisor, the helping agency and the inspector sign in
    # to a role in force.
    village = AdminUnit.objects.get(level="village", code="XH1", parent__code="15499")
    for username in ("th.truongthon", "th.rasoat"):
        seen = Household.objects.visible_to(User.objects.get(username=username))
        assert seen.exists() and set(seen.values_list("village_id", flat=True)) == {village.pk}, username
    for account in ACCOUNTS:
        if account.username == "th.huyen.cu":
            continue  # its district ended: the dashboard says no role is in force (README)
        client.force_login(User.objects.get(username=account.username))
        page = client.get("/").content.decode()
        assert "Bạn chưa có vai trò nào đang hiệu lực" not in page, account.username
