"""``manage.py geo_stats``: unit counts per structure and level, and succession links, as JSON."""

import json

from django.core.management.base import BaseCommand

from ansinh.geo.dataset import dataset_totals


class Command(BaseCommand):
    help = "Thống kê số đơn vị hành chính theo cơ cấu và cấp (JSON)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(dataset_totals(), ensure_ascii=False))
