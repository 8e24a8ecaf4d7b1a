"""Job kinds used only by tests: one that counts with progress, others that fail in different ways."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from ansinh.core.exceptions import ApplicationError
from ansinh.jobs.models import JobStatus
from ansinh.jobs.services import register_job_kind
from ansinh.jobs.texts import application_error, lazy_entry

COUNT_KIND = "tests.count"
CRASH_KIND = "tests.crash"
REFUSE_KIND = "tests.refuse"
SPEAK_KIND = "tests.speak"
ENTRY_REFUSE_KIND = "tests.refuse_entry"
READ_BACK_REFUSE_KIND = "tests.refuse_read_back"
# A catalogued refusal (jobs' own) whose status is a translatable parameter.
ALREADY_RUN = gettext_noop("Công việc #%(id)s đã chạy (trạng thái: %(status)s), không chạy lại.")
FREE_TEXT = "Một câu không có trong danh mục."
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


def refuse_with_entry_job(job, progress):
    """Refuses with an entry made where it is raised: the reason follows each reader, status included."""
    raise application_error(ALREADY_RUN, {"id": 7, "status": lazy_entry(JobStatus.SUCCEEDED.label)})


def refuse_with_text_job(job, progress):
    """Refuses with texts already translated: a catalogued one (read back to its string) and free text."""
    raise ValidationError([gettext("Loại công việc không tồn tại: %(kind)s") % {"kind": "tests.none"}, FREE_TEXT])


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
register_job_kind(ENTRY_REFUSE_KIND, refuse_with_entry_job)
register_job_kind(READ_BACK_REFUSE_KIND, refuse_with_text_job)
