"""Sentences for classification reasons and indicator answers (Vietnamese first, English by switch).

Reasons are stored as data (`classify.Result.reasons`) and turned into words only when shown, so a
stored result reads in the reader's language and a wording fix applies to old results too. A stored
result's reasons come from `Classification.result_reasons()` (built from its facts, decision 0027).
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ansinh.core.templatetags.ansinh_format import vn_number

from .choices import PovertyClass
from .privacy import income_mask
from .scoring import region_name
from .standard import StandardSpec


def _money(value: int, period: str) -> str:
    unit = _("đồng/người/năm") if period == "year" else _("đồng/người/tháng")
    return f"{vn_number(value)} {unit}"


def _area(area: str) -> str:
    return _("thành thị") if area == "urban" else _("nông thôn")


def _region_name(reason: dict[str, Any], standard: StandardSpec | None) -> str:
    """The region of a score-table reason in the reader's language when read with its own standard."""
    tables = standard.proxy_score.tables if standard is not None and standard.proxy_score else None
    if standard is None or standard.code != reason.get("standard"):
        tables = None
    return region_name(tables, reason)


def reason_text(reason: dict[str, Any], standard: StandardSpec | None = None, *, show_income: bool = True) -> str:
    """One reason as a sentence; without `show_income` the household's income, score and score total
    read as a mask and only the verdict (e.g. "không cao hơn chuẩn nghèo") shows."""
    code = reason.get("code")
    p = reason
    if code == "standard":
        # The standard's name in the reader's language when the reason is read with its standard.
        # So are the legal basis's connecting words ("ngày" / "of"): the stored text is the writer's language.
        own = standard is not None and standard.code == p.get("standard")
        name = standard.title if own else p["name"]
        basis = standard.legal_basis_text() if own else p["legal_basis"]
        return _("Áp dụng %(name)s (%(basis)s).") % {"name": name, "basis": basis}
    if code == "deprivations":
        names = [_indicator_name(c, standard) for c in p["indicators"]]
        listed = ": " + "; ".join(names) if names else ""
        text = ngettext(
            "Thiếu hụt %(count)s chỉ số (hộ nghèo cần từ %(threshold)s chỉ số trở lên)%(listed)s.",
            "Thiếu hụt %(count)s chỉ số (hộ nghèo cần từ %(threshold)s chỉ số trở lên)%(listed)s.",
            p["count"],
        )
        return text % {"count": p["count"], "threshold": p["threshold"], "listed": listed}
    if code in ("income_within", "income_above"):
        line = {
            "poor": pgettext("mức thu nhập", "chuẩn nghèo"),
            "poor_lower": _("mức thu nhập thấp của chuẩn nghèo"),
            "near_poor": _("chuẩn cận nghèo"),
        }[p["line_kind"]]
        income = _money(p["income"], "month") if show_income and p.get("income") is not None else income_mask()
        values = {"income": income, "line_name": line, "area": _area(p["area"]),
                  "line": _money(p["line"], p.get("period", "month"))}  # fmt: skip
        if code == "income_within":
            return _("Thu nhập bình quân %(income)s, không cao hơn %(line_name)s khu vực %(area)s (%(line)s).") % values
        return _("Thu nhập bình quân %(income)s, cao hơn %(line_name)s khu vực %(area)s (%(line)s).") % values
    if code in ("score_within", "score_above"):
        score = p["score"] if show_income and p.get("score") is not None else income_mask()
        values = {"score": score, "threshold": p["threshold"], "area": _area(p["area"])}
        if code == "score_within":
            return _("Điểm thu nhập %(score)s, không cao hơn ngưỡng %(threshold)s điểm khu vực %(area)s.") % values
        return _("Điểm thu nhập %(score)s, cao hơn ngưỡng %(threshold)s điểm khu vực %(area)s.") % values
    if code == "score_table":
        total = p["total"] if show_income and p.get("total") is not None else income_mask()
        text = _("Điểm %(total)s tính từ các mục của phiếu B theo bảng điểm vùng %(region)s, khu vực %(area)s "
                 "(chuẩn %(standard)s, phiên bản %(version)s).") % {
            "total": total, "region": _region_name(p, standard), "area": _area(p["area"]), "standard": p["standard"],
            "version": p["version"],
        }  # fmt: skip
        if p.get("provisional"):
            text += " " + _("Bảng điểm này là tạm thời, chưa phải trọng số chính thức.")
        return text
    if code == "rule_poor_lower_tier":
        return _("Thu nhập không cao hơn mức thấp: là hộ nghèo, không xét số chỉ số thiếu hụt.")
    if code == "rule_poor":
        return _("Đủ số chỉ số thiếu hụt: là hộ nghèo.")
    if code == "rule_near_poor":
        return _("Chưa đủ số chỉ số thiếu hụt: là hộ cận nghèo.")
    if code == "average_band":
        return _("Hộ làm nông, lâm, ngư, diêm nghiệp có thu nhập không cao hơn %(line)s: mức sống trung bình.") % {
            "line": _money(p["line"], p.get("period", "month"))
        }
    if code == "average_band_not_farming":
        return _("Thu nhập trong khoảng mức sống trung bình nhưng hộ không làm nông, lâm, ngư, diêm nghiệp.")
    if code == "average_needs_income":
        return _("Muốn xác định hộ có mức sống trung bình cần thu nhập kê khai hoặc tính toán, không dùng điểm.")
    if code == "low_income":
        return _("Thu nhập không cao hơn %(line)s: người lao động trong hộ là lao động có thu nhập thấp.") % {
            "line": _money(p["line"], p.get("period", "month"))
        }
    if code == "rules_changed":
        if p.get("class") is None:
            return _("Không tính lại được lý do từ các dữ kiện đã lưu theo quy tắc phân loại hiện nay (quy tắc đã "
                     "thay đổi từ khi phân loại): không có lý do chi tiết của kết quả này.")  # fmt: skip
        values = {"now": _outcome(p["class"], p.get("flags", [])),
                  "stored": _outcome(p["stored_class"], p.get("stored_flags", []))}  # fmt: skip
        return _("Lý do được tính lại theo quy tắc phân loại hiện nay và khác với kết quả đã lưu (theo quy tắc "
                 "hiện nay: %(now)s; đã lưu: %(stored)s) vì quy tắc đã thay đổi từ khi phân loại: chỉ hiển thị "
                 "các dữ kiện, không có lý do chi tiết của kết quả đã lưu.") % values  # fmt: skip
    return str(code)


