"""Job kinds used only by tests: one that counts with progress, two that fail in different ways."""

from django.utils.translation import gettext, gettext_noop

from ansinh.core.exceptions import ApplicationError
from ansinh.jobs.services import register_job_kind

COUNT_KIND = "tests.count"
CRASH_KIND = "tests.crash"
REFUSE_KIND = "tests.refuse"
SPEAK_KIND = "tests.speak"
SECRET = "password=hunter2 at /srv/internal/path.py"


def count_job(job, progress):
    n = int(job.params.get("n", 3))
    progress.set_total(n)
    for _ in range(n):
        progress.advance()
    progress.message("counted %(n)s", {"n": n})  # not in the catalogue: shown as written
    return {"counted": n, "summary": f"Đã đếm {n}"}


def crash_job(job, progress):
    progress.set_total(4)
    progress.advance(1)
    raise RuntimeError(SECRET)  # internal text that must never reach the user


def refuse_job(job, progress):
    raise ApplicationError("Tệp nhập không có cột CCCD.")


def speak_job(job, progress):
    progress.message(gettext_noop("Thất bại"))  # any catalogued text: stored as its msgid
    # A plural the catalogue has from the review campaign page (not marked here again).
    n = int(job.params.get("n", 1))
    progress.message("%(n)s người tham dự", {"n": n}, plural="%(n)s người tham dự", count=n)
    return {"summary": gettext("Hoàn thành")}


register_job_kind(COUNT_KIND, count_job)
register_job_kind(SPEAK_KIND, speak_job)
register_job_kind(CRASH_KIND, crash_job)
register_job_kind(REFUSE_KIND, refuse_job)
