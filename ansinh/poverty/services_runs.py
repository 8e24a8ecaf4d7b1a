"""Bulk classification of a unit as a background job: preview first (no writes), then commit.

States and transitions are `choices.RUN_TRANSITIONS`: previewing → previewed → committing →
committed (or failed / cancelled). The preview counts households per commune and per class, the
changes against each household's current class and the households that cannot be classified yet
(no form B income, unanswered indicators). The commit classifies again from the data as it is
then (so nothing stale is written), stores one result row per household, never overwriting
earlier ones, and sets each household's current class, all in one transaction: a failure or a
killed worker leaves no part of the run visible.

A household whose class a recognition decision gave under the run's standard keeps it (only a later
decision changes it): its result is stored all the same. The counts say so: such a household whose
result differs from its recognised class is counted as kept (``kept``, ``kept_transitions``), never
as a change (``changed``, ``transitions``: the classes the commit actually changes).
"""

# ruff: noqa: S608 - table names are ours, values are parameters
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ansinh.audit.services import audit_record
from ansinh.core.db import insert_rows, reserve_ids
from ansinh.core.exceptions import ApplicationError
from ansinh.core.partitions import reported_province_key, reported_province_key_sql
from ansinh.core.scoping import scope_of
from ansinh.geo.models import AdminUnit
from ansinh.jobs.models import Job
from ansinh.jobs.services import JobProgress, job_enqueue, register_job_kind
from ansinh.jobs.texts import application_error, failure_entry, lazy_entry
from ansinh.registry.choices import PovertyClassSource
from ansinh.registry.services import households_poverty_summary_set

from . import classify_sql, partitions
from .choices import RUN_TRANSITIONS, RunStatus
from .classify_sql import NotCompilable
from .events import PovertyEventType
from .models import Assessment, Classification, ClassificationRun, PovertyStandard, StandardVersion
from .selectors import CLASSIFY_PERM, households_for_run, present_members_by_household
from .services import classification_row, evaluate, require_reach

PREVIEW_KIND = "poverty.run_preview"
COMMIT_KIND = "poverty.run_commit"
CHUNK = 500
SAMPLE_CHANGES = 200
# The jobs' last message (both commit paths); stored untranslated, read in the reader's language.
COMMITTED_MESSAGE = gettext_noop("Đã ghi kết quả phân loại của %(n)s hộ.")


def _transition(run: ClassificationRun, to: str) -> None:
    if to not in RUN_TRANSITIONS[RunStatus(run.status)]:
        # An entry with the statuses as entries: a job failing with it shows it in each reader's language.
        raise application_error(
            gettext_noop("Đợt phân loại đang ở trạng thái “%(status)s”, không chuyển sang “%(to)s” được."),
            {"status": lazy_entry(RunStatus(run.status).label), "to": lazy_entry(RunStatus(to).label)},
            code="run_transition_refused",
        )
    run.status = to


def _kept(household, standard_code: str) -> bool:
    """Whether the commit leaves this household's class as it is: a recognition decision gave it under
    the run's standard (`registry.services.households_poverty_summary_set`, `_publish_households`)."""
    return household.poverty_class_source == PovertyClassSource.DECISION and household.poverty_standard == standard_code


def _count_result(counts: Counter, transitions: Counter, kept_transitions: Counter, *, old: str, new: str,
                  kept: bool, n: int = 1) -> bool:  # fmt: skip
    """Count a classified household (or `n` alike) against its current class; True when the commit
    changes its class. A recognised class the result differs from is kept, counted apart."""
    if old == new:
        return False
    key = f"{old or '-'}>{new}"
    if kept:
        counts["kept"] += n
        kept_transitions[key] += n
        return False
    counts["changed"] += n
    transitions[key] += n
    return True


