"""The synthetic household file of the benchmarks: deterministic, realistic enough for the import.

About 3.5 members per household (a head and 1–4 others); every head has a valid CCCD of Thanh
Hóa (038…) whose sex and year digits agree with the row; the others have a birth year only.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADERS = ["Mã hộ", "Thôn", "Họ và tên", "Quan hệ với chủ hộ", "Giới tính", "Ngày sinh", "Năm sinh", "Dân tộc",
           "Số CCCD", "BHYT", "Diện tích nhà (m²)", "Nguồn nước"]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Hà", "Lò"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hoa", "Khánh", "Lan", "Minh", "Ngọc", "Phúc", "Thảo"]
VILLAGES = ["V1", "V2"]


def generate_rows(households: int, *, seed: int = 7) -> list[list[str]]:
    """One row per member, grouped by household code ``B000000``…; villages V1 and V2."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    rows = []
    for index in range(households):
        code = f"B{index:06d}"
        village = VILLAGES[index % 2]
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


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách hộ")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
