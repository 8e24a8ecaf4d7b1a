"""The household page's history of moves between communes, in words.

A move's events (`HOUSEHOLD_MOVE_*`, services_life) record the request's status, the communes as
unit paths, the household's code and place before and after, and the people who moved. Read as
generic field changes they showed codes and paths ("requested", "/2025/38/15499/"), and the
request's `status` under the household's own "status" label. This presenter names each of them.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ansinh.core.text import dmy
from ansinh.geo.selectors import unit_labels_by_path

from .choices import MoveStatus
from .events import RegistryEventType

MOVE_EVENT_TYPES = (
    RegistryEventType.HOUSEHOLD_MOVE_REQUESTED,
    RegistryEventType.HOUSEHOLD_MOVE_ACCEPTED,
    RegistryEventType.HOUSEHOLD_MOVE_REFUSED,
    RegistryEventType.HOUSEHOLD_MOVE_CANCELLED,
)
_PLACE_KEYS = ("from", "to", "unit_path")


def present_move(event, *, user=None, household=None) -> list[dict[str, str]]:
    """``[{"field", "old", "new"}]`` for one move event; unit names are public, nothing is masked."""
    changes = event.changes or {}
    old = changes.get("old") if isinstance(changes.get("old"), dict) else {}
    new = changes.get("new") if isinstance(changes.get("new"), dict) else {}
    places = unit_labels_by_path(
        value for side in (old, new) for key in _PLACE_KEYS if isinstance(value := side.get(key), str)
    )

    def text(key: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if key == "status":
            return str(MoveStatus(value).label) if value in MoveStatus.values else str(value)
        if key in _PLACE_KEYS:
            return places.get(value, str(value))
        if key == "members":
            return ngettext("%(count)d người", "%(count)d người", len(value)) % {"count": len(value)}
        if key == "move_date":
            try:
                return dmy(date.fromisoformat(str(value)))
            except ValueError:
                return str(value)
        return str(value)

    labels = {
        "status": _("Trạng thái đề nghị"),
        "from": _("Từ"),
        "to": _("Đến"),
        "move_date": _("Ngày chuyển"),
        "reason": _("Lý do"),
        "note": _("Ghi chú"),
        "code": _("Mã hộ"),
        "unit_path": _("Nơi đăng ký"),
        "members": _("Thành viên chuyển theo"),
    }
    rows = []
    for key, label in labels.items():
        if key not in old and key not in new:
            continue
        if key == "note" and not new.get(key):
            continue
        rows.append({
            "field": label,
            "old": text(key, old[key]) if key in old else "",
            "new": text(key, new[key]) if key in new else "",
        })  # fmt: skip
    return rows
