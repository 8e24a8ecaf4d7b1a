import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Job


class JobTable(tables.Table):
    id = tables.Column(verbose_name="#", linkify=("jobs:job_detail", {"pk": tables.A("pk")}))
    label = tables.Column(linkify=("jobs:job_detail", {"pk": tables.A("pk")}))
    status = tables.Column()
    percent = tables.Column(verbose_name=_("tiến độ"), accessor="percent", orderable=False)
    created_by = tables.Column(verbose_name=_("người tạo"), default="—")
    created_at = tables.DateTimeColumn(format="d/m/Y H:i")
    finished_at = tables.DateTimeColumn(verbose_name=_("kết thúc lúc"), format="d/m/Y H:i", default="—")

    class Meta:
        model = Job
        fields = ("id", "label", "status", "percent", "created_by", "created_at", "finished_at")
        empty_text = _("Chưa có công việc nào.")

    def render_label(self, record):
        return record.label_text()  # in the reader's language (decision 0024); sorted by the stored text

    def render_percent(self, value):
        return f"{value} %"
