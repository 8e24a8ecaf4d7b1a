"""``manage.py restore FILE [--check] [--database ALIAS]``: load a backup into a freshly migrated database."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ansinh.core.backup import BackupError, restore, verify_file


class Command(BaseCommand):
    help = _(
        "Khôi phục một bản sao lưu vào cơ sở dữ liệu vừa được migrate (trống). "
        "Từ chối và không ghi gì nếu tệp hỏng hoặc cơ sở dữ liệu đích đã có dữ liệu (xem docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Tệp sao lưu do lệnh backup tạo ra."))
        parser.add_argument(
            "--check", action="store_true", help=_("Chỉ kiểm tra mã kiểm tra của tệp, không ghi vào cơ sở dữ liệu.")
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("Cơ sở dữ liệu đích."))

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(table: str, rows: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(_("  %(table)s: %(rows)s dòng") % {"table": table, "rows": rows})

        try:
            if options["check"]:
                manifest = verify_file(options["file"])
            else:
                manifest = restore(options["file"], using=options["database"], on_table=progress)
        except BackupError as error:
            raise CommandError(error.message) from error
        values = {
            "tables": len(manifest["tables"]),
            "rows": sum(t["rows"] for t in manifest["tables"]),
            "created": manifest["created_at"],
            "seconds": time.monotonic() - started,
        }
        if options["check"]:
            message = _("Tệp hợp lệ: %(tables)s bảng, %(rows)s dòng, sao lưu lúc %(created)s.") % values
        else:
            message = (
                _("Đã khôi phục %(tables)s bảng, %(rows)s dòng (bản sao lưu lúc %(created)s) trong %(seconds).1f giây.")
                % values
            )
        self.stdout.write(self.style.SUCCESS(message))
