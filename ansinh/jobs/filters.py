import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Job, JobStatus


class JobFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Trạng thái"), choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ("status",)
