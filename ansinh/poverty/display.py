"""Words for the poverty pages: rule shapes, derivation facts, indicator rows (no database access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.core.templatetags.ansinh_format import vn_number
from ansinh.registry.choices import InfoDevice, LatrineType, WaterSource

from .choices import AnswerSource
from .standard import StandardSpec


def rule_text(spec: StandardSpec) -> str:
    """The rule shape of a standard in one sentence (NĐ 07/2021 Điều 3, QĐ 59/2015 Điều 2, local ones)."""
    values = {"n": spec.deprivation_threshold}
    if spec.rule == "single_line":
        return (
            _(
                "Một mức chuẩn: hộ có thu nhập bình quân không cao hơn chuẩn nghèo là hộ nghèo nếu thiếu hụt từ "
                "%(n)s chỉ số trở lên, là hộ cận nghèo nếu thiếu hụt ít hơn %(n)s chỉ số."
            )
            % values
        )
    if spec.rule == "two_tier":
        return (
            _(
                "Hai mức: thu nhập không cao hơn mức thấp là hộ nghèo (không xét thiếu hụt); thu nhập cao hơn mức thấp "
                "nhưng không cao hơn mức cận nghèo thì thiếu hụt từ %(n)s chỉ số trở lên là hộ nghèo, ít hơn là hộ "
                "cận nghèo."
            )
            % values
        )
    return (
        _(
            "Hai khoảng: thu nhập không cao hơn chuẩn nghèo và thiếu hụt từ %(n)s chỉ số trở lên là hộ nghèo; còn lại, "
            "thu nhập không cao hơn chuẩn cận nghèo là hộ cận nghèo."
        )
        % values
    )


def period_text(spec: StandardSpec) -> str:
    return _("đồng/người/năm") if spec.income_period == "year" else _("đồng/người/tháng")


def area_lines(spec: StandardSpec) -> list[dict[str, Any]]:
    names = {"rural": _("Nông thôn"), "urban": _("Thành thị")}
    return [
        {"area": names[area], "code": area, "poor": lines.poor, "near_poor": lines.near_poor,
         "average": lines.average, "low_income": lines.low_income,
         "score": spec.proxy_score.income_thresholds[area] if spec.proxy_score else None}
        for area, lines in spec.lines.items()
    ]  # fmt: skip


def confidence_text(tag: str) -> str:
    return {
        "V": _("Đã đối chiếu với văn bản gốc"),
        "V-2": _("Đối chiếu qua nguồn thứ hai"),
        "M": _("Chưa đối chiếu đủ, cần kiểm tra"),
    }.get(tag, tag)


# Lazy: built at import, read in the language of each request.
_MISSING = {
    "labour_status": gettext_lazy("việc làm của thành viên"),
    "age": gettext_lazy("tuổi của thành viên"),
    "health_insurance": gettext_lazy("thẻ bảo hiểm y tế"),
    "schooling": gettext_lazy("việc đi học, bằng cấp"),
    "durability": gettext_lazy("vật liệu tường, cột, mái"),
    "housing_area_m2": gettext_lazy("diện tích nhà ở"),
    "water_source": gettext_lazy("nguồn nước"),
    "latrine_type": gettext_lazy("loại nhà tiêu"),
}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def facts_text(facts: dict[str, Any]) -> str:
    """What a derivation rule read, in words (``{"count": 2}`` → "2 người")."""
    if not facts:
        return ""
    if "missing" in facts:
        return _("Sổ hộ thiếu: %(what)s") % {"what": _MISSING.get(facts["missing"], facts["missing"])}
    parts = []
    if "dependants" in facts:
        parts.append(_("%(d)s/%(m)s người phụ thuộc") % {"d": facts["dependants"], "m": facts["members"]})
    elif facts.get("count"):
        parts.append(_("%(n)s người") % {"n": facts["count"]})
    if "m2_per_person" in facts:
        parts.append(_("%(v)s m²/người") % {"v": vn_number(facts["m2_per_person"])})
    if "durable_parts" in facts:
        parts.append(_("%(n)s/3 bộ phận bền chắc") % {"n": facts["durable_parts"]})
    if "water_source" in facts:
        parts.append(_label(WaterSource, facts["water_source"]))
    if "latrine_type" in facts:
        parts.append(_label(LatrineType, facts["latrine_type"]))
    if "devices" in facts:
        have = [_label(InfoDevice, d) for d in facts["devices"]]
        parts.append(_("có: %(list)s") % {"list": ", ".join(have)} if have else _("không có thiết bị nào"))
    return "; ".join(str(p) for p in parts)


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Có") if value else _("Không")


def indicator_rows(spec: StandardSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluation or stored indicator rows joined with the standard's names, for tables."""
    by_code = {row["code"]: row for row in rows}
    shown = []
    for indicator in spec.indicators:
        row = by_code.get(indicator.code, {})
        source = row.get("source", AnswerSource.MISSING)
        shown.append({
            "indicator": indicator, "derived_rule": indicator.derived,
            "derived": yes_no(row.get("derived")) if indicator.derived else "",
            "facts": facts_text(row.get("facts") or {}),
            "answer": yes_no(row.get("answer")), "override": row.get("override"),
            "override_text": yes_no(row.get("override")) if row.get("override") is not None else "",
            "reason": row.get("reason", ""), "final": row.get("final"), "final_text": yes_no(row.get("final")),
            "source": source, "source_text": _label(AnswerSource, source),
        })  # fmt: skip
    return shown
