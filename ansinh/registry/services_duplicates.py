"""Duplicate members: the queue (reads), the officer's decisions, and the background scan.

A decision is one transaction with its audit event(s). Both members of a pair must lie in the
area where the actor holds ``registry.decide_duplicate``: a merge rewrites one record and retires
the other, so an officer who sees a pair only through one side (a pair across two provinces is
visible to both) cannot retire a record of the other side. Such pairs are decided by someone
whose area covers both (a province officer for two communes, a national administrator for two
provinces) — or after one side has marked it, which the other side can see in the queue.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ansinh.audit.services import audit_record
from ansinh.core.exceptions import ApplicationError
from ansinh.core.scoping import scope_of
from ansinh.geo.models import AdminUnit
from ansinh.jobs.models import Job
from ansinh.jobs.services import JobProgress, job_enqueue, register_job_kind
from ansinh.jobs.texts import job_message

from .choices import DuplicateStatus, MemberStatus
from .duplicates import default_threshold, duplicates_scan, members_in_area
from .events import RegistryEventType
from .identity import validate_id_number
from .models import DuplicatePair, Household, Member

VIEW_PERM = "registry.view_duplicatepair"
DECIDE_PERM = "registry.decide_duplicate"
FULL_IDENTITY_PERM = "registry.view_full_identity"
SCAN_JOB_KIND = "registry.duplicates_scan"
MIN_THRESHOLD = 0.5

# Fields a merge compares, in the order the comparison page shows them. `birth_date` stands for
# the birth date and the birth year together (a year alone is kept with its date or not at all).
MERGE_FIELDS: dict[str, Any] = {
    "full_name": gettext_lazy("Họ và tên"),
    "sex": gettext_lazy("Giới tính"),
    "birth_date": gettext_lazy("Ngày/năm sinh"),
    "ethnicity": gettext_lazy("Dân tộc"),
    "id_number": gettext_lazy("Số CCCD/CMND"),
    "health_insurance": gettext_lazy("Bảo hiểm y tế"),
    "schooling": gettext_lazy("Đang học"),
    "diploma": gettext_lazy("Bằng cấp cao nhất"),
    "disability": gettext_lazy("Khuyết tật"),
    "labour_status": gettext_lazy("Tình trạng việc làm"),
    "allowance": gettext_lazy("Lương hưu/trợ cấp"),
}


# -- reads --------------------------------------------------------------------------------------

_RELATED = (
    "member_a__household__village",
    "member_a__household__commune",
    "member_a__ethnicity",
    "member_b__household__village",
    "member_b__household__commune",
    "member_b__ethnicity",
    "decided_by",
)


def duplicate_list_visible_to(*, user, kind: str = "", status: str = DuplicateStatus.PENDING) -> QuerySet:
    """Pairs with at least one member in the user's area (``registry.view_duplicatepair``), best first:
    by score, then by fewer namesakes (a name borne by few people of that sex and birth year is more
    likely one person registered twice; decision 0025).

    Pending pairs where a member has since died or been merged are left out: there is nothing
    left to decide (the next scan no longer proposes them).
    """
    qs = DuplicatePair.objects.visible_to(user, perm=VIEW_PERM).select_related(*_RELATED)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if status == DuplicateStatus.PENDING:
        gone = [MemberStatus.DEAD, MemberStatus.MERGED]
        qs = qs.exclude(Q(member_a__status__in=gone) | Q(member_b__status__in=gone))
    return qs.order_by("-score", "namesakes", "id")


def duplicate_get_visible(*, user, pk, perm: str = VIEW_PERM) -> DuplicatePair:
    """One pair in the user's area; 404 alike when missing or out of area."""
    try:
        return DuplicatePair.objects.visible_to(user, perm=perm).select_related(*_RELATED).get(pk=pk)
    except (DuplicatePair.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc


def can_decide(user, pair: DuplicatePair) -> bool:
    """Whether `user` may decide `pair`: both members' households in their decide area."""
    return all(user.has_perm(DECIDE_PERM, m.household) for m in (pair.member_a, pair.member_b))


def shows_full_identity(user, member: Member) -> bool:
    return user.has_perm(FULL_IDENTITY_PERM, member.household)


def _field_value(member: Member, name: str) -> Any:
    if name == "birth_date":
        return (member.birth_date, member.birth_year) if member.birth_date else (None, member.birth_year)
    if name == "ethnicity":
        return member.ethnicity_id
    return getattr(member, name)


def field_display(member: Member, name: str) -> str:
    """A field's value as the officer reads it (labels, dd/mm/yyyy, ethnicity name)."""
    if name == "birth_date":
        return member.birth_date.strftime("%d/%m/%Y") if member.birth_date else str(member.birth_year)
    if name == "ethnicity":
        return str(member.ethnicity) if member.ethnicity_id else ""
    display = getattr(member, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return str(getattr(member, name) or "")


def differing_fields(a: Member, b: Member) -> list[str]:
    """The merge fields whose values differ between two members (those the officer must choose)."""
    return [name for name in MERGE_FIELDS if _field_value(a, name) != _field_value(b, name)]


def _json_value(member: Member, name: str) -> Any:
    if name == "birth_date":
        return member.birth_date.isoformat() if member.birth_date else member.birth_year
    if name == "ethnicity":
        return member.ethnicity.code if member.ethnicity_id else None
    value = getattr(member, name)
    return value.isoformat() if isinstance(value, date) else value


# -- decisions ----------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do quyết định.")})
    return reason[:255]


def _lock(pair: DuplicatePair, actor) -> tuple[DuplicatePair, Member, Member]:
    """Lock the pair and both members (in id order, as every decision does: no deadlock), then check.

    Refuses when the pair was already decided, either member is gone (dead, merged), or either
    member lies outside the actor's decide area.
    """
    locked = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    members = {
        m.pk: m
        for m in Member.objects.select_for_update()
        .filter(pk__in=[locked.member_a_id, locked.member_b_id])
        .order_by("pk")
    }
    a, b = members[locked.member_a_id], members[locked.member_b_id]
    households = Household.objects.in_bulk([a.household_id, b.household_id])
    a.household, b.household = households[a.household_id], households[b.household_id]
    if not all(actor.has_perm(DECIDE_PERM, m.household) for m in (a, b)):
        raise PermissionDenied(
            _("Cả hai người trong cặp phải thuộc địa bàn bạn được quyết định trùng. Cặp này cần cấp trên xử lý.")
        )
    if locked.status != DuplicateStatus.PENDING:
        raise ApplicationError(
            _("Cặp này đã được quyết định (%(status)s). Không quyết định lại.")
            % {"status": locked.get_status_display()},
            code="duplicate_already_decided",
        )
    for member in (a, b):
        if not member.is_living or member.status == MemberStatus.MERGED:
            raise ApplicationError(
                _("%(name)s đã mất hoặc đã được gộp vào hồ sơ khác; cặp này không còn cần quyết định.")
                % {"name": member.full_name},
                code="duplicate_member_gone",
            )
    locked.member_a, locked.member_b = a, b
    return locked, a, b


def duplicate_mark_different(*, actor, pair: DuplicatePair, reason: str) -> DuplicatePair:
    """Record that the two members are different people; the pair is never proposed again.

    Refused when the reason is empty, the pair is already decided, a member is gone, or a member
    lies outside the actor's decide area.
    """
    reason = _require_reason(reason)
    with transaction.atomic():
        locked, a, b = _lock(pair, actor)
        locked.status = DuplicateStatus.DIFFERENT
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
        for member in (a, b):
            audit_record(
                actor=actor, event_type=RegistryEventType.DUPLICATE_MARKED_DIFFERENT, target=member,
                unit_path=member.household.unit_path,
                changes={"new": {"pair": locked.pk, "member_a": a.pk, "member_b": b.pk, "reason": reason}},
            )  # fmt: skip
    return locked


def duplicate_mark_same(
    *, actor, pair: DuplicatePair, keep: Member, values: dict[str, str], reason: str
) -> DuplicatePair:
    """Merge two records of one person: `keep` stays, the other becomes "merged" into it.

    For every field whose values differ, `values[field]` says whose value the kept record takes
    ("a" or "b"); every such field is journaled in `pair.conflicts` with both values and the one
    kept, so nothing is overwritten silently. Other pending pairs of the retired record are
    dropped (the next scan proposes them again against the kept record).

    Refused when the reason is empty; `keep` is not one of the pair; a differing field has no
    choice, a choice is not "a"/"b" or names an unknown field; the chosen CCCD does not fit the
    chosen sex and birth year; the retired record is its household's head (change the head
    first); the pair is already decided; a member is gone or outside the actor's decide area.
    """
    reason = _require_reason(reason)
    with transaction.atomic():
        locked, a, b = _lock(pair, actor)
        if keep.pk not in (a.pk, b.pk):
            raise ValidationError({"keep": _("Hãy chọn giữ lại một trong hai hồ sơ của cặp này.")})
        kept, dropped = (a, b) if keep.pk == a.pk else (b, a)
        if dropped.household.head_id == dropped.pk:
            raise ApplicationError(
                _("%(name)s đang là chủ hộ %(code)s. Hãy đổi chủ hộ trước, rồi mới gộp hồ sơ này vào hồ sơ còn lại.")
                % {"name": dropped.full_name, "code": dropped.household.code},
                code="duplicate_dropped_is_head",
            )
        values = dict(values or {})
        unknown = sorted(set(values) - set(MERGE_FIELDS))
        errors: dict[str, list[str]] = {}
        if unknown:
            errors["values"] = [_("Trường không hợp lệ: %(fields)s") % {"fields": ", ".join(unknown)}]
        differing = differing_fields(a, b)
        for name in differing:
            choice = values.get(name)
            if choice not in ("a", "b"):
                errors[name] = [
                    _("Hai hồ sơ khác nhau ở “%(field)s”: hãy chọn giữ giá trị nào.") % {"field": MERGE_FIELDS[name]}
                ]
        if errors:
            raise ValidationError(errors)
        conflicts = []
        for name in differing:
            source = a if values[name] == "a" else b
            conflicts.append({
                "field": name, "a": _json_value(a, name), "b": _json_value(b, name), "kept": values[name],
                "value": _json_value(source, name),
            })  # fmt: skip
            if name == "birth_date":
                kept.birth_date, kept.birth_year = source.birth_date, source.birth_year
            elif name == "ethnicity":
                kept.ethnicity_id = source.ethnicity_id
            else:
                setattr(kept, name, getattr(source, name))
        if "id_number" in differing or "sex" in differing or "birth_date" in differing:
            try:
                identity = validate_id_number(
                    kept.id_number, sex=kept.sex, birth_year=kept.birth_year, birth_date=kept.birth_date
                )
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
            kept.id_kind = identity.kind if identity else ""
        kept.save()
        dropped_old_status = dropped.status
        dropped.status = MemberStatus.MERGED
        dropped.merged_into = kept
        dropped.save(update_fields=["status", "merged_into", "updated_at"])
        Household.objects.filter(pk__in={a.household_id, b.household_id}).update(version=F("version") + 1)
        dropped_pending = DuplicatePair.objects.filter(
            Q(member_a=dropped) | Q(member_b=dropped), status=DuplicateStatus.PENDING
        ).exclude(pk=locked.pk)
        dropped_pending_ids = list(dropped_pending.values_list("pk", flat=True))
        dropped_pending.delete()
        locked.status = DuplicateStatus.SAME
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.conflicts = conflicts
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "conflicts", "updated_at"])
        audit_record(
            actor=actor, event_type=RegistryEventType.DUPLICATE_MARKED_SAME, target=kept,
            unit_path=kept.household.unit_path,
            changes={
                "old": {c["field"]: c["a" if kept.pk == a.pk else "b"] for c in conflicts},
                "new": {c["field"]: c["value"] for c in conflicts},
                "pair": locked.pk, "merged": dropped.pk, "reason": reason, "dropped_pending_pairs": dropped_pending_ids,
            },
        )  # fmt: skip
        audit_record(
            actor=actor, event_type=RegistryEventType.DUPLICATE_MARKED_SAME, target=dropped,
            unit_path=dropped.household.unit_path,
            changes={"old": {"status": dropped_old_status}, "new": {"status": MemberStatus.MERGED,
                     "merged_into": kept.pk}, "pair": locked.pk, "reason": reason},
        )  # fmt: skip
    return locked


