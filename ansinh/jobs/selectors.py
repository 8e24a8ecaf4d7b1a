"""Reads of jobs: a user sees their own jobs, and the jobs of their area where they hold jobs.view_job."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ansinh.core.scoping import scope_of

from .models import Job

VIEW_PERM = "jobs.view_job"


def job_list_visible_to(*, user) -> QuerySet[Job]:
    """Jobs `user` started, plus those inside the area where they hold `jobs.view_job`.

    Own jobs need no permission: whoever may start a job (e.g. the audit verification) must be
    able to follow it, whatever their role says about other people's jobs.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    scope = scope_of(user, VIEW_PERM)
    condition = Q(created_by=user)
    if scope.national:
        condition = Q()
    elif not scope.is_empty:
        condition |= scope.q(*Job.scope_fields)
    return Job.objects.filter(condition).select_related("created_by").order_by("-created_at", "-id")


def job_get_visible(*, user, pk) -> Job:
    """One job visible to `user`; 404 alike when it is missing, someone else's or out of area."""
    try:
        return job_list_visible_to(user=user).get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc
