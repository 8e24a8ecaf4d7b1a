"""Name pools and ethnic mixes of the synthetic registry (`synthetic.py`).

Frequencies are approximate and illustrative: the family names follow the commonly cited
national shares (Nguyễn ≈ 38 %, Trần 11 %, Lê 9.5 % …), the ethnic mixes follow the 2019 census
shares of the provinces merged into each 2025 province, rounded. They are not records of people.
"""

# (family name, weight %). "Hoàng/Huỳnh" and "Vũ/Võ" are one name spelt the northern or the southern
# way; `family_table(south=...)` resolves them.
KINH_FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng/Huỳnh", 5), ("Phan", 4.5), ("Vũ/Võ", 3.9),
    ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5),
    # the remaining ~11.6 %
    ("Đào", 1.2), ("Đinh", 1.1), ("Lâm", 0.8), ("Mai", 0.8), ("Trịnh", 0.8), ("Cao", 0.7), ("Lương", 0.7),
    ("Đoàn", 0.7), ("Hà", 0.6), ("Tạ", 0.5), ("Tô", 0.5), ("Chu", 0.4), ("Trương", 0.6), ("Lưu", 0.4),
    ("Thái", 0.3), ("Kiều", 0.3), ("Vương", 0.3), ("Quách", 0.3), ("Văn", 0.3), ("Tăng", 0.2), ("La", 0.2),
]  # fmt: skip

MALE_MIDDLE = [("Văn", 40), ("Minh", 10), ("Đức", 8), ("Quang", 6), ("Hữu", 6), ("Công", 5), ("Đình", 5),
               ("Thành", 5), ("Xuân", 4), ("Ngọc", 4), ("Anh", 4), ("Hoàng", 3), ("Trung", 3), ("Gia", 3),
               ("Bảo", 2), ("Tiến", 2)]  # fmt: skip
FEMALE_MIDDLE = [("Thị", 55), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Kim", 4), ("Minh", 4), ("Phương", 4),
                 ("Hồng", 4), ("Bảo", 3), ("Khánh", 3), ("Mỹ", 3), ("Thùy", 3), ("Hải", 2)]  # fmt: skip
# Văn and Thị are much rarer among people born since the mid-1990s.
TRADITIONAL_MIDDLE = {"Văn", "Thị"}

MALE_GIVEN = ["An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang",
              "Khoa", "Kiên", "Long", "Lâm", "Lợi", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
              "Quang", "Sơn", "Tài", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tú", "Tuấn", "Việt", "Vinh",
              "Vũ", "Hưng", "Đông", "Thịnh", "Khải", "Lộc", "Nhật", "Trọng", "Đức"]  # fmt: skip
FEMALE_GIVEN = ["Anh", "Bích", "Chi", "Dung", "Diệp", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huệ",
                "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
                "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Thủy", "Trang", "Tuyết", "Vân", "Xuân", "Yến",
                "Hồng", "Nhàn", "Tâm", "Trâm", "Vy"]  # fmt: skip


class Style:
    KINH = "kinh"  # family, middle, given: "Lò Văn Xôm"
    CLAN_LAST = "clan_last"  # Ê-đê: "Y Bhim Niê", "H'Linh Êban"
    CLAN_FIRST = "clan_first"  # Gia-rai, Ba-na …: "Rơ Mah Hiếu", "Siu H'Nhi"


