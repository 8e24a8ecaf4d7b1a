"""Where a job's page links back to: the object the job worked on, declared per kind by its app.

The jobs app knows no other app; each app registers, next to its job kind, a function
``fn(job) -> (url, label) | None`` (e.g. the import job links to its batch page). The link is only
a link: the target page checks its own permissions, so a user who may see the job but not the
batch gets that page's refusal.
"""

import logging
from collections.abc import Callable

from .models import Job

logger = logging.getLogger("ansinh.jobs")

JobLink = tuple[str, str]
JobLinkFunction = Callable[[Job], JobLink | None]

_LINKS: dict[str, JobLinkFunction] = {}


def register_job_link(kind: str, fn: JobLinkFunction) -> None:
    """Let the page of a `kind` job link back to what it worked on. Registering again replaces."""
    _LINKS[kind] = fn


def job_link(job: Job) -> JobLink | None:
    """(url, label) of what `job` worked on, or None when its kind declares none or cannot say.

    A broken link function (missing parameter, unknown route) must not break the job page: it is
    logged and the page shows no link.
    """
    fn = _LINKS.get(job.kind)
    if fn is None:
        return None
    try:
        return fn(job)
    except Exception:
        logger.exception("Link of job %s (%s) failed", job.pk, job.kind)
        return None
