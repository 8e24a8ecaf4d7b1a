"""Vietnamese display formats for numbers, money and dates, independent of the active language.

Officers print lists and compare them with paper records and bank statements, which always use
the Vietnamese conventions (dot for thousands, comma for decimals, day/month/year), so these
filters do not follow the interface language or Django's USE_THOUSAND_SEPARATOR setting.
Empty values (None, "") render as an empty string; other values that cannot be formatted are
returned unchanged, so a template never fails on bad data.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django import template

register = template.Library()

# Dates on paper and in decisions are Vietnam time whatever the server's or user's zone.
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _group(digits: str) -> str:
    """'1234567' → '1.234.567'."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def _format(number: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = sign + _group(whole)
    if fraction:
        text += "," + fraction
    return text


@register.filter
def vn_number(value, places=None):
    """1234567 → '1.234.567'; 1234.5 → '1.234,5'; `|vn_number:2` fixes the decimal places."""
    if value is None or value == "":
        return ""
    number = _to_decimal(value)
    if number is None or not number.is_finite():
        return value
    if places in (None, ""):
        if isinstance(value, float):
            # Floats carry binary noise (0.1 + 0.2); ratios and averages need two places at most.
            number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        # A Decimal keeps the places it was stored with (Decimal("12.50") stays "12,50").
        places = max(0, -int(number.as_tuple().exponent))
    try:
        places = int(places)
    except (TypeError, ValueError):
        return value
    return _format(number, places)


@register.filter
def vn_money(value):
    """1234567 → '1.234.567 đ'. The đồng has no subunit in use, so amounts are rounded to whole đồng."""
    if value is None or value == "":
        return ""
    number = _to_decimal(value)
    if number is None or not number.is_finite():
        return value
    return f"{_format(number, 0)} đ"


def _in_vietnam(value: datetime) -> datetime:
    # A naive datetime is taken to be Vietnam time already (USE_TZ keeps aware ones in UTC).
    if value.tzinfo is None:
        return value
    return value.astimezone(VIETNAM_TZ)


@register.filter
def vn_date(value):
    """date(2019, 8, 21) → '21/08/2019'; an aware datetime gives its date in Vietnam."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _in_vietnam(value)
    elif not isinstance(value, date):
        return value
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


@register.filter
def vn_datetime(value):
    """An aware datetime shown in Asia/Ho_Chi_Minh: '21/08/2019 14:05'. A plain date gives the date."""
    if not isinstance(value, datetime):
        return vn_date(value)
    value = _in_vietnam(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d} {value.hour:02d}:{value.minute:02d}"
