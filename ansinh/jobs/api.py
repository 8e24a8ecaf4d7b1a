"""/api/v1/jobs: the jobs a user may follow, with their progress and outcome."""

from datetime import datetime
from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate

from ansinh.core.api import ErrorOut, PagePagination

from .models import Job
from .selectors import job_get_visible, job_list_visible_to

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    status_label: str
    percent: int
    done: int
    total: int
    messages: list[str]
    result: dict[str, Any]
    error: str
    unit_path: str
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: Job) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_label(obj: Job) -> str:
        return obj.label_text()  # in the caller's language, like the messages

    @staticmethod
    def resolve_error(obj: Job) -> str:
        return obj.error_text()

    @staticmethod
    def resolve_result(obj: Job) -> dict[str, Any]:
        # The summary in the caller's language; the entry it is rendered from is for the pages only.
        result = dict(obj.result or {})
        if "summary_entry" in result:
            result.pop("summary_entry")
            result["summary"] = obj.summary_text()
        return result

    @staticmethod
    def resolve_messages(obj: Job) -> list[str]:
        # In the caller's language (the language cookie, else Vietnamese), whoever started the job.
        return obj.message_texts()

    @staticmethod
    def resolve_created_by(obj: Job) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/", response={200: list[JobOut], **ERRORS}, operation_id="job_list")
@paginate(PagePagination)
def job_list(request):
    """Own jobs and jobs in the caller's area (where they hold jobs.view_job), newest first."""
    return job_list_visible_to(user=request.user)


@router.get("/{job_id}", response={200: JobOut, **ERRORS}, operation_id="job_get")
def job_get(request, job_id: int):
    """One job: 404 when missing, someone else's without permission, or out of area."""
    return job_get_visible(user=request.user, pk=job_id)
