"""Writing audit events. Every service that changes state calls `audit_record` in its transaction."""

import hashlib
import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from ansinh.core.context import current_request_id

from .models import AuditChain, AuditEvent

NATIONAL_CHAIN = "national"
GENESIS_HASH = "0" * 64


def chain_key_for(unit_path: str) -> str:
    """Events of one province share a chain: ``/2025/38/16000/`` → ``2025:38``."""
    parts = [p for p in (unit_path or "").split("/") if p]
    if len(parts) >= 2:
        return f"{parts[0]}:{parts[1]}"
    return NATIONAL_CHAIN


def normalise_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy (dates, decimals, UUIDs as strings) so the stored value hashes the same."""
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))


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
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    AuditChain.objects.get_or_create(key=key)
    chain = AuditChain.objects.select_for_update().get(key=key)
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        chain_key=key,
        sequence=chain.length + 1,
        occurred_at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else "system")[:150],
        request_id=current_request_id(),
        event_type=int(event_type),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target) if target is not None else "")[:255],
        unit_path=unit_path or "",
        changes=normalise_changes(changes),
        prev_hash=chain.last_hash or GENESIS_HASH,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    chain.last_event_id = event.pk
    chain.last_hash = event.hash
    chain.length = event.sequence
    chain.save(update_fields=["last_event_id", "last_hash", "length"])
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
