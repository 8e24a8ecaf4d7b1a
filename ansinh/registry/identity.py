"""Citizen identity numbers: the 12-digit CCCD / personal id and the legacy 9-digit CMND.

A 12-digit number is: 3 digits of the province where the birth was registered, 1 digit for
century and sex, 2 digits for the last two digits of the birth year, 6 serial digits
(Thông tư 07/2016/TT-BCA, Thông tư 59/2021/TT-BCA). The province codes and digit meanings are
data (`data/identity_rules.json`), not constants.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RULES_FILE = Path(__file__).resolve().parent / "data" / "identity_rules.json"
_DIGITS = re.compile(r"\D")


class IdKind:
    CCCD = "cccd"
    CMND = "cmnd"


@dataclass(frozen=True)
class IdentityNumber:
    number: str
    kind: str  # IdKind.CCCD or IdKind.CMND


@lru_cache(maxsize=1)
def _rules() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def normalise_id_number(raw: str | None) -> str:
    """Digits only: spaces, dots and dashes that people type are dropped."""
    return _DIGITS.sub("", raw or "")


def validate_id_number(raw: str | None, *, sex: str | None = None, birth_year: int | None = None,
                       birth_date: date | None = None) -> IdentityNumber | None:  # fmt: skip
    """Check a CCCD (12 digits) or legacy CMND (9 digits) against the member's sex and birth year.

    Returns None for an empty value. Raises ValidationError with a message naming what is wrong:
    length, province code, century/sex digit against the member's sex and birth century, or the
    year digits against the birth year.
    """
    text = (raw or "").strip()
    if not text:
        return None
    if re.search(r"[^\d\s.\-]", text):
        raise ValidationError(_("Số định danh chỉ gồm chữ số."), code="id_not_digits")
    number = normalise_id_number(text)
    if len(number) == 9:
        return IdentityNumber(number, IdKind.CMND)
    if len(number) != 12:
        raise ValidationError(
            _("Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số); số đã nhập có %(n)d chữ số.") % {"n": len(number)},
            code="id_length",
        )
    rules = _rules()
    if number[:3] not in rules["province_codes"]:
        raise ValidationError(
            _("Mã tỉnh %(code)s ở 3 số đầu của CCCD không tồn tại.") % {"code": number[:3]}, code="id_province"
        )
    century, digit_sex = rules["century_sex_digit"][number[3]]
    if sex in ("male", "female") and digit_sex != sex:
        raise ValidationError(
            _("Số thứ 4 của CCCD (%(digit)s) không khớp giới tính đã khai.") % {"digit": number[3]}, code="id_sex"
        )
    year = birth_date.year if birth_date else birth_year
    if year:
        if century != (year // 100) * 100:
            raise ValidationError(
                _("Số thứ 4 của CCCD (%(digit)s) không khớp thế kỷ của năm sinh %(year)d.")
                % {"digit": number[3], "year": year},
                code="id_century",
            )
        if number[4:6] != f"{year % 100:02d}":
            raise ValidationError(
                _("Số thứ 5–6 của CCCD (%(digits)s) không khớp năm sinh %(year)d.")
                % {"digits": number[4:6], "year": year},
                code="id_year",
            )
    return IdentityNumber(number, IdKind.CCCD)


def mask_id_number(number: str) -> str:
    """Show only the last 3 digits (for roles that do not need the full number)."""
    return "•" * max(len(number) - 3, 0) + number[-3:] if number else ""
