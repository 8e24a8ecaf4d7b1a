"""Background work of the registry: checking and writing imported household files.

The job is a thin wrapper over `services_import.import_batch_run`; progress is rows processed
out of the file's rows. Registered on import of this module (RegistryConfig.ready imports it),
with the links back from the job page of the import and of the duplicate scan (`jobs.links`).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from ansinh.jobs.links import register_job_link
from ansinh.jobs.models import Job
from ansinh.jobs.services import JobProgress, register_job_kind

IMPORT_JOB_KIND = "registry.import"


def import_job(job: Job, progress: JobProgress) -> dict:
    from .models import ImportBatch
    from .services_import import import_batch_run

    batch = ImportBatch.objects.get(pk=job.params["batch_id"])
    result = import_batch_run(batch=batch, progress=progress)
    # The job page shows the first errors; the full list is in the result workbook.
    result["errors"] = result.get("errors", [])[:100]
    # The batch's summary, as written and as an entry the job page reads in its reader's language.
    stored = ImportBatch.objects.values_list("message", "message_entry").get(pk=batch.pk)
    result["summary"], result["summary_entry"] = stored
    return result


def abandon_import(job: Job, message: str) -> None:
    """Recovery gave the job up (its worker died too many times): its batch fails with that reason."""
    from .services_import import import_batch_abandon

    import_batch_abandon(batch_id=job.params["batch_id"], job_id=job.pk, message=message, entry=job.error_entry)


def import_job_link(job: Job) -> tuple[str, str] | None:
    """The job page links back to its batch (the batch page checks the user may see it)."""
    batch_id = (job.params or {}).get("batch_id")
    if batch_id is None:
        return None
    return reverse("registry:import_detail", kwargs={"pk": batch_id}), _("Xem lần nhập")


def scan_job_link(job: Job) -> tuple[str, str]:
    """The duplicate scan links to the queue it fills."""
    return reverse("registry:duplicate_list"), _("Xem hàng đợi nghi trùng")


def register() -> None:
    from .services_duplicates import SCAN_JOB_KIND  # the scan's body is registered in that module

    register_job_kind(IMPORT_JOB_KIND, import_job, on_abandon=abandon_import)
    register_job_link(IMPORT_JOB_KIND, import_job_link)
    register_job_link(SCAN_JOB_KIND, scan_job_link)


register()
