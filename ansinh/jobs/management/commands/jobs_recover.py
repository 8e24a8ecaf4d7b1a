"""Put jobs whose worker died back in the queue (see `ansinh.jobs.recovery`)."""

from django.core.management.base import BaseCommand

from ansinh.jobs.recovery import jobs_recover


class Command(BaseCommand):
    help = "Requeue background jobs left running by a dead worker (failed after too many attempts)."

    def handle(self, *args, **options) -> None:
        report = jobs_recover()
        self.stdout.write(f"requeued={report.requeued} failed={report.failed} orphans={report.orphans}")
