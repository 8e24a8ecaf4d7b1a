"""Writing many new households at once: the import's fast commit path.

`household_register_many` saves households that `services.household_prepare` already validated,
with their members and heads, and records one HOUSEHOLD_REGISTERED event per household (the same
event `household_register` writes, so every household's history is complete). It runs in the
caller's transaction: the import gives each chunk of households one transaction, so a crash
leaves whole chunks only.

Ids are reserved first (`core.db.reserve_ids`), so a household names its head before the member
rows exist (both databases check foreign keys at commit) and no UPDATE of the heads is needed.
The rows then go in with ``COPY`` on PostgreSQL and one ``executemany`` per table elsewhere
(`core.db.insert_rows`).
"""

from __future__ import annotations

from django.db import connection

from ansinh.audit.services import PendingEvent, audit_record_many
from ansinh.core.db import insert_rows, reserve_ids

from .events import RegistryEventType
from .models import Household, Member
from .services import PreparedHousehold


def household_register_many(*, actor, prepared: list[PreparedHousehold]) -> list[Household]:
    """Save validated new households (codes and CCCDs already checked against the registry).

    Must run inside the caller's transaction. A code taken meanwhile by someone else makes the
    database refuse the whole call (unique constraint), and the caller's transaction with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("household_register_many must run inside the caller's transaction.")
    if not prepared:
        return []
    households = [p.household for p in prepared]
    members = [m for p in prepared for m in p.members]
    for obj, pk in zip(households, reserve_ids(Household, len(households)), strict=True):
        obj.pk = pk
    for obj, pk in zip(members, reserve_ids(Member, len(members)), strict=True):
        obj.pk = pk
    for item in prepared:
        for member in item.members:
            member.household = item.household
        item.household.head = item.head
    insert_rows(Household, households)
    insert_rows(Member, members)
    audit_record_many(
        actor=actor,
        events=[
            PendingEvent(RegistryEventType.HOUSEHOLD_REGISTERED, target=p.household, unit_path=p.household.unit_path,
                         changes=p.changes)
            for p in prepared
        ],
    )  # fmt: skip
    return households
