"""External records classified without touching the registry (the `poverty_classify` command and the API).

A record is ``{"id", "area": "rural"|"urban", "income_per_capita": VND per person per month,
"deprivations": [indicator codes], "farming": true|false}``. The whole list is checked before
anything is classified, so one bad record refuses the list and names that record.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .classify import ClassificationInputError, Facts, check_facts, classify
from .explain import reason_text
from .standard import StandardSpec

FIELDS = ("id", "area", "income_per_capita", "deprivations", "farming")


class RecordError(ValueError):
    """A record that cannot be classified; the message names it (``bản ghi #3 (id 'A7'): …``)."""

    def __init__(self, message: str, *, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.index = index


def records_check(records: Any, spec: StandardSpec) -> list[tuple[Any, Facts]]:
    """(id, facts) of every record, or `RecordError` on the first bad one."""
    if not isinstance(records, list):
        raise RecordError(_("Tệp đầu vào phải là một danh sách (JSON list) các bản ghi."))
    checked = []
    for index, record in enumerate(records):
        name = _("bản ghi #%(n)s") % {"n": index + 1}
        if isinstance(record, dict):
            name += f" (id {record.get('id')!r})"
        else:
            raise RecordError(_("%(name)s: phải là một đối tượng JSON.") % {"name": name}, index=index)
        missing = [f for f in FIELDS if f not in record]
        if missing:
            raise RecordError(
                _("%(name)s: thiếu trường %(fields)s.") % {"name": name, "fields": ", ".join(missing)}, index=index
            )
        income, deprivations, farming = record["income_per_capita"], record["deprivations"], record["farming"]
        if isinstance(income, float) and income.is_integer():
            income = int(income)
        if not isinstance(deprivations, list) or not all(isinstance(c, str) for c in deprivations):
            raise RecordError(_("%(name)s: deprivations phải là danh sách mã chỉ số.") % {"name": name}, index=index)
        if not isinstance(farming, bool):
            raise RecordError(_("%(name)s: farming phải là true hoặc false.") % {"name": name}, index=index)
        if len(set(deprivations)) != len(deprivations):
            raise RecordError(_("%(name)s: một mã chỉ số được ghi hai lần.") % {"name": name}, index=index)
        facts = Facts(area=record["area"], deprivations=frozenset(deprivations), farming=farming,
                      income_per_capita=income)  # fmt: skip
        try:
            check_facts(facts, spec)
        except ClassificationInputError as exc:
            raise RecordError(f"{name}: {exc}.", index=index) from exc
        checked.append((record["id"], facts))
    return checked


def records_classify(checked: list[tuple[Any, Facts]], spec: StandardSpec) -> list[dict[str, Any]]:
    """``[{"id", "class", "flags", "reasons": [{"code", "text", …}]}]`` for checked records."""
    output = []
    for record_id, facts in checked:
        result = classify(facts, spec)
        reasons = [{**reason, "text": reason_text(reason, spec)} for reason in result.reasons]
        output.append({"id": record_id, "class": result.klass, "flags": list(result.flags), "reasons": reasons})
    return output
