from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import areas, event_types, target_types
from .models import AuditEvent

# Legal deadlines and office hours are Vietnamese time whatever the server's zone.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class AuditEventTable(tables.Table):
    id = tables.Column(verbose_name="#", linkify=("audit:event_detail", {"pk": tables.A("pk")}))
    occurred_at = tables.Column(verbose_name=_("Thời gian"))
    actor_label = tables.Column(verbose_name=_("Người thực hiện"))
    event_type = tables.Column(verbose_name=_("Sự kiện"), linkify=("audit:event_detail", {"pk": tables.A("pk")}))
    target = tables.Column(verbose_name=_("Đối tượng"), accessor="target_repr", order_by=("target_type", "target_id"))
    unit_path = tables.Column(verbose_name=_("Địa bàn"), default=_("Toàn quốc"))

    class Meta:
        model = AuditEvent
        fields = ("id", "occurred_at", "actor_label", "event_type", "target", "unit_path")
        empty_text = _("Không có sự kiện nào.")

    def before_render(self, request):
        # The units' names for the page's rows, read once (the path stays in the tooltip).
        rows = self.page.object_list if getattr(self, "page", None) else self.rows
        self.unit_labels = areas.labels_for(row.record.unit_path for row in rows)

    def render_unit_path(self, value):
        label = getattr(self, "unit_labels", {}).get(value, value)
        return format_html('<span title="{}">{}</span>', value, label)

    def render_actor_label(self, value, record):
        # People by their name ("Hệ thống" for the system), the recorded login name (what the hash
        # chain holds) in the tooltip.
        return format_html('<span title="{}">{}</span>', value, record.actor_name)

    def render_occurred_at(self, value):
        return timezone.localtime(value, VN_TZ).strftime("%d/%m/%Y %H:%M:%S")

    def render_event_type(self, value):
        return event_types.label_for(value)

    def render_target(self, value, record):
        if not record.target_type:
            return value
        return f"{value} ({target_types.label_for(record.target_type)} #{record.target_id})"
