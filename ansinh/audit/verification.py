"""Recomputing the hash chains to find tampering (docs/decisions/0002-audit-chains-per-province.md)."""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import AuditChain, AuditEvent
from .services import GENESIS_HASH, event_hash

# Stable codes for machines (``audit_verify --json``, the job result); people read `message`.
SEQUENCE_GAP = "sequence_gap"
LINK_BROKEN = "link_broken"
HASH_MISMATCH = "hash_mismatch"
HEAD_MISMATCH = "head_mismatch"

ProgressCallback = Callable[[int], None]

# Progress is reported in slices: a callback per event would cost more than the hashing.
PROGRESS_EVERY = 500


# Source strings, translated where they are shown (the job page renders them in its reader's language).
REASONS = {
    SEQUENCE_GAP: gettext_noop("thiếu sự kiện ngay trước sự kiện này (số thứ tự bị hụt)"),
    LINK_BROKEN: gettext_noop("liên kết với mã băm của sự kiện trước bị đứt"),
    HASH_MISMATCH: gettext_noop("nội dung không khớp với mã băm đã lưu (đã bị sửa)"),
    HEAD_MISMATCH: gettext_noop("đầu chuỗi không khớp với sự kiện cuối (có sự kiện bị xoá hoặc bị chèn)"),
}
BREAK_MESSAGE = gettext_noop("Chuỗi %(chain)s: sự kiện #%(id)s (số thứ tự %(seq)s) — %(reason)s.")


def _reason_text(code: str) -> str:
    return _(REASONS[code])


@dataclass(frozen=True)
class ChainBreak:
    """The first event of a chain where the recomputation disagrees with what is stored."""

    chain_key: str
    event_id: int | None
    sequence: int
    code: str

    @property
    def reason(self) -> str:
        return _reason_text(self.code)

    def as_dict(self) -> dict:
        return {**asdict(self), "reason": self.reason}

    def describe_params(self) -> dict:
        """The parameters of `BREAK_MESSAGE` but its reason (``REASONS[self.code]``)."""
        return {"chain": self.chain_key, "id": self.event_id if self.event_id is not None else "—",
                "seq": self.sequence}  # fmt: skip

    def describe(self) -> str:
        return _(BREAK_MESSAGE) % {**self.describe_params(), "reason": self.reason}


def _verify_chain(key: str, *, batch_size: int, on_progress: ProgressCallback | None) -> tuple[int, ChainBreak | None]:
    """(events read, first break or None) for chain `key`."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    last_id = None
    checked = unreported = 0
    found: ChainBreak | None = None
    events = AuditEvent.objects.filter(chain_key=key).order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        checked += 1
        unreported += 1
        if on_progress is not None and unreported >= PROGRESS_EVERY:
            on_progress(unreported)
            unreported = 0
        if event.sequence != expected_sequence:
            found = ChainBreak(key, event.pk, expected_sequence, SEQUENCE_GAP)
            break
        if event.prev_hash != expected_prev:
            found = ChainBreak(key, event.pk, event.sequence, LINK_BROKEN)
            break
        if event_hash(event) != event.hash:
            found = ChainBreak(key, event.pk, event.sequence, HASH_MISMATCH)
            break
        expected_prev = event.hash
        expected_sequence += 1
        last_id = event.pk
    if on_progress is not None and unreported:
        on_progress(unreported)
    if found is not None:
        return checked, found
    # The events agree with each other; the head row says how long the chain was when last
    # appended to, which is what reveals trailing events removed (or a forged one appended).
    head = AuditChain.objects.filter(key=key).first()
    if head is not None and (head.length != expected_sequence - 1 or (head.length and head.last_hash != expected_prev)):
        return checked, ChainBreak(key, last_id, expected_sequence, HEAD_MISMATCH)
    return checked, None


def verify_chain(key: str, *, batch_size: int = 2000) -> ChainBreak | None:
    """The first broken event of chain `key`, or None when every link and hash holds."""
    return _verify_chain(key, batch_size=batch_size, on_progress=None)[1]


def chain_keys() -> list[str]:
    """Every chain known from its head row or from its events (a head may be missing after tampering)."""
    keys = set(AuditChain.objects.values_list("key", flat=True)) | set(
        AuditEvent.objects.order_by().values_list("chain_key", flat=True).distinct()
    )
    return sorted(keys)


def verify_all(*, on_progress: ProgressCallback | None = None) -> tuple[int, list[ChainBreak]]:
    """(events checked, first break of each broken chain).

    A chain stops being read at its first break, so "checked" can be less than the number of
    stored events. `on_progress(n)` is told about every `n` events read, for progress bars.
    """
    checked_total = 0
    breaks: list[ChainBreak] = []
    for key in chain_keys():
        checked, found = _verify_chain(key, batch_size=2000, on_progress=on_progress)
        checked_total += checked
        if found is not None:
            breaks.append(found)
    return checked_total, breaks
