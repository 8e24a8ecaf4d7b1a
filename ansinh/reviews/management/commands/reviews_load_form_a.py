"""python manage.py reviews_load_form_a — load phiếu A's exclusion criteria (data/form_a.json).

Idempotent: run by `make setup` every time. Prints one JSON line {"created", "updated", "unchanged", "kept"}.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.services_cases import form_a_load


class Command(BaseCommand):
    help = "Nạp tiêu chí loại trừ của phiếu A từ tệp dữ liệu (chạy lại không thay đổi gì)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=None, help="Tệp JSON khác tệp mặc định")

    def handle(self, *args, **options):
        try:
            report = form_a_load(path=options["file"])
        except ApplicationError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
