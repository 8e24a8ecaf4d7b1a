"""Tables of the household pages (django-tables2) and the readable form of history entries."""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from ansinh.audit.event_types import label_for
from ansinh.core.tables import SignatureCachedTable
from ansinh.core.templatetags.ansinh_format import vn_date, vn_number

from .choices import HouseholdStatus, InfoDevice, PovertyClass
from .identity import mask_id_number
from .models import Household, Member
from .panels import history_presenter
from .selectors import FLAG_FIELDS, VIEW_PERM

# -- households -----------------------------------------------------------------------------------


class HouseholdTable(SignatureCachedTable):
    code = tables.LinkColumn(
        "registry:household_detail", args=[tables.A("pk")], verbose_name=gettext_lazy("Mã hộ"), order_by=("code", "pk")
    )
    # Every order ends with the id: rows that tie (the same head name and code in two communes, one
    # area type…) keep one order from page to page and from one query plan to another. The default
    # order is then exactly the `registry_household_list_order` index.
    head_name = tables.Column(verbose_name=pgettext_lazy("cột", "Chủ hộ"), order_by=("head_sort_key", "code", "pk"))
    head_id = tables.Column(
        verbose_name=pgettext_lazy("cột", "CCCD chủ hộ"), accessor="head__id_number", orderable=False, default=""
    )
    village = tables.Column(
        verbose_name=pgettext_lazy("cột", "Thôn/tổ dân phố"),
        order_by=("village__sort_key", "head_sort_key", "pk"),
        default="—",
    )
    commune = tables.Column(
        verbose_name=gettext_lazy("Xã/phường"), order_by=("commune__sort_key", "head_sort_key", "pk")
    )
    members_count = tables.Column(
        verbose_name=pgettext_lazy("cột", "Số nhân khẩu"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
        order_by=("members_count", "pk"),
    )
    area_type = tables.Column(verbose_name=gettext_lazy("Khu vực"), order_by=("area_type", "pk"))
    poverty_class = tables.Column(
        verbose_name=gettext_lazy("Phân loại"), empty_values=("",), order_by=("poverty_class", "pk")
    )
    flags = tables.Column(verbose_name=gettext_lazy("Đặc điểm"), accessor="pk", orderable=False)

    # The columns a page of this table reads (`HouseholdListView` loads only these): a whole household,
    # its head, village and commune are about a hundred columns a row to convert, most never shown.
    # A column or render method that reads another field must add it here, or each row would fetch it.
    columns_read = (
        "code",
        "head_name",
        "head__id_number",
        "village__name",
        "commune__name",
        "area_type",
        "poverty_class",
        "status",
        *FLAG_FIELDS,
    )

    class Meta:
        model = Household
        fields = (
            "code",
            "head_name",
            "head_id",
            "village",
            "commune",
            "members_count",
            "area_type",
            "poverty_class",
            "flags",
        )
        empty_text = gettext_lazy("Không có hộ nào phù hợp.")
        order_by = ("head_name",)
        template_name = "core/table_rows.html"  # rows written in Python, same markup as core/table.html

    def render_head_name(self, value):
        return value or "—"

    def render_head_id(self, value):
        # Lists never show a full number; the household page has the audited "show in full".
        return mask_id_number(value)

    def render_village(self, value):
        return value.name

    def render_poverty_class(self, value, record):
        # `value` is the class's label (django-tables2 reads a field with choices as its display). The
        # legal name of the average band is a sentence: the list says it short, whole in a tooltip.
        if record.poverty_class == PovertyClass.AVERAGE:
            return format_html('<span title="{}">{}</span>', value, pgettext("phân loại ngắn", "Mức sống trung bình"))
        return value

    def render_commune(self, value):
        return value.name

    def _flag_labels(self) -> dict[str, str]:
        # Translated once per table (one language per page) rather than once per set flag of each row.
        found = getattr(self, "_flag_label_cache", None)
        if found is None:
            found = {name: str(capfirst(Household._meta.get_field(name).verbose_name)) for name in FLAG_FIELDS}
            self._flag_label_cache = found
        return found

    def render_flags(self, record):
        flag_labels = self._flag_labels()
        labels = [flag_labels[name] for name in FLAG_FIELDS if getattr(record, name)]
        if record.status != "active":
            labels.insert(0, record.get_status_display())
        if not labels:
            return "—"
        # What `format_html_join(" ", '<span class="badge">{}</span>', …)` writes (each label escaped by
        # `html.escape`, as Django's `escape` does), without its lazy-string wrappers on every row.
        return mark_safe(" ".join(f'<span class="badge">{html.escape(str(label))}</span>' for label in labels))  # noqa: S308


# -- history ------------------------------------------------------------------------------------

_SKIPPED_KEYS = {"household", "id_kind"}
_MEMBER_LABEL = Member._meta.label_lower
_EXTRA_LABELS = {
    "members": gettext_lazy("Thành viên"),
    "head": gettext_lazy("Chủ hộ"),
    "old_head_relation": gettext_lazy("Quan hệ mới của chủ hộ cũ"),
    "existing_member": gettext_lazy("Trùng với thành viên (mã số)"),
    "reason": gettext_lazy("Lý do"),
    "village": gettext_lazy("Thôn/tổ dân phố"),
    # A marriage moving a registered member between households, a member's death or departure.
    "household_code": gettext_lazy("Hộ"),
    "household_status": gettext_lazy("Tình trạng hộ"),
    "date": gettext_lazy("Ngày"),
    "note": gettext_lazy("Ghi chú"),
}


def _model_field(name: str, *, member_first: bool = False):
    """The field a recorded key names: the household's, else the member's (the member's first for an
    event about a member, whose `status` is the member's: present, dead, left…)."""
    for model in (Member, Household) if member_first else (Household, Member):
        try:
            field = model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            continue
        if getattr(field, "concrete", False):  # not a reverse relation such as Household.members
            return field
    return None


def _label(name: str, *, member_first: bool = False) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    field = _model_field(name, member_first=member_first)
    return capfirst(str(field.verbose_name)) if field is not None else name


def _value(name: str, value: Any, *, names: dict, can_see_full_id: bool, member_first: bool = False) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "id_number":
        return str(value) if can_see_full_id else mask_id_number(str(value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if name in ("village", "village_id", "ethnicity_id", "ethnicity"):
        return names.get((name, value), str(value))
    if name == "household_status":
        return str(dict(HouseholdStatus.choices).get(value, value))
    if name == "birth_year":
        return str(value)  # a year, not a number: 1962, never "1.962"
    if name == "merged_into" and member_first:
        return names.get(("merged_into", value), str(value))
    field = _model_field(name, member_first=member_first)
    if field is not None and field.choices:
        choices = dict(field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))
    if name == "info_devices" and isinstance(value, list):
        labels = dict(InfoDevice.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if name == "relation" or name == "old_head_relation":
        return str(dict(Member._meta.get_field("relation").flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (date, datetime)):
        return vn_date(value)
    if isinstance(value, (int, float, Decimal)) or _looks_decimal(value):
        return vn_number(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return vn_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _merged_member_ids(event) -> set[int]:
    """The members an event names by id: a duplicate pair's other record (`merged`, `merged_into`)."""
    changes = event.changes or {}
    new = changes.get("new") if isinstance(changes.get("new"), dict) else {}
    found = {changes.get("merged"), new.get("merged_into") if event.target_type == _MEMBER_LABEL else None}
    return {pk for pk in found if isinstance(pk, int)}


def _change_text(key: str, values: dict, names: dict, can_see_full_id: bool, member_first: bool) -> str:
    """One side of a recorded change, read: empty when the key is not on that side (a creation's old)."""
    if key not in values:
        return ""
    return _value(key, values[key], names=names, can_see_full_id=can_see_full_id, member_first=member_first)


def _looks_decimal(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return value.replace(".", "", 1).lstrip("-").isdigit()


def history_entries(events, *, can_see_full_id: bool, user=None, household=None) -> list[dict]:
    """Audit events as rows a commune officer can read: when, who, what, and each field old → new.

    Identity numbers in the recorded values are masked for readers without the full-identity
    permission, like everywhere else. Events of higher apps are shown by the presenter their app
    registered (`panels.register_history_presenter`), which masks what `user` may not see.
    """
    from ansinh.geo.models import AdminUnit

    from .models import Ethnicity

    events = list(events)
    unit_ids, unit_paths, ethnicity_ids, member_ids = set(), set(), set(), set()
    for event in events:
        member_ids.update(_merged_member_ids(event))
        for side in ("old", "new"):
            values = (event.changes or {}).get(side) or {}
            if isinstance(values, dict):
                if values.get("village_id"):
                    unit_ids.add(values["village_id"])
                if isinstance(values.get("village"), str):
                    unit_paths.add(values["village"])
                for key in ("ethnicity_id", "ethnicity"):
                    if values.get(key):
                        ethnicity_ids.add(values[key])
    names: dict = {}
    for unit in AdminUnit.objects.filter(Q(pk__in=unit_ids) | Q(path__in=unit_paths)):
        names[("village_id", unit.pk)] = names[("village", unit.path)] = unit.name
    for ethnicity in Ethnicity.objects.filter(pk__in=ethnicity_ids):
        names[("ethnicity_id", ethnicity.pk)] = names[("ethnicity", ethnicity.pk)] = ethnicity.name
    # The other record of a duplicate pair marked "same person", by name and household (not its id) when
    # the reader may see it; a pair can span areas, and a record outside theirs is not named.
    for pk in member_ids:
        names[("merged_into", pk)] = names[("merged", pk)] = _("một hồ sơ ngoài địa bàn của bạn")
    others = Member.objects.visible_to(user, perm=VIEW_PERM).filter(pk__in=member_ids)
    for pk, full_name, code in others.values_list("pk", "full_name", "household__code") if member_ids else ():
        label = _("%(name)s (hộ %(code)s)") % {"name": full_name, "code": code}
        names[("merged_into", pk)] = names[("merged", pk)] = label
    rows = []
    for event in events:
        presenter = history_presenter(event.event_type)
        if presenter is not None:
            rows.append({"event": event, "label": label_for(event.event_type), "actor": event.actor_name,
                         "target": event.target_repr,
                         "changes": presenter(event, user=user, household=household)})  # fmt: skip
            continue
        changes = event.changes or {}
        old = changes.get("old") if isinstance(changes.get("old"), dict) else {}
        new = changes.get("new") if isinstance(changes.get("new"), dict) else {}
        keys = [k for k in dict.fromkeys([*new, *old]) if k not in _SKIPPED_KEYS]
        if not old:  # a creation: list what was entered, not every blank fact
            keys = [k for k in keys if new.get(k) not in (None, "", False, [])]
        of_member = event.target_type == _MEMBER_LABEL
        lines = [
            {"field": _label(key, member_first=of_member),
             "old": _change_text(key, old, names, can_see_full_id, of_member),
             "new": _change_text(key, new, names, can_see_full_id, of_member)}
            for key in keys
        ]  # fmt: skip
        # What the event records beside its old and new values: the record merged into this one, the reason.
        merged = changes.get("merged")
        if isinstance(merged, int):
            lines.append({"field": _("Gộp với hồ sơ"), "old": "", "new": names.get(("merged", merged), str(merged))})
        reason = changes.get("reason")
        if isinstance(reason, str) and reason.strip() and "reason" not in old and "reason" not in new:
            lines.append({"field": _("Lý do"), "old": "", "new": reason})
        rows.append({
            "event": event, "label": label_for(event.event_type), "actor": event.actor_name,
            "target": event.target_repr, "changes": lines,
        })  # fmt: skip
    return rows
