"""The campaign count table (`CaseCount`): its check and its rebuild (decision 0015).

The table is written by database triggers on the case table (migration 0004), in the statement that
creates, moves or deletes a case, whoever issues it (a step service, a bulk update, a COPY, the admin).
Python never adds to it; it only compares it with the cases (`case_counts_diff`) and, to repair a
database where the triggers were missing for a while, rebuilds it from the cases (`case_counts_rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from ansinh.audit.services import audit_record

from .events import ReviewsEventType
from .models import Campaign, CaseCount, ReviewCase

TRIGGERS = ("reviews_casecount_insert", "reviews_casecount_delete", "reviews_casecount_update")
KEY = ("campaign_id", "unit_path", "successor_path", "state")


@dataclass(frozen=True)
class Difference:
    """One (campaign, unit path, successor path, state) whose stored count is not the number of cases."""

    campaign_id: int
    unit_path: str
    successor_path: str
    state: str
    stored: int
    actual: int


def triggers_missing() -> list[str]:
    """The count-table triggers absent from the database (a migration that rebuilt the case table on
    SQLite drops its triggers; the check reports that before the counts drift far)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [ReviewCase._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [ReviewCase._meta.db_table]
            )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in TRIGGERS if name not in present]


def _actual(campaign_ids: list[int] | None) -> dict[tuple, int]:
    qs = ReviewCase.objects.order_by()
    if campaign_ids is not None:
        qs = qs.filter(campaign_id__in=campaign_ids)
    return {tuple(row[:4]): row[4] for row in qs.values_list(*KEY).annotate(n=Count("pk"))}


def _stored(campaign_ids: list[int] | None) -> dict[tuple, int]:
    qs = CaseCount.objects.order_by()
    if campaign_ids is not None:
        qs = qs.filter(campaign_id__in=campaign_ids)
    return {tuple(row[:4]): row[4] for row in qs.values_list(*KEY, "n")}


def case_counts_diff(*, campaign: Campaign | None = None) -> list[Difference]:
    """Every place and state where the count table differs from a ``GROUP BY`` over the cases (of
    `campaign`, or of every campaign), sorted; empty when the table is right. Read only."""
    ids = None if campaign is None else [campaign.pk]
    actual, stored = _actual(ids), _stored(ids)
    return [
        Difference(*key, stored=stored.get(key, 0), actual=actual.get(key, 0))
        for key in sorted(actual.keys() | stored.keys())
        if stored.get(key, 0) != actual.get(key, 0)
    ]


def _lock_cases() -> None:
    """Keep writers of cases out while the table is rebuilt (they would change counts between the
    delete and the re-insert). SQLite's write transaction already excludes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(ReviewCase._meta.db_table)} IN SHARE MODE")


@transaction.atomic
def case_counts_rebuild(*, actor, campaign: Campaign | None = None) -> dict[str, int]:
    """Replace the count rows of `campaign` (or of every campaign) with a ``GROUP BY`` over its cases,
    writing one audit event per campaign whose rows changed (with the differences found). Case writers
    wait for it (table lock on PostgreSQL). Returns {"campaigns", "rows", "differences"}."""
    _lock_cases()
    campaigns = [campaign] if campaign is not None else list(Campaign.objects.order_by("pk"))
    rows = differences = 0
    for current in campaigns:
        found = case_counts_diff(campaign=current)
        actual = _actual([current.pk])
        if found:
            CaseCount.objects.filter(campaign=current).delete()
            CaseCount.objects.bulk_create(
                [CaseCount(campaign_id=key[0], unit_path=key[1], successor_path=key[2], state=key[3], n=n)
                 for key, n in sorted(actual.items())],
                batch_size=1000,
            )  # fmt: skip
            audit_record(
                actor=actor, event_type=ReviewsEventType.CASE_COUNTS_REBUILT, target=current,
                unit_path=current.unit_path,
                changes={"old": {"differences": len(found), "rows": sum(d.stored for d in found)},
                         "new": {"rows": sum(d.actual for d in found)}},
            )  # fmt: skip
        rows += len(actual)
        differences += len(found)
    return {"campaigns": len(campaigns), "rows": rows, "differences": differences}
