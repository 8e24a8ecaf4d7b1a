import django_tables2 as tables
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Job


class JobTable(tables.Table):
    id = tables.Column(verbose_name="#", linkify=("jobs:job_detail", {"pk": tables.A("pk")}))
    label = tables.Column(linkify=("jobs:job_detail", {"pk": tables.A("pk")}))
    status = tables.Column()
    percent = tables.Column(verbose_name=_("Tiến độ"), accessor="percent", orderable=False)
    created_by = tables.Column(verbose_name=_("Người tạo"), default="—")
    created_at = tables.DateTimeColumn(format="d/m/Y H:i")
    finished_at = tables.DateTimeColumn(verbose_name=_("Kết thúc lúc"), format="d/m/Y H:i", default="—")

    class Meta:
        model = Job
        fields = ("id", "label", "status", "percent", "created_by", "created_at", "finished_at")
        empty_text = _("Chưa có công việc nào.")

    def render_label(self, record):
        return record.label_text()  # in the reader's language (decision 0024)

    def order_label(self, queryset, is_descending):
        """Sorted as read: by the label's source string in the reader's language (one per kind of job, so
        an English reader's "Import …" sort under I, not under the Vietnamese "Nhập …"), then by the
        stored text, which differs within a kind only by its parameters (a file name, a unit). A job
        written before label entries sorts by its stored text."""
        msgids = sorted({m for m in queryset.order_by().values_list("label_entry__msgid", flat=True).distinct() if m})
        read = Case(*[When(label_entry__msgid=m, then=Value(gettext(m))) for m in msgids], default=F("label")) \
            if msgids else F("label")  # fmt: skip
        read = read.desc() if is_descending else read.asc()
        label = F("label").desc() if is_descending else F("label").asc()
        return queryset.order_by(read, label, "-pk"), True

    def render_percent(self, value):
        return f"{value} %"
