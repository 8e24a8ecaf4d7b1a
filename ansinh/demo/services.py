"""Loading the demo data through the apps' own services, idempotently."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from ansinh.accounts.models import Role, RoleAssignment, User
from ansinh.accounts.services import role_assignment_create, user_create
from ansinh.geo.choices import Structure
from ansinh.geo.models import AdminUnit
from ansinh.geo.services import village_create

from .accounts import ACCOUNTS, DEMO_PASSWORD, DemoAccount
from .duplicates import demo_duplicates_load
from .households import DEMO_COMMUNES, demo_households_load
from .poverty import demo_households, demo_poverty_load
from .reviews import demo_campaign_load


class DemoDataError(RuntimeError):
    """The demo cannot be loaded (e.g. the national units were not loaded first)."""


def _unit(structure: str | None, code: str | None) -> AdminUnit | None:
    if structure is None:
        return None
    unit = AdminUnit.objects.exclude(level="village").filter(structure=structure, code=code).first()
    if unit is None:
        raise DemoDataError(f"Unit {structure}/{code} is missing: run `manage.py geo_load` first.")
    return unit


@transaction.atomic
def demo_account_ensure(*, account: DemoAccount) -> tuple[User, bool]:
    """Create the demo user and its role assignment if missing; never touches an existing password."""
    unit = _unit(account.structure, account.unit_code)
    if account.village_code is not None:
        unit = unit.children.filter(code=account.village_code).first()
        if unit is None:
            raise DemoDataError(
                f"Village {account.village_code} of {account.unit_code} is missing: load the villages first."
            )
    user = User.objects.filter(username=account.username).first()
    created = user is None
    if created:
        user = user_create(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            full_name=account.full_name,
            position=account.position,
            is_staff=account.staff,
        )
    role = Role.objects.get(code=account.role)
    if not RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        role_assignment_create(actor=None, user=user, role=role, unit=unit, valid_from=account.valid_from,
                               valid_to=account.valid_to, note="Tài khoản minh họa")  # fmt: skip
    return user, created


# The year-end review before the demo's 2026 campaign (its form B and classes are dated then).
PREVIOUS_REVIEW_DAY = date(2025, 12, 15)


def demo_load(*, today: date | None = None) -> dict[str, int]:
    """Demo accounts, villages and households; a second run changes nothing."""
    users_created = villages_created = 0
    for account in ACCOUNTS:
        if account.village_code is None:
            _user, created = demo_account_ensure(account=account)
            users_created += created
    officer = User.objects.get(username="quantri")
    communes = {}
    for spec in DEMO_COMMUNES:
        commune = _unit(spec.structure, spec.code)
        communes[(spec.structure, spec.code)] = commune
        existing = set(commune.children.values_list("code", flat=True))
        for village_code, name, unit_type in spec.villages:
            if village_code in existing:
                continue
            # A legacy commune's villages are entered as of the day its records describe (2019).
            village_create(actor=officer, commune=commune, code=village_code, name=name, unit_type=unit_type,
                           as_of=spec.as_of)  # fmt: skip
            villages_created += 1
    for account in ACCOUNTS:  # village heads and enumerators, once their villages are made
        if account.village_code is not None:
            _user, created = demo_account_ensure(account=account)
            users_created += created
    today = today or timezone.localdate()
    households_created = demo_households_load(actor=officer, communes=communes, today=today)
    classified = 0
    # Legacy communes are classified as of their own day; today's communes as of the previous year-end
    # review, before the 2026 campaign (`demo_campaign_load`), whose recognition decision then gives
    # the classes of its households: a classification dated after it would stand beside it.
    for as_of in {c.as_of for c in DEMO_COMMUNES}:
        dated = [communes[(c.structure, c.code)] for c in DEMO_COMMUNES if c.as_of == as_of]
        classified += demo_poverty_load(actor=officer, households=demo_households(dated),
                                        today=as_of or min(today, PREVIOUS_REVIEW_DAY))  # fmt: skip
    campaigns = demo_campaign_load(today=today)
    current = {code: unit for (structure, code), unit in communes.items() if structure == Structure.Y2025}
    duplicates = demo_duplicates_load(actor=officer, communes=current)
    return {
        "users_created": users_created,
        "villages_created": villages_created,
        "households_created": households_created,
        "households_classified": classified,
        "campaigns_created": campaigns,
        "duplicates_added": duplicates,
    }