def _latest_assessments(households: list, standard: PovertyStandard) -> dict[int, Assessment]:
    """The latest form B of each household, read from the households' provinces only (form B is partitioned
    by province on PostgreSQL, decision 0037: every form B carries its household's key)."""
    latest: dict[int, Assessment] = {}
    keys = sorted({reported_province_key(h.unit_path, h.successor_path) for h in households})
    for item in Assessment.objects.filter(
        household_id__in=[h.pk for h in households], standard=standard, province_key__in=keys
    ).order_by("household_id", "assessed_on", "id"):
        latest[item.household_id] = item  # the last one per household wins
    return latest


def _evaluations(run: ClassificationRun, version: StandardVersion, ids: list[int] | None = None
                 ) -> Iterator[tuple[Any, Any, Any]]:  # fmt: skip
    """(household, assessment, evaluation) for every active household of the run's unit (or of `ids`).

    One ordered query, streamed in chunks (a server-side cursor on PostgreSQL) with each chunk's
    members and form B fetched beside it: linear in the unit's size and flat in memory. (Paging
    with ``pk > last`` re-scanned the whole unit for every page on PostgreSQL: quadratic.)
    """
    spec = version.spec()
    households = households_for_run(run.unit)
    if ids is not None:
        households = households.filter(pk__in=ids)
    for chunk in _chunks(households.iterator(chunk_size=CHUNK), CHUNK):
        ids = [h.pk for h in chunk]
        assessments = _latest_assessments(chunk, version.standard)
        members = present_members_by_household(ids)
        for household in chunk:
            assessment = assessments.get(household.pk)
            evaluation = evaluate(spec, household, assessment, on_date=run.on_date, members=members[household.pk])
            yield household, assessment, evaluation


