"""python manage.py poverty_standards — the standards in the database as a JSON list.

Each item: {"code", "name", "legal_basis", "valid_from", "valid_to", "indicators": [{"code", "name"}]}
(plus "jurisdiction", "provisional" and "version", and beside each "name" its English "name_en", empty when
the data file has none).
"""

import json

from django.core.management.base import BaseCommand

from ansinh.poverty.selectors import standards_all


def standard_summary(standard) -> dict:
    spec = standard.spec()
    return {
        "code": spec.code,
        "name": spec.name,
        "name_en": spec.name_en,
        "legal_basis": [{"number": b.number, "date": b.date.isoformat(), "title": b.title} for b in spec.legal_basis],
        "valid_from": spec.valid_from.isoformat(),
        "valid_to": spec.valid_to.isoformat() if spec.valid_to else None,
        "jurisdiction": list(spec.jurisdiction),
        "provisional": spec.provisional,
        "version": standard.version,
        "indicators": [{"code": i.code, "name": i.name, "name_en": i.name_en} for i in spec.indicators],
    }


class Command(BaseCommand):
    help = "In danh sách chuẩn nghèo (JSON)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps([standard_summary(s) for s in standards_all()], ensure_ascii=False, indent=1))
