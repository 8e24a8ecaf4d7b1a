"""Demo accounts: who they are, where they work. Documented in README.md (keep both in step)."""

from dataclasses import dataclass
from datetime import date

from ansinh.geo.choices import LEGACY_LAST_DAY, Structure

DEMO_PASSWORD = "ansinh-demo-2026"  # noqa: S105 - published demo password, documented in README


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    position: str
    role: str
    structure: str | None  # None = whole country
    unit_code: str | None
    staff: bool = False
    valid_from: date | None = None  # the assignment's dates (None: from the day of the load, open)
    valid_to: date | None = None
    village_code: str | None = None  # a village of the unit above (made by the demo: assigned after it)


# Xã Thọ Xuân (2025, code 15499) continues the legacy Thọ Xuân district communes Xuân Hồng,
# thị trấn Thọ Xuân, Xuân Trường and Xuân Giang; Xã M'Drắk (2025, code 24412) continues
# thị trấn M'Drắk, Ea Lai and Krông Jing of the legacy M'Đrắk district (vietnamadminunits data).
# A legacy district's assignments start while the district existed (a start after 30/6/2025 would
# lie outside its unit): th.huyen.cu's ended with the district; dl.huyen.cu's and dl.huyen.pct's
# stay open, as their roles in the 2019 replay need (the replay is loaded through the services,
# which check today's assignments) and so that they can read that district's records.
LEGACY_DISTRICT_START = date(2019, 1, 1)
ACCOUNTS = [
    DemoAccount("th.canbo", "Lê Thị Hoa", "Công chức Văn hóa - Xã hội", "commune_officer", Structure.Y2025, "15499"),
    DemoAccount("th.chutich", "Nguyễn Văn Thành", "Chủ tịch UBND xã", "commune_chair", Structure.Y2025, "15499"),
    DemoAccount("dl.canbo", "H'Linh Niê", "Công chức Văn hóa - Xã hội", "commune_officer", Structure.Y2025, "24412"),
    DemoAccount("dl.chutich", "Y Phôn Êban", "Chủ tịch UBND xã", "commune_chair", Structure.Y2025, "24412"),
    DemoAccount("th.tinh", "Trịnh Minh Đức", "Chuyên viên Sở Nông nghiệp và Môi trường", "province_officer",
                Structure.Y2025, "38"),
    DemoAccount("th.pheduyet", "Phạm Quang Huy", "Phó Giám đốc Sở Nông nghiệp và Môi trường", "province_approver",
                Structure.Y2025, "38"),
    DemoAccount("dl.tinh", "Trần Thị Mai", "Chuyên viên Sở Nông nghiệp và Môi trường", "province_officer",
                Structure.Y2025, "66"),
    DemoAccount("dl.pheduyet", "Võ Đình Long", "Phó Giám đốc Sở Nông nghiệp và Môi trường", "province_approver",
                Structure.Y2025, "66"),
    DemoAccount("th.huyen.cu", "Lê Văn Bình", "Chuyên viên Phòng LĐTBXH huyện Thọ Xuân (trước 1/7/2025)",
                "district_officer", Structure.LEGACY, "395", valid_from=LEGACY_DISTRICT_START,
                valid_to=LEGACY_LAST_DAY),
    DemoAccount("dl.huyen.cu", "Nguyễn Thị Thu", "Chuyên viên Phòng LĐTBXH huyện M'Đrắk (trước 1/7/2025)",
                "district_officer", Structure.LEGACY, "652", valid_from=LEGACY_DISTRICT_START),
    DemoAccount("dl.huyen.pct", "Võ Văn Tâm", "Phó Chủ tịch UBND huyện M'Đrắk (trước 1/7/2025)",
                "district_officer", Structure.LEGACY, "652", valid_from=LEGACY_DISTRICT_START),
    DemoAccount("th.truongthon", "Hà Văn Lâm", "Trưởng thôn Xuân Hồng 1", "village_head", Structure.Y2025, "15499",
                village_code="XH1"),
    DemoAccount("th.rasoat", "Lê Thị Nga", "Rà soát viên thôn Xuân Hồng 1", "enumerator", Structure.Y2025, "15499",
                village_code="XH1"),
    DemoAccount("th.mttq", "Trịnh Văn Hải", "Phó Chủ tịch Ủy ban MTTQ Việt Nam xã Thọ Xuân", "supervisor",
                Structure.Y2025, "15499"),
    DemoAccount("th.giupdo", "Nguyễn Thị Lan", "Cán bộ Hội Liên hiệp Phụ nữ xã (cơ quan giúp đỡ hộ nghèo)",
                "helping_agency_member", Structure.Y2025, "15499"),
    DemoAccount("th.thanhtra", "Đặng Quốc Việt", "Thanh tra viên, Thanh tra tỉnh Thanh Hóa", "inspector",
                Structure.Y2025, "38"),
    DemoAccount("kiemtoan", "Đỗ Thu Trang", "Kiểm toán viên Nhà nước", "auditor", None, None),
    DemoAccount("quantri", "Quản trị hệ thống", "Quản trị viên", "system_admin", None, None, staff=True),
]  # fmt: skip