def _chunks(items, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_start(*, actor, unit: AdminUnit, standard: PovertyStandard, on_date: date | None = None) -> ClassificationRun:
    """Queue the preview of classifying every household of `unit` under the standard's current version."""
    if not actor.has_perm(CLASSIFY_PERM, unit):
        raise PermissionDenied(_("Bạn không được phân loại hộ trên địa bàn này."))
    on_date = on_date or timezone.localdate()
    if on_date > timezone.localdate():
        raise ValidationError({"on_date": _("Ngày tính ở tương lai.")})
    require_reach(standard, unit)
    with transaction.atomic():
        version = StandardVersion.objects.get(standard=standard, version=standard.version)
        run = ClassificationRun.objects.create(
            unit=unit, standard_version=version, on_date=on_date, unit_path=unit.path, created_by=actor
        )
        run.job = job_enqueue(
            actor=actor, kind=PREVIEW_KIND, unit_path=unit.path, params={"run_id": run.pk},
            label=gettext_noop("Tính thử phân loại hộ: %(unit)s theo chuẩn %(code)s"),
            label_params={"unit": unit.name, "code": standard.code},
        )  # fmt: skip
        run.save(update_fields=["job", "updated_at"])
    return run


def _fail(run_id: int, actor, exc: Exception) -> None:
    """Mark a run failed after its job raised (the job records the error for its page too): the reason
    as written and, for our own refusals, as an entry read in the reader's language (`failure_entry`)."""
    with transaction.atomic():
        failed = ClassificationRun.objects.select_for_update().get(pk=run_id)
        if failed.status in (RunStatus.PREVIEWING, RunStatus.COMMITTING):
            failed.status, failed.error, failed.error_entry = RunStatus.FAILED, str(exc)[:2000], failure_entry(exc)
            failed.save(update_fields=["status", "error", "error_entry", "updated_at"])
            audit_record(
                actor=actor, event_type=PovertyEventType.RUN_FAILED, target=failed, unit_path=failed.unit_path,
                changes={"new": {"status": failed.status}},
            )  # fmt: skip


def _preview(job: Job, progress: JobProgress) -> dict[str, Any]:
    try:
        return _preview_body(job, progress)
    except Exception as exc:
        _fail(job.params["run_id"], None, exc)
        raise


def _preview_body(job: Job, progress: JobProgress) -> dict[str, Any]:
    run = ClassificationRun.objects.select_related("unit", "standard_version__standard").get(pk=job.params["run_id"])
    try:
        return _preview_sql(run, progress)
    except NotCompilable:
        return _preview_python(run, progress)


def _preview_python(run: ClassificationRun, progress: JobProgress) -> dict[str, Any]:
    """The preview household by household in Python (standards the SQL compiler cannot express)."""
    progress.set_total(households_for_run(run.unit).count())
    per_commune: dict[str, Counter] = defaultdict(Counter)
    transitions: Counter = Counter()
    kept_transitions: Counter = Counter()
    changes, incomplete = [], []
    communes: dict[int, str] = {}
    counts: Counter = Counter(households=0, changed=0)
    code = run.standard_version.standard.code
    for household, _assessment, evaluation in _evaluations(run, run.standard_version):
        kept = _kept(household, code)
        if kept:
            counts["recognised"] += 1
        if household.commune_id not in communes:
            communes[household.commune_id] = AdminUnit.objects.get(pk=household.commune_id).name
        commune = communes[household.commune_id]
        if evaluation.result is None:
            counts["incomplete"] += 1
            per_commune[commune]["incomplete"] += 1
            if len(incomplete) < SAMPLE_CHANGES:
                incomplete.append({"household": household.pk, "code": household.code, "missing": evaluation.missing})
        else:
            new = evaluation.result.klass
            counts[new] += 1
            per_commune[commune][new] += 1
            old = household.poverty_class or ""
            changed = _count_result(counts, transitions, kept_transitions, old=old, new=new, kept=kept)
            if changed and len(changes) < SAMPLE_CHANGES:
                changes.append({"household": household.pk, "code": household.code, "head": household.head_name,
                                "old": old, "new": new})  # fmt: skip
        counts["households"] += 1
        progress.advance()
    return _preview_save(run, progress, counts, per_commune, transitions, changes, incomplete, kept_transitions)


def _preview_save(run, progress, counts, per_commune, transitions, changes, incomplete,
                  kept_transitions) -> dict[str, Any]:  # fmt: skip
    # `counts["recognised"]`: households whose class a recognition decision gave under this standard
    # (the commit stores their results but leaves their class); `counts["kept"]` and `kept_transitions`:
    # those among them whose result differs from that class. Neither is in "changed" or "transitions".
    preview = {
        "counts": dict(counts), "per_commune": {k: dict(v) for k, v in sorted(per_commune.items())},
        "transitions": dict(transitions), "kept_transitions": dict(kept_transitions), "changes": changes,
        "incomplete": incomplete,
    }  # fmt: skip
    with transaction.atomic():
        locked = ClassificationRun.objects.select_for_update().get(pk=run.pk)
        _transition(locked, RunStatus.PREVIEWED)
        locked.preview, locked.counts = preview, dict(counts)
        locked.save(update_fields=["status", "preview", "counts", "updated_at"])
        audit_record(
            actor=run.created_by, event_type=PovertyEventType.RUN_PREVIEWED, target=locked, unit_path=locked.unit_path,
            changes={"new": {"status": locked.status, "counts": dict(counts)}},
        )  # fmt: skip
    progress.message(gettext_noop("Tính thử xong %(n)s hộ."), {"n": counts["households"]})
    return {"run_id": run.pk, "counts": dict(counts)}


def run_commit(*, actor, run: ClassificationRun) -> ClassificationRun:
    """Queue writing the results of a previewed run (the actor needs the classify permission there)."""
    if not actor.has_perm(CLASSIFY_PERM, run.unit):
        raise PermissionDenied(_("Bạn không được phân loại hộ trên địa bàn này."))
    with transaction.atomic():
        locked = ClassificationRun.objects.select_for_update().select_related("unit").get(pk=run.pk)
        _transition(locked, RunStatus.COMMITTING)
        locked.committed_by = actor
        locked.job = job_enqueue(
            actor=actor, kind=COMMIT_KIND, unit_path=locked.unit_path, params={"run_id": locked.pk},
            label=gettext_noop("Ghi kết quả phân loại hộ: %(unit)s"), label_params={"unit": locked.unit.name},
        )  # fmt: skip
        locked.save(update_fields=["status", "committed_by", "job", "updated_at"])
    return locked


def _commit(job: Job, progress: JobProgress) -> dict[str, Any]:
    run = ClassificationRun.objects.select_related("unit", "standard_version__standard").get(pk=job.params["run_id"])
    if run.status == RunStatus.COMMITTED:  # a worker died after publishing: nothing left to do
        return {"run_id": run.pk, "counts": run.counts}
    try:
        return _commit_sql(run, progress)
    except NotCompilable:
        return _commit_python(run, progress)


def _commit_python(run: ClassificationRun, progress: JobProgress) -> dict[str, Any]:
    """The commit household by household in Python, in one transaction (standards the SQL
    compiler cannot express)."""
    version = run.standard_version
    progress.set_total(households_for_run(run.unit).count())
    counts: Counter = Counter(households=0, changed=0)
    try:
        with transaction.atomic():
            rows, summary = [], []
            for household, assessment, evaluation in _evaluations(run, version):
                progress.advance()
                _tally(run, version, household, assessment, evaluation, counts, rows, summary)
                # Written chunk by chunk: memory stays flat as the unit grows. The households
                # being read are updated only after they were read, and never in the columns the
                # query filters or orders by, so the open cursor (SQLite reads in batches on the
                # same connection) is not disturbed.
                if len(rows) >= CHUNK:
                    _write_chunk(rows, summary, version, run.on_date)
                    rows, summary = [], []
            _write_chunk(rows, summary, version, run.on_date)
            locked = ClassificationRun.objects.select_for_update().get(pk=run.pk)
            _transition(locked, RunStatus.COMMITTED)
            locked.counts = dict(counts)
            locked.save(update_fields=["status", "counts", "updated_at"])
            audit_record(
                actor=run.committed_by, event_type=PovertyEventType.RUN_COMMITTED, target=locked,
                unit_path=locked.unit_path,
                changes={"new": {"status": locked.status, "standard": version.standard.code,
                                 "version": version.version, "counts": dict(counts)}},
            )  # fmt: skip
    except Exception as exc:
        _fail(run.pk, run.committed_by, exc)
        raise
    _analyze_results(run)
    progress.message(COMMITTED_MESSAGE, {"n": counts["households"] - counts["incomplete"]})
    return {"run_id": run.pk, "counts": dict(counts)}


def _analyze_results(run: ClassificationRun) -> None:
    """PostgreSQL: planner statistics for the results' partition if this commit is the first to fill it
    (`partitions.analyze_new`, decision 0034). A run's households are all reported under the province
    of its unit (a legacy unit's successors lie in the province its own became)."""
    partitions.analyze_new([reported_province_key(run.unit.path, run.unit.successor_path)])


def _tally(run, version, household, assessment, evaluation, counts: Counter, rows: list, summary: list) -> None:
    """Count one evaluated household and queue its result row and its new current class (Python path)."""
    counts["households"] += 1
    kept = _kept(household, version.standard.code)
    if kept:
        counts["recognised"] += 1
    if evaluation.result is None:
        counts["incomplete"] += 1
        return
    row = classification_row(household=household, version=version, evaluation=evaluation, assessment=assessment,
                             on_date=run.on_date, actor=run.committed_by, run=run)  # fmt: skip
    rows.append(row)
    summary.append((household.pk, evaluation.result.klass))
    counts[evaluation.result.klass] += 1
    _count_result(counts, Counter(), Counter(), old=household.poverty_class or "", new=evaluation.result.klass,
                  kept=kept)  # fmt: skip


def _write_chunk(rows: list[Classification], summary: list[tuple[int, str]], version, on_date: date) -> None:
    """Write a chunk of result rows (``COPY`` on PostgreSQL) and the households' current class."""
    if not rows:
        return
    # The form Bs the results name exist (no database foreign key since form B is partitioned, 0037).
    Assessment.objects.require([row.assessment_id for row in rows],
                               province_keys={row.province_key for row in rows})  # fmt: skip
    for row, pk in zip(rows, reserve_ids(Classification, len(rows)), strict=True):
        row.pk = pk
    insert_rows(Classification, rows)
    households_poverty_summary_set(summary, standard_code=version.standard.code, on_date=on_date)


def run_cancel(*, actor, run: ClassificationRun) -> ClassificationRun:
    """Drop a previewed run without writing anything."""
    if not actor.has_perm(CLASSIFY_PERM, run.unit):
        raise PermissionDenied(_("Bạn không được phân loại hộ trên địa bàn này."))
    with transaction.atomic():
        locked = ClassificationRun.objects.select_for_update().get(pk=run.pk)
        _transition(locked, RunStatus.CANCELLED)
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, event_type=PovertyEventType.RUN_CANCELLED, target=locked, unit_path=locked.unit_path,
            changes={"new": {"status": locked.status}},
        )  # fmt: skip
    return locked


