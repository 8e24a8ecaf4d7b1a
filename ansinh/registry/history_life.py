"""The household page's history of splits and merges, in words.

A split (`HOUSEHOLD_SPLIT`) and a merge (`HOUSEHOLD_MERGED`) each record one event on both
households (services_life). Their changes hold the other household as an id beside its code and
the people who moved as records ``{"id", "full_name", "relation"}``; read as generic field changes
they showed ids and Python dictionaries ("Đã gộp vào: 3", "{'id': 3, 'full_name': …}"), and on the
household that was split, its new household's code under "Mã hộ" as if its own code had changed.
This presenter says what happened from the side of the household whose page is read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import HouseholdStatus, Relation
from .events import RegistryEventType
from .models import Household
from .selectors import VIEW_PERM

LIFE_EVENT_TYPES = (RegistryEventType.HOUSEHOLD_SPLIT, RegistryEventType.HOUSEHOLD_MERGED)


def people_text(people) -> str:
    """The recorded people as "Nguyễn Văn Long (Chủ hộ), Nguyễn Thị Hoa (Anh/chị/em)"."""
    if not isinstance(people, list) or not people:
        return "—"
    relations = dict(Relation.choices)
    texts = []
    for person in people:
        if not isinstance(person, dict):
            texts.append(str(person))
            continue
        name = str(person.get("full_name") or "—")
        relation = person.get("relation")
        texts.append(f"{name} ({relations.get(relation, relation)})" if relation else name)
    return ", ".join(texts)


def _status_text(value) -> str:
    return str(HouseholdStatus(value).label) if value in HouseholdStatus.values else str(value or "—")


def _code_of(pk, user) -> str:
    """The code of a household the event names only by id (a merge's target) when `user` may see that
    household (a village head may not see the rest of the commune), else words that name none."""
    if not isinstance(pk, int):
        return str(pk) if pk not in (None, "") else "—"
    code = Household.objects.visible_to(user, perm=VIEW_PERM).filter(pk=pk).values_list("code", flat=True).first()
    return code or _("một hộ ngoài địa bàn của bạn")


def present_split_or_merge(event, *, user=None, household=None) -> list[dict[str, str]]:
    """``[{"field", "old", "new"}]`` for one split or merge event, from the side of its target household."""
    changes = event.changes or {}
    old = changes.get("old") if isinstance(changes.get("old"), dict) else {}
    new = changes.get("new") if isinstance(changes.get("new"), dict) else {}
    people = people_text(new.get("members"))
    rows: list[dict[str, str]] = []

    def row(field, value, before="") -> None:
        rows.append({"field": field, "old": before, "new": value})

    if event.event_type == RegistryEventType.HOUSEHOLD_SPLIT:
        if "split_from" in new or "split_from_code" in new:  # the new household
            row(_("Tách từ hộ"), str(new.get("split_from_code") or _code_of(new.get("split_from"), user)))
            row(_("Mã hộ"), str(new.get("code") or "—"))
            if new.get("village"):
                from ansinh.geo.models import AdminUnit

                name = AdminUnit.objects.filter(path=new["village"]).values_list("name", flat=True).first()
                row(_("Thôn/tổ dân phố"), name or str(new["village"]))
            row(_("Thành viên"), people)
        else:  # the household that was split
            row(_("Tách thành hộ mới"), str(new.get("code") or _code_of(new.get("new_household"), user)))
            row(_("Thành viên tách đi"), people)
        return rows
    if "merged_from" in new or "merged_from_code" in new:  # the household that took the members in
        row(_("Nhập từ hộ"), str(new.get("merged_from_code") or _code_of(new.get("merged_from"), user)))
        row(_("Thành viên nhập vào"), people)
    else:  # the household that was merged into another
        if "status" in new:
            row(_("Tình trạng hộ"), _status_text(new["status"]), _status_text(old.get("status")))
        row(_("Nhập vào hộ"), _code_of(new.get("merged_into"), user))
        row(_("Thành viên chuyển đi"), people)
    return rows
