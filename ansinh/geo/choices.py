"""Administrative structures, levels, unit types and area types."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

# Luật Tổ chức chính quyền địa phương 2025 and NĐ 131/2025: two-level local government from this day.
REFORM_DATE = date(2025, 7, 1)
LEGACY_LAST_DAY = date(2025, 6, 30)


class Structure(models.TextChoices):
    Y2025 = "2025", _("Từ 01/7/2025 (2 cấp)")
    LEGACY = "legacy", _("Trước 01/7/2025 (3 cấp)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/Thành phố")
    DISTRICT = "district", _("Quận/Huyện")
    COMMUNE = "commune", _("Xã/Phường")
    VILLAGE = "village", _("Thôn/Tổ dân phố")


class UnitType(models.TextChoices):
    PROVINCE = "tinh", _("Tỉnh")
    MUNICIPALITY = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    URBAN_DISTRICT = "quan", _("Quận")
    RURAL_DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_xa", _("Thị xã")
    PROVINCIAL_CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
    WARD = "phuong", _("Phường")
    COMMUNE = "xa", _("Xã")
    TOWNSHIP = "thi_tran", _("Thị trấn")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")
    THON = "thon", _("Thôn")
    BAN = "ban", _("Bản")
    BUON = "buon", _("Buôn")
    AP = "ap", _("Ấp")
    XOM = "xom", _("Xóm")
    LANG = "lang", _("Làng")
    PLEI = "plei", _("Plei")
    SOC = "soc", _("Sóc")
    KHOM = "khom", _("Khóm")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
    KHU_PHO = "khu_pho", _("Khu phố")


VILLAGE_TYPES = frozenset(
    {
        UnitType.THON,
        UnitType.BAN,
        UnitType.BUON,
        UnitType.AP,
        UnitType.XOM,
        UnitType.LANG,
        UnitType.PLEI,
        UnitType.SOC,
        UnitType.KHOM,
        UnitType.TO_DAN_PHO,
        UnitType.KHU_PHO,
    }
)


class AreaType(models.TextChoices):
    """Which income line applies: rural (nông thôn) or urban (thành thị; "đô thị" from 2027)."""

    RURAL = "rural", _("Nông thôn")
    URBAN = "urban", _("Thành thị")