def units_for_runs(*, user):
    """Units where `user` may start a run (their classify area), for the start form."""
    scope = scope_of(user, CLASSIFY_PERM)
    return AdminUnit.objects.visible_to(user, perm=CLASSIFY_PERM) if not scope.is_empty else AdminUnit.objects.none()


# -- the set-based path (`classify_sql`) -------------------------------------------------------------

STAGE_CHUNK = 20_000  # households' id range staged per statement (progress moves between them)


def _tables() -> dict[str, str]:
    from ansinh.registry.models import Household, Member

    return {"household": Household._meta.db_table, "member": Member._meta.db_table,
            "assessment": Assessment._meta.db_table}  # fmt: skip


def _stage(run: ClassificationRun, progress: JobProgress, *, with_json: bool) -> None:
    """Classify every household of the run's unit in SQL into the connection's temporary staging
    table, one id range per statement, advancing the job's progress between statements.

    Runs outside any transaction of ours: the staging table is private to this connection and
    dies with it, so a killed worker leaves nothing behind and a new attempt starts afresh.
    Raises `NotCompilable` (before touching anything) when the standard needs the Python path.
    """
    version = run.standard_version
    sql = classify_sql.stage_sql(version.spec(), vendor=connection.vendor, on_date=run.on_date, tables=_tables(),
                                 with_json=with_json, province_key=partitions.area_key(run.unit.path))  # fmt: skip
    households = households_for_run(run.unit)
    bounds = households.order_by().aggregate(low=Min("pk"), high=Max("pk"), n=Count("pk"))
    progress.set_total(bounds["n"])
    with connection.cursor() as cursor, _bulk_work_mem(cursor):
        for statement in classify_sql.create_stage_sql(connection.vendor, keyed=with_json):
            cursor.execute(statement)
        if bounds["n"]:
            for low in range(bounds["low"], bounds["high"] + 1, STAGE_CHUNK):
                params = classify_sql.stage_params(standard_id=version.standard_id, low=low, high=low + STAGE_CHUNK - 1,
                                                   unit_path=run.unit.path, vendor=connection.vendor,
                                                   with_json=with_json)  # fmt: skip
                cursor.execute(sql, params)
                progress.advance(max(cursor.rowcount, 0))


