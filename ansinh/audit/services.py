"""Writing audit events. Every service that changes state calls `audit_record` in its transaction."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

from ansinh.core.context import current_request_id
from ansinh.core.db import insert_rows, reserve_ids

from .models import NATIONAL_CHAIN, SYSTEM_ACTOR_LABEL, AuditChain, AuditEvent, chain_key_for  # noqa: F401 - re-exported

GENESIS_HASH = "0" * 64


# `json.dumps` with keyword arguments makes an encoder per call; these are the same encoders, made once.
_normalising_encode = DjangoJSONEncoder().encode  # json.dumps(value, cls=DjangoJSONEncoder)
_canonical_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def normalise_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy (dates, decimals, UUIDs as strings) so the stored value hashes the same."""
    return json.loads(_normalising_encode(changes or {}))


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over every field of the event and the previous hash, in a canonical form."""
    payload = {
        "chain_key": event.chain_key,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "request_id": event.request_id,
        "event_type": event.event_type,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "unit_path": event.unit_path,
        "changes": event.changes,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_canonical_encode(payload).encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor,
    event_type: int,
    target: models.Model | None = None,
    unit_path: str = "",
    changes: dict[str, Any] | None = None,
    target_repr: str | None = None,
) -> AuditEvent:
    """Append one event to its province's chain.

    Must run inside the caller's transaction (the event commits or rolls back with the change it
    records). Locks the chain head, so concurrent writers in one province queue up here.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction.atomic block.")
    key = chain_key_for(unit_path)
    chain = _lock_chain(key)
    event = _new_event(
        actor=actor, event_type=event_type, target=target, unit_path=unit_path, changes=changes,
        target_repr=target_repr, key=key, sequence=chain.length + 1, prev_hash=chain.last_hash or GENESIS_HASH,
        occurred_at=timezone.now(), request_id=current_request_id(),
    )  # fmt: skip
    event.save(force_insert=True)
    _advance_chain(chain, event)
    return event


@dataclass(frozen=True)
class PendingEvent:
    """One event for `audit_record_many`: the same arguments `audit_record` takes (actor aside)."""

    event_type: int
    target: models.Model | None = None
    unit_path: str = ""
    changes: dict[str, Any] | None = None
    target_repr: str | None = None


def audit_record_many(*, actor, events: list[PendingEvent]) -> list[AuditEvent]:
    """Append many events by one actor, in the given order, exactly as that many `audit_record` calls would.

    For bulk writers (the household import): each chain head is locked once, sequences and hashes
    are computed in order, the events are inserted with one COPY/executemany per chain and the head
    is moved once, so `audit_verify` sees the same chain it would after single calls. Same
    transaction rule as `audit_record`.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside the service's transaction.atomic block.")
    by_chain: dict[str, list[PendingEvent]] = {}
    for pending in events:
        by_chain.setdefault(chain_key_for(pending.unit_path), []).append(pending)
    now, request_id = timezone.now(), current_request_id()
    new_event = _EventMaker(actor=actor, occurred_at=now, request_id=request_id)
    written: list[AuditEvent] = []
    for key in sorted(by_chain):  # a fixed lock order, so two bulk writers never deadlock
        chain = _lock_chain(key)
        sequence, prev_hash = chain.length, chain.last_hash or GENESIS_HASH
        rows = []
        for pending in by_chain[key]:
            sequence += 1
            event = new_event(pending, key=key, sequence=sequence, prev_hash=prev_hash)
            prev_hash = event.hash
            rows.append(event)
        for event, pk in zip(rows, reserve_ids(AuditEvent, len(rows)), strict=True):
            event.pk = pk
        insert_rows(AuditEvent, rows)
        _advance_chain(chain, rows[-1])
        written.extend(rows)
    return written


def _lock_chain(key: str) -> AuditChain:
    AuditChain.objects.get_or_create(key=key)
    return AuditChain.objects.select_for_update().get(key=key)


def _advance_chain(chain: AuditChain, last: AuditEvent) -> None:
    chain.last_event_id = last.pk
    chain.last_hash = last.hash
    chain.length = last.sequence
    chain.save(update_fields=["last_event_id", "last_hash", "length"])


def _new_event(*, actor, event_type, target, unit_path, changes, target_repr, key, sequence, prev_hash,
               occurred_at, request_id) -> AuditEvent:  # fmt: skip
    """The event (hash computed, not saved) that extends chain `key` after `prev_hash`."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        chain_key=key,
        sequence=sequence,
        occurred_at=occurred_at,
        actor=user,
        actor_label=(user.get_username() if user else SYSTEM_ACTOR_LABEL)[:150],
        request_id=request_id,
        event_type=int(event_type),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target) if target is not None else "")[:255],
        unit_path=unit_path or "",
        changes=normalise_changes(changes),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    return event


class _EventMaker:
    """`_new_event` for many events of one actor at one time (`audit_record_many`): what depends on
    the actor and the time is worked out once and the event is built without `Model.__init__`
    (`normalise_changes` and `event_hash` use encoders made once). The same attributes, changes and
    hash as `_new_event` (tested)."""

    def __init__(self, *, actor, occurred_at, request_id):
        user = actor if getattr(actor, "is_authenticated", False) else None
        self.user, self.occurred_at, self.request_id = user, occurred_at, request_id
        self.actor_label = (user.get_username() if user else SYSTEM_ACTOR_LABEL)[:150]
        if user is not None:  # what assigning ``actor=user`` does (ForwardManyToOneDescriptor.__set__)
            probe = AuditEvent(actor=user)
            self.db, self.actor_id = probe._state.db, probe.actor_id
        else:
            self.db, self.actor_id = None, None
        self.defaults = {
            f.attname: f.get_default()
            for f in AuditEvent._meta.concrete_fields
            if not (f.has_default() and callable(f.default))
        }

    def __call__(self, pending: PendingEvent, *, key: str, sequence: int, prev_hash: str) -> AuditEvent:
        target, target_repr = pending.target, pending.target_repr
        if target is not None:
            target_type = target._meta.label_lower
            target_id = str(target.pk) if target.pk is not None else ""
            target_repr = (target_repr if target_repr is not None else str(target))[:255]
        else:
            target_type = target_id = ""
            target_repr = (target_repr if target_repr is not None else "")[:255]
        unit_path = pending.unit_path or ""
        event = AuditEvent.__new__(AuditEvent)
        state = event._state = ModelState()
        state.db = self.db
        state.fields_cache["actor"] = self.user
        attributes = event.__dict__
        attributes.update(self.defaults)
        attributes.update(
            chain_key=key, sequence=sequence, occurred_at=self.occurred_at, actor_id=self.actor_id,
            actor_label=self.actor_label, request_id=self.request_id, event_type=int(pending.event_type),
            target_type=target_type, target_id=target_id, target_repr=target_repr, unit_path=unit_path,
            changes=normalise_changes(pending.changes), prev_hash=prev_hash,
        )  # fmt: skip
        event.hash = event_hash(event)  # the one definition of what an event's hash covers
        return event


def diff_fields(before: models.Model | None, after: models.Model, fields: list[str]) -> dict[str, Any]:
    """``{"old": {...}, "new": {...}}`` for the listed fields that differ (all of them on create)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name in fields:
        new_value = getattr(after, name)
        old_value = getattr(before, name) if before is not None else None
        if before is None or old_value != new_value:
            old[name] = old_value
            new[name] = new_value
    return {"old": old, "new": new} if before is not None else {"new": new}
