from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    verbose_name = _("Báo cáo và tổng hợp")