@contextmanager
def _bulk_work_mem(cursor) -> Iterator[None]:
    """PostgreSQL: the session's `work_mem` raised to `ANSINH_BULK_WORK_MEM` while the staging statements
    run (outside any transaction, so not `SET LOCAL`), then reset to the server's or role's own."""
    if connection.vendor != "postgresql" or not settings.ANSINH_BULK_WORK_MEM:
        yield
        return
    cursor.execute("SELECT set_config('work_mem', %s, false)", [settings.ANSINH_BULK_WORK_MEM])
    try:
        yield
    except Exception:
        # Inside a transaction the failed statement aborted it, and its rollback takes the setting back.
        if not connection.in_atomic_block:
            cursor.execute("RESET work_mem")
        raise
    cursor.execute("RESET work_mem")


def _drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {classify_sql.STAGE}")


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fallback(run: ClassificationRun, ids: list[int]) -> Iterator[tuple[Any, Any, Any]]:
    """The Python evaluation of the few households the compiled SQL left to it."""
    for start in range(0, len(ids), CHUNK):
        yield from _evaluations(run, run.standard_version, ids[start : start + CHUNK])


def _stage_counts() -> tuple[Counter, dict[int, Counter], Counter, Counter, int]:
    """Counts per class, per commune and class, the transitions (old class > new) of the households
    whose class the commit changes, those of the recognised households whose class it keeps, and how
    many households fall back to Python, from one pass over the staging table."""
    stage = classify_sql.STAGE
    counts: Counter = Counter(households=0, changed=0)
    per_commune: dict[int, Counter] = defaultdict(Counter)
    transitions: Counter = Counter()
    kept_transitions: Counter = Counter()
    fallbacks = 0
    groups = "commune_id, state, old_class, klass, kept"
    for commune_id, state, old, klass, kept, n in _rows(f"SELECT {groups}, count(*) FROM {stage} GROUP BY {groups}"):
        if state == "fallback":
            fallbacks += n  # counted, recognised or not, when Python has evaluated them
            continue
        if kept:
            counts["recognised"] += n
        key = klass if state == "ok" else "incomplete"
        counts[key] += n
        counts["households"] += n
        per_commune[commune_id][key] += n
        if state == "ok":
            _count_result(counts, transitions, kept_transitions, old=old, new=klass, kept=bool(kept), n=n)
    return counts, per_commune, transitions, kept_transitions, fallbacks


