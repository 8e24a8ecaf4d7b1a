"""Find duplicate members now (without the job queue) and print a JSON summary.

python manage.py registry_find_duplicates [--province CODE] [--threshold 0.85]
"""

import json

from django.core.management.base import BaseCommand, CommandError

from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.registry.duplicates import default_threshold, duplicates_scan, members_in_area


class Command(BaseCommand):
    help = "Tìm các cặp thành viên nghi trùng (trùng CCCD, giống tên và ngày sinh) và in tóm tắt JSON."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="Mã tỉnh (theo đơn vị hành chính hiện hành); bỏ trống = toàn quốc.")
        parser.add_argument("--threshold", type=float, default=None, help="Ngưỡng điểm giống (0.5–1, mặc định 0.85).")

    def handle(self, *args, province=None, threshold=None, **options):
        if threshold is not None and not (0.5 <= threshold <= 1):
            raise CommandError("Ngưỡng điểm giống phải từ 0.5 đến 1.")
        path = ""
        if province:
            unit = AdminUnit.objects.filter(level=Level.PROVINCE, code=province, valid_to__isnull=True).first()
            if unit is None:
                raise CommandError(f"Không có tỉnh mã {province}.")
            path = unit.path
        stats = duplicates_scan(
            members=members_in_area(path), threshold=default_threshold() if threshold is None else threshold
        )
        self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False))
