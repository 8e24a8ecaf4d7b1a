"""python manage.py poverty_load_standards — load the shipped standards (data/standards/*.json).

Idempotent: run by `make setup` every time. Prints one JSON line {"created", "updated", "unchanged", "kept"}.
"""

import json
import sys

from django.core.management.base import BaseCommand

from ansinh.core.exceptions import ApplicationError
from ansinh.poverty.services import standards_load


class Command(BaseCommand):
    help = "Nạp các chuẩn nghèo từ tệp dữ liệu vào cơ sở dữ liệu (chạy lại không thay đổi gì)."

    def handle(self, *args, **options):
        try:
            report = standards_load()
        except ApplicationError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