def _outcome(klass: str, flags: list[str]) -> str:
    """A class with its flags, e.g. "Không nghèo, lao động có thu nhập thấp"."""
    names = {"low_income": _("lao động có thu nhập thấp")}
    return ", ".join([class_label(klass), *(names.get(f, f) for f in flags)])


def _indicator_name(code: str, standard: StandardSpec | None) -> str:
    if standard is None:
        return code
    try:
        return standard.indicator(code).title
    except KeyError:
        return code


def class_label(code: str) -> str:
    try:
        return str(PovertyClass(code).label)
    except ValueError:
        return code


def class_label_short(code: str) -> SafeString:
    """The class's label for a table cell or heading: the legal name of the average band is a sentence,
    so it reads short with the whole name in a tooltip (as in the household list); others as they are."""
    if code == PovertyClass.AVERAGE:
        return format_html(
            '<span title="{}">{}</span>', class_label(code), pgettext("phân loại ngắn", "Mức sống trung bình")
        )
    return format_html("{}", class_label(code))


def explain(result: dict[str, Any], standard: StandardSpec | None = None, *, show_income: bool = True) -> list[str]:
    """The reasons of a stored result (`{"class", "flags", "reasons"}`) as sentences."""
    return [reason_text(reason, standard, show_income=show_income) for reason in result.get("reasons", [])]
