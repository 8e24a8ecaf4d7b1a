"""Import benchmark: the `import_households` command against a raw bulk insert of the same rows.

Run against a throw-away database (it creates a bench province, commune and villages there):

    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 DJANGO_SETTINGS_MODULE=config.settings.local \\
        python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/bench-import.sqlite3 DJANGO_SETTINGS_MODULE=config.settings.local \\
        python -m ansinh.registry.bench_import --households 2000

The raw baseline inserts the same member rows into a temporary table with one ``executemany``
(SQLite) or ``COPY`` (PostgreSQL): the floor of what any import could cost. The gap is the price
of validating every member, checking every CCCD against the registry, auditing every household
and giving each household its own transaction. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import tempfile
import time
from pathlib import Path

HEADERS = ["Mã hộ", "Thôn", "Họ và tên", "Quan hệ với chủ hộ", "Giới tính", "Ngày sinh", "Năm sinh", "Dân tộc",
           "Số CCCD", "BHYT", "Diện tích nhà (m²)", "Nguồn nước"]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Hà", "Lò"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hoa", "Khánh", "Lan", "Minh", "Ngọc", "Phúc", "Thảo"]


def generate_rows(households: int, *, seed: int = 7) -> list[list[str]]:
    """About 3.5 members per household; every head has a valid CCCD (Thanh Hóa, 038)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    rows = []
    for index in range(households):
        code = f"B{index:06d}"
        village = "V1" if index % 2 else "V2"
        year = rng.randint(1950, 1995)
        sex_digit = rng.choice([0, 1])
        cccd = f"038{sex_digit}{year % 100:02d}{index:06d}"
        head_sex = "Nam" if sex_digit == 0 else "Nữ"
        name = f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}"
        birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
        rows.append([code, village, name, "Chủ hộ", head_sex, birth, "", "Kinh", cccd, "Có", str(rng.randint(20, 120)),
                     "Nước máy"])  # fmt: skip
        for child in range(rng.randint(1, 4)):
            child_name = f"{rng.choice(FAMILY)} Thị {rng.choice(GIVEN)} {child}"
            rows.append([code, "", child_name, "Con", rng.choice(["Nam", "Nữ"]), "", str(rng.randint(1996, 2020)),
                         "Kinh", "", "Có", "", ""])  # fmt: skip
    return rows


def _bench_commune():
    from ansinh.geo.choices import REFORM_DATE, AreaType, Level, Structure, UnitType
    from ansinh.geo.models import AdminUnit

    def unit(parent, level, unit_type, code, name, area_type=""):
        found = AdminUnit.objects.filter(parent=parent, code=code, level=level).first()
        return found or AdminUnit.objects.create(
            structure=Structure.Y2025, level=level, unit_type=unit_type, code=code, name=name, short_name=name,
            parent=parent, area_type=area_type, valid_from=REFORM_DATE,
        )  # fmt: skip

    province = unit(None, Level.PROVINCE, UnitType.PROVINCE, "B9", "Tỉnh Bench")
    commune = unit(province, Level.COMMUNE, UnitType.COMMUNE, "B9001", "Xã Bench", AreaType.RURAL)
    unit(commune, Level.VILLAGE, UnitType.THON, "V1", "Thôn V1")
    unit(commune, Level.VILLAGE, UnitType.THON, "V2", "Thôn V2")
    return commune


def _raw_insert(rows: list[list[str]]) -> float:
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
        cursor.execute(f"CREATE TEMPORARY TABLE bench_raw ({columns})")
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            buffer.seek(0)
            raw = cursor.cursor
            if hasattr(raw, "copy"):  # psycopg 3
                with raw.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
            else:  # psycopg 2
                raw.copy_expert("COPY bench_raw FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            marks = ", ".join(["%s"] * len(HEADERS))
            cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", rows)  # noqa: S608 - placeholders only
        cursor.execute("DROP TABLE bench_raw")
    return time.perf_counter() - start


def run(households: int) -> dict:
    from django.core.management import call_command

    from .models import Household

    commune = _bench_commune()
    if Household.objects.filter(commune=commune).exists():
        raise SystemExit("The bench commune already has households: use a fresh database.")
    rows = generate_rows(households)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        out = io.StringIO()
        start = time.perf_counter()
        call_command("import_households", str(path), "--commune", commune.code, stdout=out)
        command_seconds = time.perf_counter() - start
        again = io.StringIO()
        start = time.perf_counter()
        call_command("import_households", str(path), "--commune", commune.code, "--mode", "update", stdout=again)
        update_seconds = time.perf_counter() - start
    raw_seconds = _raw_insert(rows)
    from django.db import connection

    return {
        "database": connection.vendor,
        "households": households,
        "rows": len(rows),
        "command_seconds": round(command_seconds, 2),
        "rows_per_second": round(len(rows) / command_seconds, 1),
        "reimport_update_seconds": round(update_seconds, 2),
        "raw_seconds": round(raw_seconds, 3),
        "slowdown": round(command_seconds / max(raw_seconds, 1e-6), 1),
        "result": json.loads(out.getvalue()),
        "reimport_result": json.loads(again.getvalue()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    print(json.dumps(run(args.households), ensure_ascii=False))


if __name__ == "__main__":
    main()
