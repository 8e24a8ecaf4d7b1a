"""The django-tasks entry point: one task runs any job kind (the kind is on the Job row)."""

from django_tasks import task

from .services import job_run


@task()
def run_job(job_id: int) -> dict:
    job = job_run(job_id)
    return {"job_id": job.pk, "status": job.status}
