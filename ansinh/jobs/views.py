"""Job pages: the list, one job with its progress bar, and the progress fragment HTMX polls."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .filters import JobFilter
from .links import job_link
from .selectors import job_get_visible, job_list_visible_to
from .tables import JobTable


class JobListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """Own jobs and the area's jobs; no permission is needed to see one's own (see selectors)."""

    table_class = JobTable
    filterset_class = JobFilter
    paginate_by = 50
    template_name = "core/list.html"
    extra_context = {"page_title": _("Công việc nền")}

    def get_queryset(self):
        return job_list_visible_to(user=self.request.user)


class JobDetailView(LoginRequiredMixin, TemplateView):
    template_name = "jobs/job_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = job_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        context["job"] = job
        context["job_link"] = job_link(job)
        return context


class JobProgressView(JobDetailView):
    """The progress fragment alone; it stops asking for itself once the job has finished.

    An HTMX poll that finds the job finished answers ``HX-Refresh: true``: the page around the
    fragment (the import batch page: status, buttons, errors) reloads once to show the outcome.
    The reloaded page carries the finished fragment, which has no poll trigger, so it cannot loop.
    """

    template_name = "jobs/_progress.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.headers.get("HX-Request") == "true" and response.context_data["job"].is_finished:
            response["HX-Refresh"] = "true"
        return response