def _fallback_ids(fallbacks: int) -> list[int]:
    """The staged households left to Python (`_stage_counts` counted `fallbacks` of them), in id order."""
    if not fallbacks:
        return []  # no scan of the staging table for nothing
    sql = f"SELECT household_id FROM {classify_sql.STAGE} WHERE state = 'fallback' ORDER BY household_id"
    return [pk for (pk,) in _rows(sql)]


def _preview_sql(run: ClassificationRun, progress: JobProgress) -> dict[str, Any]:
    """The preview in SQL: counts per commune and class and changes, from the staging table."""
    from ansinh.registry.models import Household

    _stage(run, progress, with_json=False)
    try:
        stage = classify_sql.STAGE
        counts, by_commune, transitions, kept_transitions, fallbacks = _stage_counts()
        # Each sample is read only when the counts say there is one (each read scans the staging table).
        changes = [{"household": pk, "old": old, "new": new} for pk, old, new in _rows(
            f"SELECT household_id, old_class, klass FROM {stage} WHERE state = 'ok' AND old_class <> klass "
            f"AND kept = 0 ORDER BY household_id LIMIT {SAMPLE_CHANGES}")] if counts["changed"] else []  # fmt: skip
        sample_ids = [pk for (pk,) in _rows(
            f"SELECT household_id FROM {stage} WHERE state = 'incomplete' ORDER BY household_id LIMIT {SAMPLE_CHANGES}"
        )] if counts["incomplete"] else []  # fmt: skip
        fallback_ids = _fallback_ids(fallbacks)
    finally:
        _drop_stage()
    incomplete = []
    code = run.standard_version.standard.code
    for household, _assessment, evaluation in _fallback(run, sorted(set(sample_ids) | set(fallback_ids))):
        if evaluation.result is None:
            incomplete.append({"household": household.pk, "code": household.code, "missing": evaluation.missing})
        if household.pk not in fallback_ids:
            continue
        kept = _kept(household, code)
        if kept:
            counts["recognised"] += 1
        key = "incomplete" if evaluation.result is None else evaluation.result.klass
        counts[key] += 1
        counts["households"] += 1
        by_commune[household.commune_id][key] += 1
        old = household.poverty_class or ""
        if evaluation.result is not None and _count_result(counts, transitions, kept_transitions, old=old, new=key,
                                                           kept=kept):  # fmt: skip
            changes.append({"household": household.pk, "old": old, "new": key})
    changes = sorted(changes, key=lambda c: c["household"])[:SAMPLE_CHANGES]
    facts = {
        h.pk: h for h in Household.objects.filter(pk__in=[c["household"] for c in changes]).only("code", "head_name")
    }
    changes = [
        {"household": pk, "code": facts[pk].code, "head": facts[pk].head_name, "old": c["old"], "new": c["new"]}
        for c in changes
        for pk in [c["household"]]
    ]
    incomplete = sorted(incomplete, key=lambda c: c["household"])[:SAMPLE_CHANGES]
    names = dict(AdminUnit.objects.filter(pk__in=list(by_commune)).values_list("pk", "name"))
    per_commune: dict[str, Counter] = defaultdict(Counter)
    for commune_id, values in by_commune.items():
        per_commune[names[commune_id]].update(values)
    return _preview_save(run, progress, counts, per_commune, transitions, changes, incomplete, kept_transitions)


