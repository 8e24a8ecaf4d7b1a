"""Bulk classification of a unit as a background job: preview first (no writes), then commit.

States and transitions are `choices.RUN_TRANSITIONS`: previewing → previewed → committing →
committed (or failed / cancelled). The preview counts households per commune and per class, the
changes against each household's current class and the households that cannot be classified yet
(no form B income, unanswered indicators). The commit classifies again from the data as it is
then (so nothing stale is written), stores one result row per household, never overwriting
earlier ones, and sets each household's current class, all in one transaction: a failure or a
killed worker leaves no part of the run visible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.core.db import insert_rows, reserve_ids
from ansinh.core.exceptions import ApplicationError
from ansinh.core.scoping import scope_of
from ansinh.geo.models import AdminUnit
from ansinh.jobs.models import Job
from ansinh.jobs.services import JobProgress, job_enqueue, register_job_kind
from ansinh.registry.services import households_poverty_summary_set

from .choices import RUN_TRANSITIONS, RunStatus
from .events import PovertyEventType
from .models import Assessment, Classification, ClassificationRun, PovertyStandard, StandardVersion
from .selectors import CLASSIFY_PERM, households_for_run, present_members_by_household
from .services import classification_row, evaluate

PREVIEW_KIND = "poverty.run_preview"
COMMIT_KIND = "poverty.run_commit"
CHUNK = 500
SAMPLE_CHANGES = 200


def _transition(run: ClassificationRun, to: str) -> None:
    if to not in RUN_TRANSITIONS[RunStatus(run.status)]:
        raise ApplicationError(
            _("Đợt phân loại đang ở trạng thái “%(status)s”, không chuyển sang “%(to)s” được.")
            % {"status": run.get_status_display(), "to": RunStatus(to).label},
            code="run_transition_refused",
        )
    run.status = to


def _latest_assessments(household_ids: list[int], standard: PovertyStandard) -> dict[int, Assessment]:
    latest: dict[int, Assessment] = {}
    for item in Assessment.objects.filter(household_id__in=household_ids, standard=standard).order_by(
        "household_id", "assessed_on", "id"
    ):
        latest[item.household_id] = item  # the last one per household wins
    return latest


def _evaluations(run: ClassificationRun, version: StandardVersion) -> Iterator[tuple[Any, Any, Any]]:
    """(household, assessment, evaluation) for every active household of the run's unit.

    One ordered query, streamed in chunks (a server-side cursor on PostgreSQL) with each chunk's
    members and form B fetched beside it: linear in the unit's size and flat in memory. (Paging
    with ``pk > last`` re-scanned the whole unit for every page on PostgreSQL: quadratic.)
    """
    spec = version.spec()
    for chunk in _chunks(households_for_run(run.unit).iterator(chunk_size=CHUNK), CHUNK):
        ids = [h.pk for h in chunk]
        assessments = _latest_assessments(ids, version.standard)
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
    with transaction.atomic():
        version = StandardVersion.objects.get(standard=standard, version=standard.version)
        run = ClassificationRun.objects.create(
            unit=unit, standard_version=version, on_date=on_date, unit_path=unit.path, created_by=actor
        )
        run.job = job_enqueue(
            actor=actor, kind=PREVIEW_KIND, unit_path=unit.path, params={"run_id": run.pk},
            label=_("Tính thử phân loại hộ: %(unit)s theo chuẩn %(code)s") % {"unit": unit.name, "code": standard.code},
        )  # fmt: skip
        run.save(update_fields=["job", "updated_at"])
    return run


def _fail(run_id: int, actor, exc: Exception) -> None:
    """Mark a run failed after its job raised (the job records the error for its page too)."""
    with transaction.atomic():
        failed = ClassificationRun.objects.select_for_update().get(pk=run_id)
        if failed.status in (RunStatus.PREVIEWING, RunStatus.COMMITTING):
            failed.status, failed.error = RunStatus.FAILED, str(exc)[:2000]
            failed.save(update_fields=["status", "error", "updated_at"])
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
    progress.set_total(households_for_run(run.unit).count())
    per_commune: dict[str, Counter] = defaultdict(Counter)
    transitions: Counter = Counter()
    changes, incomplete = [], []
    communes: dict[int, str] = {}
    counts: Counter = Counter(households=0, changed=0)
    for household, _assessment, evaluation in _evaluations(run, run.standard_version):
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
            if old != new:
                counts["changed"] += 1
                transitions[f"{old or '-'}>{new}"] += 1
                if len(changes) < SAMPLE_CHANGES:
                    changes.append({"household": household.pk, "code": household.code, "head": household.head_name,
                                    "old": old, "new": new})  # fmt: skip
        counts["households"] += 1
        progress.advance()
    preview = {
        "counts": dict(counts), "per_commune": {k: dict(v) for k, v in sorted(per_commune.items())},
        "transitions": dict(transitions), "changes": changes, "incomplete": incomplete,
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
    progress.message(_("Tính thử xong %(n)s hộ.") % {"n": counts["households"]})
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
            label=_("Ghi kết quả phân loại hộ: %(unit)s") % {"unit": locked.unit.name},
        )  # fmt: skip
        locked.save(update_fields=["status", "committed_by", "job", "updated_at"])
    return locked


def _commit(job: Job, progress: JobProgress) -> dict[str, Any]:
    run = ClassificationRun.objects.select_related("unit", "standard_version__standard").get(pk=job.params["run_id"])
    version = run.standard_version
    progress.set_total(households_for_run(run.unit).count())
    counts: Counter = Counter(households=0, changed=0)
    try:
        with transaction.atomic():
            rows, summary = [], []
            for household, assessment, evaluation in _evaluations(run, version):
                counts["households"] += 1
                progress.advance()
                if evaluation.result is None:
                    counts["incomplete"] += 1
                    continue
                rows.append(classification_row(
                    household=household, version=version, evaluation=evaluation, assessment=assessment,
                    on_date=run.on_date, actor=run.committed_by, run=run,
                ))  # fmt: skip
                summary.append((household.pk, evaluation.result.klass))
                counts[evaluation.result.klass] += 1
                if (household.poverty_class or "") != evaluation.result.klass:
                    counts["changed"] += 1
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
    progress.message(_("Đã ghi kết quả phân loại của %(n)s hộ.") % {"n": counts["households"] - counts["incomplete"]})
    return {"run_id": run.pk, "counts": dict(counts)}


def _write_chunk(rows: list[Classification], summary: list[tuple[int, str]], version, on_date: date) -> None:
    """Write a chunk of result rows (``COPY`` on PostgreSQL) and the households' current class."""
    if not rows:
        return
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


register_job_kind(PREVIEW_KIND, _preview)
register_job_kind(COMMIT_KIND, _commit)