# code → (style, family/clan names, male middles, female middles, male given, female given);
# middles "" mean none. Given names are added to the common Kinh ones where the group also uses them.
MINORITY = {
    "02": (Style.KINH, ["Hoàng", "Nông", "Lục", "Đàm", "Ma", "Bế", "Hà", "Triệu", "Lương"], ["Văn"], ["Thị"],
           ["Lềnh", "Sáng", "Pác"], ["Slim", "Mến"]),
    "03": (Style.KINH, ["Lò", "Vi", "Hà", "Lương", "Cầm", "Lường", "Quàng", "Tòng", "Điêu"], ["Văn"], ["Thị"],
           ["Xôm", "Pản", "Khăm", "Pâng", "Ninh"], ["Ín", "Xiêng", "Pọm", "Ỏn", "Bua"]),
    "04": (Style.KINH, ["Lâm", "Trần", "Quách", "Lý", "Hứa", "Mã", "Lưu", "Trương", "Tăng"], ["Quốc", "Vĩnh", "Kiến"],
           ["Mỹ", "Lệ", "Ngọc"], ["Cường", "Phát", "Kiệt"], ["Linh", "Hoa", "Muối"]),
    "05": (Style.KINH, ["Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu", "Trần", "Lý"], ["", "Văn"], ["Thị"],
           ["Sóc", "Kha", "Phol", "Sa Rươn", "Dên", "Sô Phal"], ["Sà Rây", "Sô Phia", "Chanh Đa", "Mây", "Ny"]),
    "06": (Style.KINH, ["Bùi", "Đinh", "Quách", "Hà", "Phạm", "Bạch", "Cao"], ["Văn"], ["Thị"],
           ["Khiêm", "Mừng", "Pháo", "Thiện"], ["Lọc", "Nhung", "Duyên"]),
    "07": (Style.KINH, ["Hoàng", "Vi", "Lục", "Nông", "Lăng", "Chu", "Mông"], ["Văn"], ["Thị"],
           ["Chẳn", "Pồng", "Slằng"], ["Lìn", "Sáu", "Nhì"]),
    "08": (Style.KINH, ["Giàng", "Vàng", "Sùng", "Lý", "Thào", "Hầu", "Mùa", "Vừ", "Lầu", "Hạng"],
           ["A", "Seo", "Mí", "Chứ"], ["Thị"], ["Páo", "Dính", "Sử", "Chớ", "Tủa", "Dế", "Lử", "Sình"],
           ["Dợ", "Sua", "Chở", "Pà", "Xúa", "Mỷ", "Mai"]),
    "09": (Style.KINH, ["Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Tẩn"], ["Văn", "Tiến", "Kiềm"],
           ["Thị", "Mùi"], ["Tòng", "Kiều", "Phin", "Sành", "Quẩy"], ["Mẩy", "Nhất", "Sinh", "Chạn"]),
    "10": (Style.CLAN_FIRST, ["Rơ Mah", "Siu", "Ksor", "Rơ Châm", "Puih", "Nay", "Kpă", "Rah Lan"], [""], [""],
           ["Hiếu", "Phước", "Tik", "Blơi", "Thuất", "Đin"], ["H'Nhi", "H'Mai", "H'Bla", "H'Lê", "H'Ngơ"]),
    "12": (Style.CLAN_LAST, ["Niê", "Êban", "Mlô", "Byă", "Ksơr", "Adrơng", "Hwing", "Buôn Yă"], [""], [""],
           ["Y Bhim", "Y Khu", "Y Phôn", "Y Sang", "Y Nguyên", "Y Tlam", "Y Jut"],
           ["H'Linh", "H'Ngun", "H'Nhi", "H'Bia", "H'Yam", "H'Zuyên", "H'Ble"]),
    "13": (Style.CLAN_FIRST, ["Đinh", "A", "Y"], [""], [""], ["Blik", "Hiền", "Thơ", "Nhong", "Rin"],
           ["H'Ngâm", "Thị Blôm", "Thị Hrel", "H'Kim"]),
    "14": (Style.CLAN_FIRST, ["A", "Y", "Đinh"], [""], [""], ["Bưk", "Rêu", "Hiên", "Khiêm"],
           ["Y Phiên", "Y Mai", "Y Blúp"]),
    "15": (Style.KINH, ["Hoàng", "Lâm", "Trần", "Dương", "Ninh"], ["Văn"], ["Thị"], ["Sềnh", "Thống"], ["Nộc"]),
    "16": (Style.CLAN_FIRST, ["K'", "Ka", "Liêng", "Kơ Să", "Cil", "Bon"], [""], [""],
           ["Brơi", "Sơn", "Đin", "Krăng"], ["H'Loan", "H'Nhân", "Ma Đài"]),
    "17": (Style.KINH, ["Thành", "Đàng", "Quảng", "Lưu", "Châu", "Bá", "Từ"], ["Văn", "Đức"], ["Thị"],
           ["Sơn", "Thạch", "Lạc", "Mol"], ["Hoàng", "Phú", "Thơ"]),
    "18": (Style.KINH, ["Lục", "Trần", "Diệp", "Lý", "Đặng", "Tạ"], ["Văn"], ["Thị"], ["Sáng"], ["Dảo"]),
    "19": (Style.KINH, ["Đinh", "Phạm", "Đinh Thị"], ["Văn"], ["Thị"], ["Mười", "Rin"], ["Nhâm"]),
    "20": (Style.KINH, ["Điểu", "Thị", "Y"], [""], [""], ["K'Rốp", "Plang", "Brông"], ["H'Rin", "H'Mưi"]),
    "21": (Style.KINH, ["Chamaléa", "Pinăng", "Katơr", "Mang"], ["Thị", ""], ["Thị"], ["Đầu", "Lố"], ["Trường"]),
    "22": (Style.KINH, ["Điểu", "Thị"], [""], [""], ["Lên", "Brên", "Hòn"], ["Rum", "Nhơi"]),
    "23": (Style.KINH, ["Hồ", "Hồ Văn", "Kray"], ["Văn"], ["Thị"], ["Pả", "Ngoan", "Tiêm"], ["Bông", "Kiên"]),
    "25": (Style.KINH, ["Lù", "Vàng", "Hoàng", "Sầm", "Lò"], ["Văn", "Seo"], ["Thị"], ["Chung", "Dín"], ["Dung"]),
    "26": (Style.KINH, ["Hồ", "A Lăng", "Bh'riu", "Zơ Râm", "Ating", "Pơ Loong"], ["Văn"], ["Thị"],
           ["Dưa", "Lân", "Bhơ", "Blúi"], ["Nhơi", "Zeo", "Bhríu", "Cơlâu"]),
    "28": (Style.KINH, ["K'", "Điểu", "Ka"], [""], [""], ["Bình", "Tôn", "Phát"], ["Bích", "Ong"]),
    "29": (Style.KINH, ["Lô", "Vi", "Moong", "Xồng", "Cụt"], ["Văn"], ["Thị"], ["Khăm", "Pheng"], ["Lan", "Khui"]),
    "30": (Style.KINH, ["Đinh", "Hồ"], ["Văn"], ["Thị"], ["Bông", "Riêu"], ["Thôi"]),
    "31": (Style.KINH, ["Hồ", "Kăn", "Căn", "A Viết"], ["Văn"], ["Thị"], ["Phòng", "Bênh"], ["Lâm", "Khoanh"]),
    "35": (Style.KINH, ["Lỳ", "Chu", "Pờ", "Phìn"], ["A", "Xè"], ["Thị", "Mé"], ["Xá", "Chừ"], ["Lù", "Mé"]),
}  # fmt: skip

