"""Tables of the geo pages (django-tables2)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AdminUnit


class UnitTable(tables.Table):
    name = tables.LinkColumn("geo:unit_detail", args=[tables.A("pk")], verbose_name=_("Tên"), order_by=("sort_key",))
    code = tables.Column(verbose_name=_("Mã"))
    unit_type = tables.Column(verbose_name=_("Loại"))
    parent = tables.Column(verbose_name=_("Trực thuộc"), order_by=("parent__sort_key",))
    structure = tables.Column(verbose_name=_("Cơ cấu"))
    area_type = tables.Column(verbose_name=_("Khu vực"))

    class Meta:
        model = AdminUnit
        fields = ("name", "code", "unit_type", "parent", "structure", "area_type")
        empty_text = _("Không có đơn vị nào.")


class ChildTable(tables.Table):
    name = tables.LinkColumn("geo:unit_detail", args=[tables.A("pk")], verbose_name=_("Tên"), orderable=False)
    code = tables.Column(verbose_name=_("Mã"), orderable=False)
    unit_type = tables.Column(verbose_name=_("Loại"), orderable=False)
    area_type = tables.Column(verbose_name=_("Khu vực"), orderable=False)

    class Meta:
        model = AdminUnit
        fields = ("name", "code", "unit_type", "area_type")
        empty_text = _("Không có đơn vị trực thuộc.")
