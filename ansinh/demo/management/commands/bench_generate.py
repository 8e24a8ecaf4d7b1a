import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.demo.synthetic import CHUNK_SIZE, GenerationError, synthetic_registry_generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic registry (households, members, form B under 2022-2025, seeded duplicates) in one "
        "2025 province, for the benchmarks. Deterministic for a given seed and date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="how many households (N ≥ 1)")
        parser.add_argument("--province", required=True, help='2025 province code, e.g. "38" (Thanh Hóa)')
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--ground-truth", type=Path, default=None,
                            help="JSON file of the seeded duplicate pairs "
                                 "(default bench/results/ground-truth-<province>-<seed>.json)")  # fmt: skip
        parser.add_argument("--append", action="store_true", help="add to a province that already has households")
        parser.add_argument("--on-date", type=date.fromisoformat, default=None,
                            help="reference date for ages and form B (default today)")  # fmt: skip
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="households per transaction")

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 2:
                sys.stderr.write(f"{done}/{total}\n")

        try:
            summary = synthetic_registry_generate(
                province_code=options["province"], households=options["households"], seed=options["seed"],
                append=options["append"], ground_truth=options["ground_truth"], today=options["on_date"],
                chunk_size=max(1, options["chunk_size"]), progress=progress,
            )  # fmt: skip
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        data = summary.as_dict()
        self.stdout.write(
            json.dumps(
                {k: data[k] for k in ("households", "members", "assessments", "duplicates", "seconds", "ground_truth")}
                | data,
                ensure_ascii=False,
            )
        )
