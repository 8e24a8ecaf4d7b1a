"""python manage.py reviews_recount [--campaign ID] [--check] — the campaign count table (decision 0015).

Without ``--check``: rebuilds the count rows from the cases (audited per campaign that changed) and prints
one JSON line {"campaigns", "rows", "differences"}. With ``--check``: changes nothing, prints every
difference and any missing trigger, and exits with status 1 when there is one.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from ansinh.reviews.models import Campaign
from ansinh.reviews.services_counts import case_counts_diff, case_counts_rebuild, triggers_missing


class Command(BaseCommand):
    help = "Tính lại (hoặc kiểm tra, --check) bảng đếm tiến độ rà soát từ các hộ trong đợt."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, default=None, help="Chỉ đợt rà soát có mã (id) này")
        parser.add_argument("--check", action="store_true", help="Chỉ kiểm tra, báo các chỗ sai lệch")

    def handle(self, *args, **options):
        campaign = None
        if options["campaign"] is not None:
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"Không có đợt rà soát mã {options['campaign']}.")
        if not options["check"]:
            report = case_counts_rebuild(actor=None, campaign=campaign)
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        missing = triggers_missing()
        differences = case_counts_diff(campaign=campaign)
        for name in missing:
            self.stdout.write(json.dumps({"missing_trigger": name}))
        for d in differences:
            self.stdout.write(json.dumps({"campaign": d.campaign_id, "unit_path": d.unit_path,
                                         "successor_path": d.successor_path, "state": d.state,
                                         "stored": d.stored, "actual": d.actual}))  # fmt: skip
        self.stdout.write(json.dumps({"differences": len(differences), "missing_triggers": len(missing)}))
        if differences or missing:
            sys.exit(1)
