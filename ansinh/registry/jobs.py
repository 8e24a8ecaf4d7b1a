"""Background work of the registry: checking and writing imported household files.

The job is a thin wrapper over `services_import.import_batch_run`; progress is rows processed
out of the file's rows. Registered on import of this module (RegistryConfig.ready imports it).
"""

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
    result["summary"] = ImportBatch.objects.values_list("message", flat=True).get(pk=batch.pk)
    return result


def abandon_import(job: Job, message: str) -> None:
    """Recovery gave the job up (its worker died too many times): its batch fails with that reason."""
    from .services_import import import_batch_abandon

    import_batch_abandon(batch_id=job.params["batch_id"], job_id=job.pk, message=message)


def register() -> None:
    register_job_kind(IMPORT_JOB_KIND, import_job, on_abandon=abandon_import)


register()