def _publish_households(standard_code: str, on_date: date) -> int:
    """The households' current class from the staged results (inside the publishing transaction).

    Only the households whose class, standard or date changes are written (a re-run on the same
    date that changes few classes writes few rows: each written row is a new row version with its
    index entries), and never one whose class a recognition decision gave under this standard
    (`registry.services.households_poverty_summary_set`). Returns how many were written."""
    table, stage = _tables()["household"], classify_sql.STAGE
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"  # NULL-safe on both
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET poverty_class = s.klass, poverty_standard = %s, poverty_classified_on = %s, "
            f"poverty_class_source = %s "
            f"FROM {stage} s WHERE s.household_id = {table}.id AND s.state = 'ok' "
            f"AND ({table}.poverty_class {differs} s.klass OR {table}.poverty_standard {differs} %s "
            f"OR {table}.poverty_classified_on {differs} %s) "
            f"AND NOT ({table}.poverty_class_source = %s AND {table}.poverty_standard = %s)",
            [standard_code, on_date, PovertyClassSource.CLASSIFICATION, standard_code, on_date,
             PovertyClassSource.DECISION, standard_code],
        )  # fmt: skip
        return cursor.rowcount


def _require_staged_assessments(run: ClassificationRun) -> None:
    """The form Bs the staged results name still exist (inside the publishing transaction): the check a
    database foreign key made before form B was partitioned (decision 0037). One anti-join, read from the
    run's province only when it is known (`partitions.area_key`)."""
    stage, table = classify_sql.STAGE, Assessment._meta.db_table
    key = partitions.area_key(run.unit.path)
    keyed = f" AND a.province_key = {partitions.ASSESSMENTS.literal(key)}" if key else ""
    missing = [pk for (pk,) in _rows(
        f"SELECT s.assessment_id FROM {stage} s LEFT JOIN {table} a ON a.id = s.assessment_id{keyed} "
        "WHERE s.state = 'ok' AND s.assessment_id IS NOT NULL AND a.id IS NULL LIMIT 20"
    )]  # fmt: skip
    if missing:  # deleted since staging: refused as a write naming them would be
        Assessment.objects.require(missing)


