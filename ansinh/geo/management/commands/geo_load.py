"""``manage.py geo_load [--force]``: load the national administrative units (see `ansinh.geo.dataset`)."""

import json

from django.core.management.base import BaseCommand, CommandError

from ansinh.geo.dataset import DatasetError, geo_dataset_load


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính toàn quốc (cơ cấu 2025 và trước 1/7/2025) từ gói vietnamadminunits."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="So sánh lại từng dòng dù tệp nguồn không đổi.")

    def handle(self, *args, force: bool = False, **options):
        try:
            summary = geo_dataset_load(actor=None, force=force)
        except DatasetError as exc:  # nothing was written: the load is one transaction
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
