"""Crash safety with real processes: a worker killed by SIGKILL half-way through a job, then a new one.

Each test runs `jobs_worker` in a child process on a throw-away database of the run's vendor
(SQLite file, or PostgreSQL when ``DATABASE_URL`` says so; `ansinh.jobs.tests.kill_harness`), waits until
the job is half-way, kills the worker, starts another (which recovers at start) and checks the
outcome: the work done exactly once, as an uninterrupted run would have done it, the audit chain
intact, and a finished job refusing to run again. Each takes 20–50 s.
"""

import pytest
from django.conf import settings

from ansinh.jobs.events import JobsEventType
from ansinh.jobs.tests.kill_harness import KillDatabase, Worker, wait_for
from ansinh.poverty.services_runs import COMMIT_KIND
from ansinh.registry.jobs import IMPORT_JOB_KIND

IMPORT_HOUSEHOLDS = 3000  # 2000 per chunk: killed after the first chunk or inside the second
CLASSIFY_HOUSEHOLDS = 1000
FINISHED = ("succeeded", "failed")


@pytest.fixture(scope="module")
def kill_db(tmp_path_factory):
    database = KillDatabase(tmp_path_factory.mktemp("kill"), settings.DATABASES["default"])
    yield database
    database.drop()


def finish_with_new_worker(db, url, job_id):
    """Start a worker (recovery at start) and wait until the job is finished; the row then."""
    worker = Worker(db, url)
    try:
        wait_for(lambda: db.job_row(url, job_id)["status"] in FINISHED, timeout=90, what=f"job {job_id} to finish")
    finally:
        worker.stop()
    return db.job_row(url, job_id)


@pytest.mark.parametrize("kill_at", ["advance", "checkpoint"])
def test_import_killed_half_way_finishes_once_after_restart(kill_db, kill_at):
    """Killed after a committed chunk ("advance": the worker sleeps after counting it), or inside the
    next chunk's transaction ("checkpoint": it sleeps after writing the checkpoint there, the chunk
    written but not committed)."""
    url = kill_db.fresh(f"import_{kill_at}")
    start = kill_db.step("import_enqueue", {"households": IMPORT_HOUSEHOLDS}, url=url)
    job_id = start["job_id"]
    delays = {"item_delay": 0.0005} if kill_at == "advance" else {"checkpoint_delay": 3.0}
    worker = Worker(kill_db, url, slow_kinds=(IMPORT_JOB_KIND,), **delays)

    def half_way():
        row = kill_db.job_row(url, job_id)  # committed progress, seen from another connection
        if kill_at == "advance":
            return row["done"] > 0 and row
        # The worker's own report: a checkpoint after a committed chunk is the next chunk's, uncommitted.
        return row["done"] > 0 and worker.progress(job_id)[1] == "checkpoint" and row

    try:
        at_kill = wait_for(half_way, timeout=60, what=f"a committed chunk, then {kill_at}")
        worker.kill()
    finally:
        worker.stop()
    left = kill_db.job_row(url, job_id)
    assert left["status"] == "running"  # what a dead worker leaves behind
    assert 0 < left["done"] < left["total"], (at_kill, left)  # killed half-way
    assert left["done"] == at_kill["done"]  # the chunk being written when killed is not visible

    assert finish_with_new_worker(kill_db, url, job_id)["status"] == "succeeded"

    outcome = kill_db.step("import_outcome", {"batch_id": start["batch_id"], "job_id": job_id}, url=url)
    reference = start["reference_counts"]
    # Each household exactly once.
    assert outcome["households"] == outcome["distinct_codes"] == IMPORT_HOUSEHOLDS
    assert (outcome["repeated_codes"], outcome["repeated_id_numbers"]) == (0, 0)
    assert outcome["members"] == reference["rows"]
    # The job resumed and succeeded; the batch says what an uninterrupted run says.
    assert outcome["job"]["status"] == "succeeded", outcome["job"]["error"]
    assert outcome["job"]["attempts"] == 2
    assert outcome["recovery_events"] == [JobsEventType.JOB_REQUEUED]
    assert outcome["tasks"] == ["FAILED", "SUCCESSFUL"]  # the dead task closed, one new task
    assert outcome["batch"]["status"] == "committed"
    assert outcome["batch"]["counts"] == reference, outcome["batch"]["message"]
    assert outcome["audit_breaks"] == 0 and outcome["audit_checked"] > 0
    assert outcome["rerun_refused"] == "job_not_queued"


@pytest.mark.parametrize("kill_at", ["advance", "checkpoint"])
def test_classification_commit_killed_half_way_shows_nothing_then_commits_once(kill_db, kill_at):
    """Killed while it evaluates the households ("advance": the worker sleeps after counting them),
    or inside the transaction that publishes the run ("checkpoint": it sleeps after checkpointing
    there, everything written but not committed)."""
    url = kill_db.fresh(f"classify_{kill_at}")
    seed = kill_db.step("classify_seed", {"households": CLASSIFY_HOUSEHOLDS}, url=url, timeout=180)
    delays = {"item_delay": 0.01} if kill_at == "advance" else {"checkpoint_delay": 30.0}
    worker = Worker(kill_db, url, slow_kinds=(COMMIT_KIND,), **delays)
    try:
        wait_for(lambda: kill_db.job_row(url, seed["job_id"])["status"] in FINISHED, timeout=60, what="the preview")
        preview = kill_db.step("classify_outcome", {"run_id": seed["run_id"], "job_id": seed["job_id"]}, url=url)
        assert preview["job"]["status"] == "succeeded", preview["job"]["error"]
        commit = kill_db.step("classify_commit", {"run_id": seed["run_id"]}, url=url)
        job_id = commit["job_id"]
        wait_for(lambda: worker.progress(job_id)[1] == kill_at, timeout=60, what=f"the commit's first {kill_at}")
        worker.kill()
    finally:
        worker.stop()
    killed = kill_db.step("classify_outcome", {"run_id": seed["run_id"], "job_id": job_id}, url=url)
    expected_rows = commit["expected"]["households"] - commit["expected"].get("incomplete", 0)
    assert expected_rows > 0
    assert killed["job"]["status"] == "running"
    assert killed["run"]["status"] == "committing"
    assert killed["rows"] in (0, expected_rows), killed  # no partial run visible

    assert finish_with_new_worker(kill_db, url, job_id)["status"] == "succeeded"

    outcome = kill_db.step("classify_outcome", {"run_id": seed["run_id"], "job_id": job_id}, url=url)
    assert outcome["job"]["status"] == "succeeded", outcome["job"]["error"]
    assert outcome["run"]["status"] == "committed"
    assert outcome["rows"] == outcome["households"] == expected_rows  # once per household
    assert outcome["run"]["counts"] == commit["expected"]
    assert outcome["job"]["attempts"] == 2
    assert outcome["recovery_events"] == [JobsEventType.JOB_REQUEUED]
    assert outcome["audit_breaks"] == 0
    assert outcome["rerun_refused"] == "job_not_queued"
