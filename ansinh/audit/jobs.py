"""Background work of the audit app: verifying every hash chain with a progress bar."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ansinh.jobs.models import Job
from ansinh.jobs.services import JobProgress, job_enqueue, register_job_kind
from ansinh.jobs.texts import job_message

from .models import AuditEvent
from .permissions import can_verify_chains
from .verification import BREAK_MESSAGE, REASONS, chain_keys, verify_all

VERIFY_KIND = "audit.verify"


def verify_job(job: Job, progress: JobProgress) -> dict:
    """Recompute every chain; the result keeps the first break of each broken chain."""
    progress.set_total(AuditEvent.objects.count())
    checked, breaks = verify_all(on_progress=progress.advance)
    chains = len(chain_keys())
    for found in breaks:
        # Stored as source strings (the reason too), so the job page shows it in its reader's language.
        progress.message(BREAK_MESSAGE, {**found.describe_params(), "reason": job_message(REASONS[found.code])})
    # The summary as written and as an entry, which the job page reads in its reader's language.
    if breaks:
        summary = job_message(
            gettext_noop("Đã kiểm tra %(checked)s sự kiện trong %(chains)s chuỗi: %(broken)s chuỗi bị phá vỡ."),
            {"checked": checked, "chains": chains, "broken": len(breaks)},
        )
    else:
        summary = job_message(
            gettext_noop("Đã kiểm tra %(checked)s sự kiện trong %(chains)s chuỗi: toàn vẹn."),
            {"checked": checked, "chains": chains},
        )
    return {
        "summary": summary["text"],
        "summary_entry": summary,
        "intact": not breaks,
        "checked": checked,
        "chains": chains,
        "breaks": [found.as_dict() for found in breaks],
    }


def audit_verify_enqueue(*, actor) -> Job:
    """Start the chain verification in the background. Refuses anyone without national audit scope."""
    if not can_verify_chains(actor):
        raise PermissionDenied(_("Chỉ người xem nhật ký toàn quốc mới được kiểm tra chuỗi nhật ký."))
    return job_enqueue(
        actor=actor, kind=VERIFY_KIND, label=gettext_noop("Kiểm tra toàn vẹn nhật ký kiểm toán"), unit_path=""
    )


def register() -> None:
    register_job_kind(VERIFY_KIND, verify_job)
