import pytest
from django.core.management import call_command

from ansinh.accounts.models import User
from ansinh.accounts.services import roles_load
from ansinh.audit.verification import verify_all
from ansinh.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from ansinh.demo.households import DEMO_COMMUNES
from ansinh.demo.services import demo_load
from ansinh.poverty.services import standards_load
from ansinh.registry.models import Household, Member
from ansinh.reviews.models import Campaign, MilestoneCompletion, ReviewCase
from ansinh.reviews.services import kinds_load


@pytest.fixture
def national_units(db):
    call_command("geo_load", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.slow
def test_demo_load_is_complete_valid_and_idempotent(national_units, client):
    roles_load(actor=None)
    standards_load()
    kinds_load()
    first = demo_load()
    assert first["users_created"] == len(ACCOUNTS)
    assert first["households_created"] == sum(c.households for c in DEMO_COMMUNES)
    assert Member.objects.count() >= 3 * Household.objects.count()
    assert demo_load() == {"users_created": 0, "villages_created": 0, "households_created": 0,
                           "households_classified": 0, "campaigns_created": 0}  # fmt: skip
    # The demo campaign is open, with the commune's recognition recorded on time.
    assert first["campaigns_created"] == 1
    campaign = Campaign.objects.get()
    assert campaign.status == "open" and campaign.approval_chain == ["commune", "province"]
    assert not MilestoneCompletion.objects.get().late
    # The commune's poor and near-poor households are listed into it, plus one application.
    listed = Household.objects.filter(commune=campaign.covered.get().unit, poverty_class__in=["poor", "near_poor"])
    assert ReviewCase.objects.exclude(origin="applied").count() == listed.count() > 0
    assert ReviewCase.objects.filter(origin="applied").count() == 1
    # Every demo household has form B and a classification; the classes are a realistic mix.
    assert first["households_classified"] == Household.objects.count()
    classes = set(Household.objects.values_list("poverty_class", flat=True))
    assert {"poor", "near_poor", "not_poor"} <= classes
    checked, breaks = verify_all()
    assert checked > 0
    assert breaks == []

    # Each commune officer sees the households of their own commune and no other.
    officer = User.objects.get(username="dl.canbo")
    visible = Household.objects.visible_to(officer)
    assert visible.count() == next(c.households for c in DEMO_COMMUNES if c.code == "24412")
    assert set(visible.values_list("commune__code", flat=True)) == {"24412"}
    response = client.post("/accounts/login/", {"username": "th.canbo", "password": DEMO_PASSWORD})
    assert response.status_code == 302  # the documented demo password works
