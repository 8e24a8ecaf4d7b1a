"""Recomputing the hash chains to find tampering."""

from dataclasses import dataclass

from .models import AuditChain, AuditEvent
from .services import GENESIS_HASH, event_hash


@dataclass(frozen=True)
class ChainBreak:
    chain_key: str
    event_id: int | None
    sequence: int
    reason: str


def verify_chain(key: str, *, batch_size: int = 2000) -> ChainBreak | None:
    """The first broken event of chain `key`, or None when every link and hash holds."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    last_id = None
    events = AuditEvent.objects.filter(chain_key=key).order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainBreak(key, event.pk, expected_sequence, "missing event before this one")
        if event.prev_hash != expected_prev:
            return ChainBreak(key, event.pk, event.sequence, "previous-hash link broken")
        if event_hash(event) != event.hash:
            return ChainBreak(key, event.pk, event.sequence, "content does not match its hash")
        expected_prev = event.hash
        expected_sequence += 1
        last_id = event.pk
    head = AuditChain.objects.filter(key=key).first()
    if head is not None and (head.length != expected_sequence - 1 or (head.length and head.last_hash != expected_prev)):
        return ChainBreak(key, last_id, expected_sequence, "chain head does not match the last event (events removed)")
    return None


def verify_all() -> tuple[int, list[ChainBreak]]:
    """(events checked, first break of each broken chain)."""
    keys = set(AuditChain.objects.values_list("key", flat=True)) | set(
        AuditEvent.objects.values_list("chain_key", flat=True).distinct()
    )
    breaks = [b for key in sorted(keys) if (b := verify_chain(key)) is not None]
    return AuditEvent.objects.count(), breaks
