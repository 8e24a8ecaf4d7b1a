"""Kill-test harness: real worker processes on a database they share with the test, killed by SIGKILL.

The test process stays off Django's database: a `KillDatabase` is a throw-away database (a SQLite
file, or a PostgreSQL database on the server of the test run) migrated once per test session and
copied for each test. Everything that touches it runs in a child process with ``DATABASE_URL``
pointing at it: *steps* (``python -m ansinh.jobs.tests.kill_harness step NAME``: seed data, start a job,
read the outcome) and *workers* (``python -m ansinh.jobs.tests.kill_harness worker``: ``jobs_worker`` with
recovery at start). The test polls the job row with plain SQL and kills the worker when it is
half-way.

Slowness is injected here only, in the worker child: ``--item-delay`` seconds per item that
`JobProgress.advance` counts (for the kinds named by ``--slow-kind``), and every ``advance`` /
``checkpoint`` call writes the job's ``done`` to ``<progress-dir>/job-<id>`` so a test can also
wait for progress inside a transaction that the database does not show yet. Production code has
no sleep. Later modules (payment batches) add their own steps to `STEPS` and reuse the rest.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

HARNESS = "ansinh.jobs.tests.kill_harness"

ROOT = Path(__file__).resolve().parents[3]  # the repository (bench/ lives there)
STEP_SETTINGS = "config.settings.base"
STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def step(name: str):
    def register(function):
        STEPS[name] = function
        return function

    return register


# -- parent side (the test) ---------------------------------------------------------------------


class KillDatabase:
    """A throw-away database of the test run's vendor: `template()` migrates once, `fresh()` copies it."""

    def __init__(self, folder: Path, db_settings: dict[str, Any]):
        self.folder = folder
        self.vendor = "postgresql" if "postgresql" in db_settings["ENGINE"] else "sqlite"
        self.token = uuid.uuid4().hex[:8]
        self.copies: list[str] = []
        self._server = db_settings
        self.template_url = self._url("template")
        if self.vendor == "postgresql":
            self._admin(f'CREATE DATABASE "{self._name("template")}"')
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": STEP_SETTINGS, "DJANGO_SECRET_KEY": "kill-test-only",
                    "ANSINH_VAR_DIR": str(folder / "var"), "PYTHONPATH": str(ROOT)}  # fmt: skip
        self.steps = 0
        self.step("setup", {}, url=self.template_url)

    def _name(self, label: str) -> str:
        base = self._server.get("NAME") or "ansinh"
        return f"{base}_kill_{self.token}_{label}"[:63]

    def _url(self, label: str) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.folder / f'{label}.sqlite3'}"
        s = self._server
        auth = s.get("USER") or "postgres"
        if s.get("PASSWORD"):
            auth += f":{s['PASSWORD']}"
        return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{self._name(label)}"

    def _admin(self, sql: str) -> None:
        import psycopg

        s = self._server
        with psycopg.connect(host=s.get("HOST") or "127.0.0.1", port=s.get("PORT") or 5432, dbname="postgres",
                             user=s.get("USER") or "postgres", password=s.get("PASSWORD") or None,
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(sql)

    def fresh(self, label: str) -> str:
        if self.vendor == "sqlite":
            shutil.copy(self.folder / "template.sqlite3", self.folder / f"{label}.sqlite3")
        else:
            self._admin(f'CREATE DATABASE "{self._name(label)}" TEMPLATE "{self._name("template")}"')
            self.copies.append(label)
        return self._url(label)

    def drop(self) -> None:
        if self.vendor == "postgresql":
            for label in [*self.copies, "template"]:
                self._admin(f'DROP DATABASE IF EXISTS "{self._name(label)}" WITH (FORCE)')

    def step(self, name: str, params: dict[str, Any], *, url: str, timeout: float = 120) -> dict[str, Any]:
        """Run step `name` in a child process on database `url`; its JSON result."""
        command = [sys.executable, "-m", HARNESS, "step", name, "--params", json.dumps(params)]
        options = {"cwd": ROOT, "env": {**self.env, "DATABASE_URL": url}, "timeout": timeout}
        done = subprocess.run(command, capture_output=True, text=True, check=False, **options)  # noqa: S603 - ours
        self.steps += 1
        if done.returncode:
            raise AssertionError(f"step {name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def job_row(self, url: str, job_id: int) -> dict[str, Any]:
        """The job's status, done, total, checkpoint and attempts, read with plain SQL (no Django)."""
        sql = "SELECT status, done, total, checkpoint, attempts, worker_pid FROM jobs_job WHERE id = %s"
        if self.vendor == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
                row = conn.execute(sql.replace("%s", "?"), (job_id,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
                row = conn.execute(sql, (job_id,)).fetchone()
        checkpoint = row[3] if isinstance(row[3], dict) else json.loads(row[3] or "{}")
        return {"status": row[0], "done": row[1], "total": row[2], "checkpoint": checkpoint, "attempts": row[4],
                "worker_pid": row[5]}  # fmt: skip


class Worker:
    """A `jobs_worker` child process (recovery at start), optionally slowed down for chosen kinds."""

    def __init__(self, db: KillDatabase, url: str, *, slow_kinds: tuple[str, ...] = (), item_delay: float = 0.0,
                 checkpoint_delay: float = 0.0):  # fmt: skip
        self.progress_dir = db.folder / "progress"
        self.progress_dir.mkdir(exist_ok=True)
        command = [sys.executable, "-m", HARNESS, "worker", "--progress-dir", str(self.progress_dir),
                   "--item-delay", str(item_delay), "--checkpoint-delay", str(checkpoint_delay),
                   *[a for kind in slow_kinds for a in ("--slow-kind", kind)]]  # fmt: skip
        self.log = (db.folder / f"worker-{uuid.uuid4().hex[:6]}.log").open("w")
        options = {"cwd": ROOT, "env": {**db.env, "DATABASE_URL": url}, "stdout": self.log}
        self.process = subprocess.Popen(command, stderr=subprocess.STDOUT, start_new_session=True, **options)  # noqa: S603
        self.pid = self.process.pid

    def progress(self, job_id: int) -> tuple[int, str]:
        """The last ``done`` the job reported in this worker, committed or not, and where: "advance"
        or "checkpoint" (``(0, "")`` before any)."""
        try:
            done, phase = (self.progress_dir / f"job-{job_id}").read_text().split()
            return int(done), phase
        except (OSError, ValueError):
            return 0, ""

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no rollback by the worker itself. Reaped at once."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        return Path(self.log.name).read_text()


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# -- child side: the worker -----------------------------------------------------------------------


def _slow_progress(progress_dir: Path, slow_kinds: set[str], item_delay: float, checkpoint_delay: float) -> None:
    """Make `JobProgress` report to files and, for `slow_kinds`, sleep per counted item and after
    each checkpoint."""
    from ansinh.jobs.services import JobProgress

    advance, checkpoint = JobProgress.advance, JobProgress.checkpoint

    def report(progress, phase: str) -> None:
        target = progress_dir / f"job-{progress.job.pk}"
        scratch = target.with_suffix(f".{os.getpid()}")
        scratch.write_text(f"{progress.job.done} {phase}")
        scratch.replace(target)

    def slow_advance(self, n: int = 1) -> None:
        advance(self, n)
        report(self, "advance")
        if self.job.kind in slow_kinds:
            time.sleep(item_delay * n)

    def slow_checkpoint(self, state) -> None:
        checkpoint(self, state)
        report(self, "checkpoint")  # inside the kind's transaction, when it checkpoints there
        if self.job.kind in slow_kinds:
            time.sleep(checkpoint_delay)

    JobProgress.advance, JobProgress.checkpoint = slow_advance, slow_checkpoint


def _worker_main(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    _slow_progress(Path(args.progress_dir), set(args.slow_kind or ()), args.item_delay, args.checkpoint_delay)
    call_command("jobs_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")


# -- child side: steps ---------------------------------------------------------------------------


def _admin():
    from ansinh.accounts.models import User

    return User.objects.filter(username="kill").first() or User.objects.create_superuser("kill", password=None)


@step("setup")
def setup(params: dict[str, Any]) -> dict[str, Any]:
    """Migrate, create the bench province/commune/villages and the acting superuser."""
    from bench.steps import setup as bench_setup

    bench_setup({})
    _admin()
    return {}


def _csv(households: int) -> bytes:
    import csv

    from bench.generate import HEADERS, generate_rows

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(generate_rows(households))
    return out.getvalue().encode()


@step("import_enqueue")
def import_enqueue(params: dict[str, Any]) -> dict[str, Any]:
    """Upload a generated file of `households` households (create mode): its batch and job. Also the
    counts of the same file checked without writing (what an uninterrupted run writes)."""
    from django.core.files.base import ContentFile

    from ansinh.registry.services_import import import_batch_create, import_file_run
    from bench.steps import _commune

    data = _csv(params["households"])
    reference = import_file_run(commune=_commune(), data=data, file_name="ho.csv", mode="create", dry_run=True)
    batch = import_batch_create(actor=_admin(), commune=_commune(), file=ContentFile(data, name="ho.csv"),
                                mode="create", dry_run=False)  # fmt: skip
    return {"batch_id": batch.pk, "job_id": batch.job_id, "reference_counts": reference.counts}


def _job_state(job_id: int) -> dict[str, Any]:
    """The job, the task results, its recovery events, the audit chains' verification, and the code
    of the refusal to run it again (for a finished job)."""
    from django_tasks_db.models import DBTaskResult

    from ansinh.audit.models import AuditEvent
    from ansinh.audit.verification import verify_all
    from ansinh.core.exceptions import ApplicationError
    from ansinh.jobs.events import JobsEventType
    from ansinh.jobs.models import Job
    from ansinh.jobs.services import job_run

    job = Job.objects.get(pk=job_id)
    checked, breaks = verify_all()
    refused = None
    if job.is_finished:  # running a finished job again must be refused
        try:
            job_run(job_id)
        except ApplicationError as exc:
            refused = exc.code
    return {
        "job": {"status": job.status, "attempts": job.attempts, "result": job.result, "error": job.error,
                "done": job.done, "total": job.total, "messages": job.messages, "checkpoint": job.checkpoint},
        "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
        "recovery_events": list(AuditEvent.objects.filter(target_id=str(job.pk), event_type__in=JobsEventType.values)
                                .values_list("event_type", flat=True)),
        "audit_checked": checked, "audit_breaks": len(breaks), "rerun_refused": refused,
    }  # fmt: skip


@step("import_outcome")
def import_outcome(params: dict[str, Any]) -> dict[str, Any]:
    from django.db.models import Count

    from ansinh.registry.models import Household, ImportBatch, Member
    from bench.steps import _commune

    batch = ImportBatch.objects.get(pk=params["batch_id"])
    households = Household.objects.filter(commune=_commune())
    repeated = households.values("code").annotate(n=Count("id")).filter(n__gt=1).count()
    repeated_ids = (Member.objects.exclude(id_number="").values("id_number").annotate(n=Count("id"))
                    .filter(n__gt=1).count())  # fmt: skip
    return {"batch": {"status": batch.status, "counts": batch.counts, "message": batch.message},
            "households": households.count(), "distinct_codes": households.values("code").distinct().count(),
            "repeated_codes": repeated, "members": Member.objects.count(), "repeated_id_numbers": repeated_ids,
            **_job_state(params["job_id"])}  # fmt: skip


@step("classify_seed")
def classify_seed(params: dict[str, Any]) -> dict[str, Any]:
    """`households` imported households with a form B each (bench data), and a run previewed for the
    commune by the worker: its run and preview job."""
    from django.core.management import call_command

    from ansinh.poverty.models import PovertyStandard
    from ansinh.poverty.services_runs import run_start
    from bench.steps import CLASSIFY_STANDARD, _commune, classify_prepare

    path = Path(os.environ["ANSINH_VAR_DIR"]) / "classify.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv(params["households"]))
    call_command("import_households", str(path), "--commune", _commune().code, stdout=io.StringIO())
    classify_prepare({})
    run = run_start(actor=_admin(), unit=_commune(), standard=PovertyStandard.objects.get(code=CLASSIFY_STANDARD))
    return {"run_id": run.pk, "job_id": run.job_id}


@step("classify_commit")
def classify_commit(params: dict[str, Any]) -> dict[str, Any]:
    from ansinh.poverty.models import ClassificationRun
    from ansinh.poverty.services_runs import run_commit

    run = run_commit(actor=_admin(), run=ClassificationRun.objects.get(pk=params["run_id"]))
    return {"run_id": run.pk, "job_id": run.job_id, "expected": run.counts}


@step("classify_outcome")
def classify_outcome(params: dict[str, Any]) -> dict[str, Any]:
    from ansinh.poverty.models import Classification, ClassificationRun

    run = ClassificationRun.objects.get(pk=params["run_id"])
    rows = Classification.objects.filter(run=run)
    return {"run": {"status": run.status, "counts": run.counts}, "rows": rows.count(),
            "households": rows.values("household_id").distinct().count(), **_job_state(params["job_id"])}  # fmt: skip


def _step_main(args: argparse.Namespace) -> None:
    import django

    django.setup()
    result = STEPS[args.name](json.loads(args.params))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False, default=str) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ansinh.jobs.tests.kill_harness")
    commands = parser.add_subparsers(dest="command", required=True)
    step_parser = commands.add_parser("step")
    step_parser.add_argument("name", choices=sorted(STEPS))
    step_parser.add_argument("--params", default="{}")
    worker_parser = commands.add_parser("worker")
    worker_parser.add_argument("--progress-dir", required=True)
    worker_parser.add_argument("--slow-kind", action="append")
    worker_parser.add_argument("--item-delay", type=float, default=0.0)
    worker_parser.add_argument("--checkpoint-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    (_step_main if args.command == "step" else _worker_main)(args)


if __name__ == "__main__":
    main()
