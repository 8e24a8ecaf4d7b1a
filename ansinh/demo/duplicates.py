"""Demo duplicates: a few people entered a second time, as happens in the field, and a scan of them.

Without them the demo's duplicate queue is empty and nobody can see how a pair is compared and
decided. Each copy is added to another household of the same commune through `member_add` (so it
is audited like real entry) as a relative living there, after the review campaigns are loaded (the
demo's classifications and campaigns are not changed by them). Then each commune with a copy is
scanned as the scan job does. Deterministic, and a second run adds nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from django.utils import timezone

from ansinh.core.text import fold_vietnamese
from ansinh.registry.duplicates import duplicates_scan, members_in_area
from ansinh.registry.models import Household, Member
from ansinh.registry.services import MemberData, member_add


def _without_diacritics(member: Member) -> dict:
    """Typed on a keyboard without Vietnamese input: "Lê Thị Hoa" → "Le Thi Hoa" (no CCCD given)."""
    return {"full_name": fold_vietnamese(member.full_name).title(), "id_number": ""}


def _day_month_swapped(member: Member) -> dict:
    """The birth date read in the other order (7/4 for 4/7), as from a paper form."""
    born = member.birth_date
    return {"birth_date": date(born.year, born.day, born.month), "id_number": ""}


def _one_letter_typo(member: Member) -> dict:
    """The last letter of the given name doubled, as by a sticky key ("Hùng" → "Hùngg")."""
    return {"full_name": member.full_name + member.full_name[-1], "id_number": ""}


def _swappable(member: Member) -> bool:
    born = member.birth_date
    return (
        born is not None and born.day <= 12 and born.day != born.month
        and date(born.year, born.day, born.month) <= timezone.localdate()
    )  # fmt: skip


def _any(member: Member) -> bool:
    return member.birth_date is not None and fold_vietnamese(member.full_name) != member.full_name.lower()


@dataclass(frozen=True)
class DemoDuplicate:
    commune_code: str  # a 2025 commune of `households.DEMO_COMMUNES`
    source: str  # household code of the person's first registration (or the next code with a fitting member)
    target: str  # household code where they are entered again
    change: Callable[[Member], dict]
    picks: Callable[[Member], bool] = _any  # which member of the source may be copied


def _source(commune, spec: DemoDuplicate) -> Member | None:
    """The first member that `spec.picks`, in household code then member order, from `spec.source` on
    (birth dates follow the day the demo is loaded, so a fixed member might not fit every day)."""
    members = (
        Member.objects.filter(household__commune=commune, household__code__gte=spec.source)
        .exclude(household__code=spec.target)
        .exclude(relation="other_relative")
        .select_related("ethnicity")
        .order_by("household__code", "order")
    )
    return next((m for m in members if spec.picks(m)), None)


DEMO_DUPLICATES = (
    DemoDuplicate("15499", "HS0003", "HS0012", _without_diacritics),
    DemoDuplicate("15499", "HS0009", "HS0020", _one_letter_typo),
    DemoDuplicate("24412", "HS0002", "HS0011", _day_month_swapped, _swappable),
)


def demo_duplicates_load(*, actor, communes: dict[str, object]) -> int:
    """Add the demo's second registrations that are missing and scan their communes; returns how
    many were added. `communes`: 2025 commune code → unit."""
    added = 0
    scanned = []
    for spec in DEMO_DUPLICATES:
        commune = communes[spec.commune_code]
        target = Household.objects.get(commune=commune, code=spec.target)
        source = _source(commune, spec)
        if source is None:
            continue
        data = replace(_member_data(source), **spec.change(source))
        if target.members.filter(full_name=data.full_name, birth_date=data.birth_date).exists():
            continue
        member_add(actor=actor, household=target, data=data)
        added += 1
        if commune not in scanned:
            scanned.append(commune)
    for commune in scanned:
        duplicates_scan(members=members_in_area(commune.path))
    return added


def _member_data(member: Member) -> MemberData:
    return MemberData(
        full_name=member.full_name, sex=member.sex, relation="other_relative", birth_date=member.birth_date,
        birth_year=member.birth_year, ethnicity_code=member.ethnicity.code if member.ethnicity_id else "",
        id_number=member.id_number, health_insurance=member.health_insurance, schooling=member.schooling,
        diploma=member.diploma, disability=member.disability, labour_status=member.labour_status,
        allowance=member.allowance,
    )  # fmt: skip
