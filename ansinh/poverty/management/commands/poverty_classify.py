"""python manage.py poverty_classify (--standard CODE | --date YYYY-MM-DD) --input FILE.json

Classifies external records without touching the registry. Input: a JSON list of
{"id", "area": "rural"|"urban", "income_per_capita": VND per person per month,
 "deprivations": [indicator codes], "farming": true|false}.
Output on stdout: a JSON list of {"id", "class", "flags", "reasons"} (reasons: {"code", "text", …}).
Any bad record (missing field, unknown indicator, negative income…) is reported on stderr naming
the record, with exit code 2, and nothing is classified.
"""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import translation

from ansinh.poverty.records import RecordError, records_check, records_classify
from ansinh.poverty.selectors import standard_by_code, standard_in_force


class Command(BaseCommand):
    help = "Phân loại các bản ghi ngoài (tệp JSON) theo một chuẩn nghèo, không ghi gì vào sổ hộ."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--standard", help="Mã chuẩn, ví dụ 2022-2025")
        which.add_argument("--date", help="Chọn chuẩn quốc gia có hiệu lực vào ngày này (YYYY-MM-DD)")
        parser.add_argument("--input", required=True, help="Tệp JSON: danh sách bản ghi")

    def _fail(self, message: str):
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **options):
        translation.activate("vi")
        if options["standard"]:
            standard = standard_by_code(options["standard"])
            if standard is None:
                self._fail(f"Không có chuẩn nghèo mã {options['standard']!r}.")
        else:
            try:
                on_date = date.fromisoformat(options["date"])
            except ValueError:
                self._fail(f"Ngày không hợp lệ: {options['date']!r} (cần YYYY-MM-DD).")
            standard = standard_in_force(on_date)
            if standard is None:
                self._fail(f"Không có chuẩn nghèo quốc gia nào có hiệu lực ngày {on_date:%d/%m/%Y}.")
        spec = standard.spec()
        path = Path(options["input"])
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._fail(f"Không tìm thấy tệp: {path}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._fail(f"Tệp {path} không phải JSON hợp lệ: {exc}")
        try:
            checked = records_check(records, spec)
        except RecordError as exc:
            self._fail(exc.message)
        output = records_classify(checked, spec)
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=1))
