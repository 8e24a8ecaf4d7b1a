"""python manage.py import_households FILE --commune CODE [--structure 2025|legacy] [--mode …] [--dry-run]

Runs synchronously as the system (no worker, no approval) and prints exactly one JSON line:
{"created", "updated", "skipped", "invalid", "error_file"}. Bad arguments, an unknown commune or an
unreadable file exit with code 2 and a message on stderr; nothing is written then.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.registry.choices import ImportMode
from ansinh.registry.exporting import result_workbook
from ansinh.registry.importing import check_upload_size
from ansinh.registry.services_import import import_file_run


class Command(BaseCommand):
    help = "Nhập hộ gia đình từ tệp Excel/CSV vào một xã (chạy ngay, với tư cách hệ thống)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx, .xls hoặc .csv")
        parser.add_argument("--commune", required=True, help="Mã xã/phường")
        parser.add_argument("--structure", default=Structure.Y2025, choices=list(Structure.values))
        parser.add_argument("--mode", default=ImportMode.CREATE, choices=list(ImportMode.values))
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
        parser.add_argument("--error-file", help="Nơi ghi tệp kết quả khi có lỗi (mặc định: cạnh tệp nhập)")

    def _fail(self, message: str):
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            self._fail(_("Không tìm thấy tệp: %(path)s") % {"path": path})
        commune = AdminUnit.objects.filter(
            structure=options["structure"], level=Level.COMMUNE, code=options["commune"]
        ).first()
        if commune is None:
            self._fail(
                _("Không có xã/phường mã %(code)s trong cơ cấu %(structure)s.")
                % {"code": options["commune"], "structure": options["structure"]}
            )
        try:
            check_upload_size(path.stat().st_size)  # a 1 GB file is refused before it is read
            # The path, not the bytes: a CSV is read from the disk a block at a time as it is parsed.
            result = import_file_run(
                commune=commune, data=path, file_name=path.name, mode=options["mode"], dry_run=options["dry_run"],
            )  # fmt: skip
        except (ValidationError, ApplicationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
            self._fail(_("Không nhập được tệp: %(message)s") % {"message": message})
        except CommandError:
            raise
        error_file = None
        if result.counts["invalid"]:
            target = Path(options["error_file"] or path.with_name(f"{path.stem}-ket-qua.xlsx"))
            target.write_bytes(result_workbook(result, title=path.name))
            error_file = str(target)
        counts = result.counts
        line = {k: counts[k] for k in ("created", "updated", "skipped", "invalid")} | {"error_file": error_file}
        self.stdout.write(json.dumps(line, ensure_ascii=False))
