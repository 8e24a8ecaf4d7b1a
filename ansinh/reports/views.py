"""Dashboards."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from ansinh.registry.selectors import import_batches_awaiting_approval_by, moves_awaiting_acceptance_by

from . import selectors


class DashboardView(LoginRequiredMixin, TemplateView):
    """Any signed-in user: their areas, pending work and recent activity; empty without an active role."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        areas = selectors.dashboard_areas(user=user)
        moves_count, moves = moves_awaiting_acceptance_by(user=user) if areas else (0, [])
        context.update(
            incoming_moves=moves,
            incoming_moves_count=moves_count,
            areas=areas,
            has_active_role=bool(areas),
            pending_jobs=selectors.dashboard_pending_jobs(user=user) if areas else [],
            awaiting_approval=import_batches_awaiting_approval_by(user=user) if areas else [],
            recent_events=selectors.dashboard_recent_events(user=user),
            quick_links=selectors.dashboard_quick_links(user=user),
        )
        return context
