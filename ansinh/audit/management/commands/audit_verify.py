"""``manage.py audit_verify [--json]``: recompute every audit hash chain; exit 1 when one is broken."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ansinh.audit.verification import chain_keys, verify_all


class Command(BaseCommand):
    help = _("Tính lại mọi chuỗi băm của nhật ký kiểm toán; mã thoát 1 nếu có chuỗi bị phá vỡ.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("In kết quả dạng JSON cho máy đọc."))

    def handle(self, *args, **options):
        checked, breaks = verify_all()
        chains = len(chain_keys())
        if options["json"]:
            payload = {
                "intact": not breaks,
                "checked": checked,
                "chains": chains,
                "breaks": [found.as_dict() for found in breaks],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(
                _("Đã kiểm tra %(checked)s sự kiện trong %(chains)s chuỗi.") % {"checked": checked, "chains": chains}
            )
            for found in breaks:
                self.stdout.write(self.style.ERROR(found.describe()))
            if not breaks:
                self.stdout.write(self.style.SUCCESS(_("Nhật ký toàn vẹn.")))
        if breaks:
            # Exit code 1 lets cron or monitoring alert on tampering without parsing the output.
            raise CommandError(_("%(n)s chuỗi nhật ký bị phá vỡ.") % {"n": len(breaks)}, returncode=1)
