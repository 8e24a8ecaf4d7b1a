"""The background worker of `make run` / `make worker`: crash recovery, then django-tasks-db's worker.

Recovers lost jobs (`ansinh.jobs.recovery`) at start and every ``--recover-every`` seconds while it
runs, then runs ``db_worker`` with a worker id naming this process (host/pid/start mark), so a task
claimed by a worker that died is recognised as such.
"""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from ansinh.jobs import workers
from ansinh.jobs.recovery import jobs_recover

logger = logging.getLogger("ansinh.jobs")


def _recover_periodically(every: float, stop: threading.Event) -> None:
    try:
        while not stop.wait(every):
            try:
                jobs_recover()
            except DatabaseError:
                logger.exception("Periodic job recovery failed; trying again in %ss", every)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Recover jobs left by dead workers, then run the database task worker (db_worker)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--reload", action="store_true", help="Reload on code changes (development only).")
        parser.add_argument("--no-reload", action="store_false", dest="reload")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")
        parser.add_argument("--recover-every", type=float, default=300.0,
                            help="Seconds between recoveries while the worker runs (0: only at start).")  # fmt: skip

    def handle(self, *args, **options) -> None:
        report = jobs_recover()
        if report.total:
            self.stdout.write(f"recovered: requeued={report.requeued} failed={report.failed} orphans={report.orphans}")
        connections.close_all()
        stop = threading.Event()
        if options["recover_every"] > 0:
            threading.Thread(
                target=_recover_periodically, args=(options["recover_every"], stop), name="jobs-recover", daemon=True
            ).start()
        worker_args = {
            "queue_name": options["queue_name"], "interval": options["interval"], "batch": options["batch"],
            "reload": options["reload"], "startup_delay": options["startup_delay"],
            "worker_id": workers.this_process().task_worker_id, "verbosity": options["verbosity"],
        }  # fmt: skip
        if options["max_tasks"]:
            worker_args["max_tasks"] = options["max_tasks"]
        try:
            call_command("db_worker", **worker_args)
        finally:
            stop.set()