# -- the scan -----------------------------------------------------------------------------------


def _scan_job(job: Job, progress: JobProgress) -> dict[str, Any]:
    """Job body: scan the members under each path of ``params["paths"]`` ([] = everything)."""
    paths = job.params.get("paths") or [""]
    threshold = job.params.get("threshold")
    condition = Q()
    if any(paths):
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(household__unit_path__startswith=path) | Q(household__successor_path__startswith=path)
    members = members_in_area(None).filter(condition)
    stats = duplicates_scan(
        members=members, threshold=threshold, on_total=progress.set_total, on_block=progress.advance
    )
    progress.message(
        gettext_noop("Đã xét %(blocks)s nhóm, tìm thấy %(found)s cặp nghi trùng (%(new)s cặp mới)."),
        {"blocks": stats.blocks, "found": stats.pairs_found, "new": stats.new},
    )
    return stats.as_dict()


register_job_kind(SCAN_JOB_KIND, _scan_job)


def _clean_threshold(threshold: float | None) -> float:
    if threshold is None:
        return default_threshold()
    if not (MIN_THRESHOLD <= float(threshold) <= 1):
        raise ValidationError({"threshold": _("Ngưỡng điểm giống phải từ %(low)s đến 1.") % {"low": MIN_THRESHOLD}})
    return float(threshold)


def duplicate_scan_start(*, actor, unit: AdminUnit | None = None, threshold: float | None = None) -> Job:
    """Queue a scan of the actor's decide area (or of `unit`, which must lie inside it).

    Refused when the actor holds ``registry.decide_duplicate`` nowhere, or not over `unit`.
    """
    threshold = _clean_threshold(threshold)
    scope = scope_of(actor, DECIDE_PERM)
    if scope.is_empty:
        raise PermissionDenied(_("Vai trò của bạn không có quyền này."))
    if unit is not None:
        if not scope.covers(unit.path):
            raise PermissionDenied(_("Địa bàn này không thuộc phạm vi bạn được quyết định trùng."))
        paths = [unit.path]
        label_area = unit.name
    elif scope.national:
        paths = []
        label_area = job_message(gettext_noop("toàn quốc"))  # translatable: read in the reader's language
    else:
        paths = scope.minimal_paths()
        label_area = ", ".join(AdminUnit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))
    return job_enqueue(
        actor=actor,
        kind=SCAN_JOB_KIND,
        label=gettext_noop("Tìm người trùng: %(area)s"),
        label_params={"area": label_area},
        unit_path=paths[0] if len(paths) == 1 else "",
        params={"paths": paths, "threshold": threshold},
    )