def _publish_results(run: ClassificationRun, created_at) -> None:
    version, stage = run.standard_version, classify_sql.STAGE
    json_ = "CAST({} AS jsonb)" if connection.vendor == "postgresql" else "{}"
    farming = "s.farming = 1" if connection.vendor == "postgresql" else "s.farming"
    empty = "'[]'"  # no reasons: built from the row's facts when read (`Classification.result_reasons`, 0027)
    columns = ("household_id, standard_version_id, standard_code, assessment_id, run_id, klass, flags, area, farming, "
               "income_source, income_per_capita, income_score, deprivations, indicators, reasons, on_date, "
               "unit_path, successor_path, province_key, created_by_id, created_at")  # fmt: skip
    # The province key (the partition on PostgreSQL, decision 0034) as `classification_row` gives it.
    key = reported_province_key_sql("s.unit_path", "s.successor_path", vendor=connection.vendor)
    values = (f"s.household_id, %s, %s, s.assessment_id, %s, s.klass, {json_.format('s.flags')}, s.area, {farming}, "
              f"s.income_source, s.income_per_capita, s.income_score, {json_.format('s.deprivations')}, "
              f"{json_.format('s.indicators')}, {json_.format(empty)}, %s, s.unit_path, s.successor_path, {key}, "
              "%s, %s")  # fmt: skip
    # `s.indicators` holds each indicator's derived value and facts, ``[[derived, facts], …]``: the
    # rest of the records comes from the form B when read (`Classification.result_indicators`, 0028).
    # No ORDER BY: the staging table holds the rows in the order they were staged (id ranges in
    # increasing order), which a scan reads back; sorting them again by household (about 2.7 kB a row
    # with the JSON then, 1.8 kB without the reasons: 175 MB at 100,000 households) spilled to disk on
    # PostgreSQL. Within a run the result ids carry no meaning (lists order a household's results by
    # date, then id).
    _require_staged_assessments(run)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Classification._meta.db_table} ({columns}) SELECT {values} FROM {stage} s "
            "WHERE s.state = 'ok'",
            [version.pk, version.standard.code, run.pk, run.on_date, run.committed_by_id, created_at],
        )


def _commit_sql(run: ClassificationRun, progress: JobProgress) -> dict[str, Any]:
    """Stage every result in SQL (progress moves), then publish them in one short transaction:
    result rows, the households' current class, the few Python fallbacks, the run's status and its
    audit event commit together, so a killed worker leaves no part of the run visible and the job
    can simply run again."""
    version = run.standard_version
    try:
        _stage(run, progress, with_json=True)
        counts, _by_commune, _transitions, _kept_transitions, fallbacks = _stage_counts()
        fallback_ids = _fallback_ids(fallbacks)
        progress.message(gettext_noop("Đang ghi kết quả phân loại…"))
        with transaction.atomic():
            locked = ClassificationRun.objects.select_for_update().get(pk=run.pk)
            if locked.status == RunStatus.COMMITTED:
                return {"run_id": run.pk, "counts": locked.counts}
            _publish_results(run, timezone.now())
            _publish_households(version.standard.code, run.on_date)
            rows, summary = [], []
            for household, assessment, evaluation in _fallback(run, fallback_ids):
                _tally(run, version, household, assessment, evaluation, counts, rows, summary)
            _write_chunk(rows, summary, version, run.on_date)
            _transition(locked, RunStatus.COMMITTED)
            locked.counts = dict(counts)
            locked.save(update_fields=["status", "counts", "updated_at"])
            audit_record(
                actor=run.committed_by, event_type=PovertyEventType.RUN_COMMITTED, target=locked,
                unit_path=locked.unit_path,
                changes={"new": {"status": locked.status, "standard": version.standard.code,
                                 "version": version.version, "counts": dict(counts)}},
            )  # fmt: skip
            progress.checkpoint({"published": True})
    except NotCompilable:
        raise
    except Exception as exc:
        _fail(run.pk, run.committed_by, exc)
        raise
    finally:
        _drop_stage()
    _analyze_results(run)
    progress.message(COMMITTED_MESSAGE, {"n": counts["households"] - counts["incomplete"]})
    return {"run_id": run.pk, "counts": dict(counts)}


def _abandon(job: Job, message: str) -> None:
    """Recovery gave the job up (its worker died too many times): the run is failed with that reason."""
    _fail(job.params["run_id"], None, ApplicationError(message, entry=job.error_entry))


register_job_kind(PREVIEW_KIND, _preview, on_abandon=_abandon)
register_job_kind(COMMIT_KIND, _commit, on_abandon=_abandon)
