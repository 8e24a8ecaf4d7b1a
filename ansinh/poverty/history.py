"""The poverty app's events in the household page's history (registered in `apps.ready`).

The registry shows a household's history from the audit log without knowing this app (decision
0005); these presenters turn the form B and classification events into the page's rows
``{"field", "old", "new"}`` with the app's words: indicator and score item names from the standard,
classes and income sources by their labels. Form B's figures (the income, the score and the score
items' answers) are personal data: a reader without `poverty.view_income` over the household sees
them masked, as on every other page (`privacy.py`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ansinh.core.templatetags.ansinh_format import vn_date, vn_number

from .choices import IncomeSource
from .display import yes_no
from .explain import class_label
from .models import StandardVersion
from .privacy import can_view_income, income_mask
from .scoring import breakdown_rows
from .standard import StandardSpec


def _spec(code: str | None, version: int | None = None) -> StandardSpec | None:
    """The standard the event names: that version, or its latest when none is named (None: unknown)."""
    versions = StandardVersion.objects.filter(standard__code=code or "")
    if version:
        versions = versions.filter(version=version)
    row = versions.order_by("-version").first()
    return row.spec() if row is not None else None


def _indicator_title(spec: StandardSpec | None, code: str) -> str:
    try:
        return spec.indicator(code).title if spec is not None else code
    except KeyError:
        return code


def _score_answers(detail: dict[str, Any], fallback: str | None) -> str:
    """Each score item's answer, by the names of the table that scored it (`scoring.breakdown_rows`)."""
    spec = _spec(detail.get("standard") or fallback, detail.get("version"))
    tables = spec.proxy_score.tables if spec is not None and spec.proxy_score is not None else None
    return "; ".join(f"{row['name']}: {row['answer']}" for row in breakdown_rows(tables, detail))


def _row(field: str, new: str, old: str = "") -> dict[str, str]:
    return {"field": field, "old": old, "new": new}


def assessment_changes(event, *, user, household) -> list[dict[str, str]]:
    """Form B recorded: the standard, date, income (masked without the permission) and answers."""
    new = (event.changes or {}).get("new") or {}
    show_income = user is not None and household is not None and can_view_income(user, household)
    spec = _spec(new.get("standard"))
    rows = [_row(pgettext("một chuẩn", "Chuẩn nghèo"), str(new.get("standard", "")))]
    if new.get("assessed_on"):
        try:
            rows.append(_row(_("Ngày thu thập"), vn_date(date.fromisoformat(str(new["assessed_on"])))))
        except ValueError:
            rows.append(_row(_("Ngày thu thập"), str(new["assessed_on"])))
    if new.get("income_source"):
        source = new["income_source"]
        label = IncomeSource(source).label if source in IncomeSource.values else source
        rows.append(_row(_("Nguồn thu nhập"), str(label)))
    if new.get("income_per_capita") is not None:
        value = vn_number(new["income_per_capita"]) if show_income else income_mask()
        rows.append(_row(_("Thu nhập bình quân (đồng/người/tháng)"), value))
    if new.get("income_score") is not None:
        rows.append(_row(_("Điểm thu nhập"), str(new["income_score"]) if show_income else income_mask()))
    if new.get("score_answers"):
        text = _score_answers(new.get("score_detail") or {}, new.get("standard")) if show_income else income_mask()
        rows.append(_row(_("Trả lời các mục chấm điểm"), text))
    if "farming" in new:
        rows.append(_row(_("Hộ làm nông, lâm, ngư, diêm nghiệp"), yes_no(bool(new["farming"]))))
    if new.get("answers"):
        text = "; ".join(f"{_indicator_title(spec, code)}: {yes_no(value)}" for code, value in new["answers"].items())
        rows.append(_row(_("Trả lời trực tiếp"), text))
    if new.get("overrides"):
        text = "; ".join(
            _("%(indicator)s: %(value)s (lý do: %(reason)s)")
            % {"indicator": _indicator_title(spec, code), "value": yes_no(item.get("value")),
               "reason": item.get("reason", "")}
            for code, item in new["overrides"].items()
        )  # fmt: skip
        rows.append(_row(_("Sửa chỉ số suy ra"), text))
    if new.get("note"):
        rows.append(_row(_("Ghi chú"), str(new["note"])))
    return rows


def classification_changes(event, *, user, household) -> list[dict[str, str]]:
    """Household classified: the class before and after, the low-income flag, the standard."""
    changes = event.changes or {}
    old, new = changes.get("old") or {}, changes.get("new") or {}
    rows = [_row(_("Phân loại"), class_label(new["class"]) if new.get("class") else "—",
                 old=class_label(old["class"]) if old.get("class") else "—")]  # fmt: skip
    if new.get("flags"):
        rows.append(_row(_("Lao động thu nhập thấp"), _("Có")))
    if new.get("standard"):
        standard = str(new["standard"])
        if new.get("version"):
            standard = _("%(code)s (phiên bản %(version)s)") % {"code": standard, "version": new["version"]}
        rows.append(_row(pgettext("một chuẩn", "Chuẩn nghèo"), standard))
    if new.get("recognised_class_kept"):
        rows.append(_row(_("Phân loại đã được công nhận (giữ nguyên)"), class_label(new["recognised_class_kept"])))
    return rows