# Groups native to the Central Highlands (dân tộc tại chỗ, the reports' flag).
HIGHLAND_INDIGENOUS = {"10", "12", "13", "14", "16", "20", "28", "19", "30"}

# 2025 province code → ((ethnicity code, weight %), …); rounded census shares of the merged provinces.
ETHNIC_MIX = {
    "01": (("01", 98.5), ("06", 1), ("02", 0.5)),
    "04": (("02", 40), ("07", 30), ("08", 11), ("09", 10), ("01", 7), ("15", 2)),
    "08": (("01", 30), ("02", 22), ("08", 18), ("09", 12), ("07", 6), ("15", 5), ("25", 2)),
    "11": (("03", 37), ("08", 36), ("01", 18), ("29", 3), ("09", 2), ("35", 1)),
    "12": (("08", 37), ("03", 32), ("01", 14), ("09", 13), ("35", 4)),
    "14": (("03", 53), ("01", 17), ("08", 16), ("06", 8), ("09", 2), ("29", 1)),
    "15": (("01", 40), ("08", 18), ("02", 13), ("09", 12), ("03", 5), ("25", 3), ("07", 3), ("35", 1)),
    "19": (("01", 62), ("02", 19), ("07", 6), ("09", 6), ("18", 3), ("08", 2)),
    "20": (("07", 42), ("02", 35), ("01", 16), ("09", 4), ("15", 1)),
    "22": (("01", 88), ("09", 5), ("02", 3), ("18", 2), ("04", 1)),
    "24": (("01", 97), ("07", 1), ("02", 1), ("18", 1)),
    "25": (("01", 72), ("06", 22), ("09", 2), ("02", 1), ("03", 1), ("18", 1)),
    "37": (("01", 98), ("06", 2)),
    "38": (("01", 84), ("06", 9), ("03", 6), ("08", 0.5)),
    "40": (("01", 86), ("03", 10), ("29", 1.2), ("08", 1)),
    "44": (("01", 93), ("23", 6), ("31", 1)),
    "46": (("01", 96), ("31", 2), ("26", 1)),
    "48": (("01", 95), ("26", 3), ("14", 1)),
    "51": (("01", 75), ("14", 9), ("19", 8), ("13", 4), ("30", 2)),
    "52": (("01", 70), ("10", 20), ("13", 9)),
    "56": (("01", 88), ("17", 6), ("21", 5)),
    "66": (("01", 72), ("12", 18), ("02", 2), ("07", 2), ("20", 2), ("10", 1)),
    "68": (("01", 80), ("16", 7), ("20", 4), ("17", 2), ("28", 2), ("02", 1), ("07", 1), ("21", 1)),
    "75": (("01", 90), ("22", 4), ("04", 3), ("05", 1), ("02", 1), ("07", 1)),
    "79": (("01", 94), ("04", 5), ("05", 1)),
    "80": (("01", 98), ("05", 1), ("04", 1)),
    "82": (("01", 99.5), ("04", 0.5)),
    "86": (("01", 87), ("05", 12), ("04", 1)),
    "91": (("01", 88), ("05", 9), ("04", 2), ("17", 1)),
    "92": (("01", 82), ("05", 15), ("04", 3)),
    "96": (("01", 95), ("05", 4), ("04", 1)),
}
DEFAULT_MIX = (("01", 99), ("06", 0.5), ("02", 0.5))

# Provinces where the southern spellings (Huỳnh, Võ) dominate: from Đà Nẵng southwards.
SOUTHERN = {"48", "51", "52", "56", "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"}
# What villages are called where the generator has to create them (rural, urban).
VILLAGE_TYPES = {
    **dict.fromkeys(["11", "12", "14"], ("ban", "to_dan_pho")),
    "66": ("buon", "to_dan_pho"),
    "52": ("lang", "to_dan_pho"),
    **dict.fromkeys(["40", "42"], ("xom", "to_dan_pho")),
    **dict.fromkeys(["75", "79", "80", "82", "86", "91", "92", "96"], ("ap", "khu_pho")),
}
DEFAULT_VILLAGE_TYPES = ("thon", "to_dan_pho")


def family_table(*, south: bool) -> list[tuple[str, float]]:
    """The Kinh family names with the regional spelling of Hoàng/Huỳnh and Vũ/Võ (4:1 for the region's)."""
    table = []
    for name, weight in KINH_FAMILY:
        if "/" in name:
            north_name, south_name = name.split("/")
            main, other = (south_name, north_name) if south else (north_name, south_name)
            table += [(main, weight * 0.8), (other, weight * 0.2)]
        else:
            table.append((name, weight))
    return table
