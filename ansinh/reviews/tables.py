"""The campaign table (django-tables2)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy

from ansinh.core.tables import SignatureCachedTable
from ansinh.core.templatetags.ansinh_format import vn_date

from .models import Campaign, ReviewCase


class CampaignTable(tables.Table):
    name = tables.LinkColumn("reviews:campaign_detail", args=[tables.A("pk")], verbose_name=gettext_lazy("Đợt rà soát"))
    kind = tables.Column(verbose_name=gettext_lazy("Loại"), accessor="kind__name", order_by=("kind__order",))
    unit = tables.Column(verbose_name=gettext_lazy("Đơn vị chủ trì"), accessor="unit__name")
    period_start = tables.Column(verbose_name=gettext_lazy("Thời gian"))
    plan_number = tables.Column(verbose_name=gettext_lazy("Kế hoạch"))
    standard = tables.Column(verbose_name=gettext_lazy("Chuẩn"), accessor="standard__code")
    status = tables.Column(verbose_name=gettext_lazy("Trạng thái"))

    class Meta:
        model = Campaign
        fields = ("name", "kind", "unit", "period_start", "plan_number", "standard", "status")
        empty_text = gettext_lazy("Chưa có đợt rà soát nào.")
        order_by = ("-period_start",)

    def render_period_start(self, record):
        return f"{vn_date(record.period_start)} – {vn_date(record.period_end)}"

    def render_plan_number(self, record):
        return f"{record.plan_number} ({vn_date(record.plan_date)})"

    def render_kind(self, record):
        return record.kind.title  # the reader's language (read with the campaign: select_related)

    def render_status(self, record):
        return record.get_status_display()


class CaseTable(SignatureCachedTable):
    household = tables.LinkColumn("reviews:case_detail", args=[tables.A("pk")], accessor="household__code",
                                  verbose_name=gettext_lazy("Mã hộ"), order_by=("household__code",))  # fmt: skip
    head = tables.Column(verbose_name=gettext_lazy("Chủ hộ"), accessor="household__head_name",
                         order_by=("household__head_sort_key",))  # fmt: skip
    village = tables.Column(verbose_name=gettext_lazy("Thôn/tổ dân phố"), accessor="household__village__name",
                            order_by=("household__unit_path",), default="—")  # fmt: skip
    commune = tables.Column(verbose_name=gettext_lazy("Xã/phường"), accessor="household__commune__name",
                            order_by=("household__commune__sort_key",))  # fmt: skip
    origin = tables.Column(verbose_name=gettext_lazy("Lý do rà soát"))
    state = tables.Column(verbose_name=gettext_lazy("Tình trạng"))
    received_on = tables.Column(verbose_name=gettext_lazy("Ngày nhận giấy đề nghị"), default="—")

    class Meta:
        model = ReviewCase
        fields = ("household", "head", "village", "commune", "origin", "state", "received_on")
        empty_text = gettext_lazy("Chưa có hộ nào trong đợt rà soát (hoặc trong bộ lọc này).")

    def render_origin(self, record):
        return record.get_origin_display()

    def render_state(self, record):
        return record.get_state_display()

    def render_received_on(self, value):
        return vn_date(value)
