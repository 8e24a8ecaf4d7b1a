"""python manage.py export_households --commune CODE [--structure 2025|legacy] [--format csv|xlsx] [--output FILE]

Exports the households of a commune (with those of the legacy communes it continues) as the
system, one row per present member, in the import template's columns. CCCDs are masked unless
--full-identity is given. The export is audited like one downloaded from the site. Prints one JSON
line {"rows", "output"}; an unknown commune exits with code 2.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ansinh.audit.services import audit_record
from ansinh.geo.choices import Level, Structure
from ansinh.geo.models import AdminUnit
from ansinh.registry.events import RegistryEventType
from ansinh.registry.exporting import count_rows, export_rows, write_export
from ansinh.registry.models import Household


class Command(BaseCommand):
    help = "Xuất danh sách hộ của một xã (mỗi thành viên một dòng) ra tệp CSV hoặc Excel."

    def add_arguments(self, parser):
        parser.add_argument("--commune", required=True, help="Mã xã/phường")
        parser.add_argument("--structure", default=Structure.Y2025, choices=list(Structure.values))
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx"])
        parser.add_argument("--output", help="Tệp ghi ra (mặc định: danh-sach-ho-<mã xã>.<định dạng>)")
        parser.add_argument("--full-identity", action="store_true", help="Ghi đầy đủ số CCCD (mặc định: che)")

    def handle(self, *args, **options):
        commune = AdminUnit.objects.filter(
            structure=options["structure"], level=Level.COMMUNE, code=options["commune"]
        ).first()
        if commune is None:
            self.stderr.write(
                _("Không có xã/phường mã %(code)s trong cơ cấu %(structure)s.")
                % {"code": options["commune"], "structure": options["structure"]}
            )
            sys.exit(2)
        file_format = options["format"]
        output = Path(options["output"] or f"danh-sach-ho-{commune.code}.{file_format}")
        queryset = Household.objects.filter(Q(commune=commune) | Q(successor_path__startswith=commune.path))
        count = count_rows(queryset)
        with transaction.atomic():
            audit_record(
                actor=None, event_type=RegistryEventType.EXPORT_DOWNLOADED, unit_path=commune.path,
                target_repr=_("Danh sách hộ"),
                changes={"new": {"format": file_format, "filters": {"commune": commune.pk}, "rows": count,
                                 "full_identity": options["full_identity"], "source": "command"}},
            )  # fmt: skip
        rows = export_rows(user=None, queryset=queryset, full_identity=options["full_identity"])
        with output.open("wb") as handle:
            for block in write_export(rows=rows, file_format=file_format):
                handle.write(block)
        self.stdout.write(json.dumps({"rows": count, "output": str(output)}, ensure_ascii=False))
