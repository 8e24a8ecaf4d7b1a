"""``manage.py backup FILE [--force] [--database ALIAS]``: one consistent snapshot of the whole database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ansinh.core.backup import BackupError, backup


class Command(BaseCommand):
    help = _("Sao lưu toàn bộ cơ sở dữ liệu vào một tệp, kèm mã kiểm tra (xem docs/backup.md).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Tệp sao lưu sẽ ghi (ví dụ: ansinh-2026-12-01.zip)."))
        parser.add_argument("--force", action="store_true", help=_("Ghi đè nếu tệp đã tồn tại."))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("Cơ sở dữ liệu cần sao lưu."))

    def handle(self, *args, **options):
        path = Path(options["file"])
        if path.exists() and not options["force"]:
            raise CommandError(_("Tệp %(path)s đã tồn tại; dùng --force để ghi đè.") % {"path": path})
        started = time.monotonic()

        def progress(table: str, rows: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(_("  %(table)s: %(rows)s dòng") % {"table": table, "rows": rows})

        try:
            manifest = backup(path, using=options["database"], on_table=progress)
        except BackupError as error:
            raise CommandError(error.message) from error
        for table in manifest["skipped_tables"]:
            self.stderr.write(
                self.style.WARNING(_("Bỏ qua bảng %(table)s: không thuộc mô hình nào.") % {"table": table})
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã sao lưu %(tables)s bảng, %(rows)s dòng vào %(path)s (%(size)s byte, %(seconds).1f giây).")
                % {
                    "tables": len(manifest["tables"]),
                    "rows": sum(t["rows"] for t in manifest["tables"]),
                    "path": path,
                    "size": path.stat().st_size,
                    "seconds": time.monotonic() - started,
                }
            )
        )
