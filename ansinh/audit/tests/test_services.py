import pytest
from django.db import transaction

from ansinh.audit.events import AuditEventType
from ansinh.audit.models import AuditChain, AuditEvent
from ansinh.audit.services import GENESIS_HASH, NATIONAL_CHAIN, audit_record, event_hash
from ansinh.audit.tests.helpers import record


def test_events_of_two_provinces_go_to_two_chains(units):
    th = record(unit=units.t1)
    dl = record(unit=units.b1)
    th2 = record(unit=units.hac_thanh)
    assert th.chain_key == th2.chain_key == "2025:38"
    assert dl.chain_key == "2025:66"
    # Each province numbers its own events: the Đắk Lắk event did not take a Thanh Hóa number.
    assert th2.sequence == th.sequence + 1
    assert th2.prev_hash == th.hash
    assert dl.prev_hash != th.hash
    heads = dict(AuditChain.objects.values_list("key", "last_event_id"))
    assert (heads["2025:38"], heads["2025:66"]) == (th2.pk, dl.pk)


def test_first_event_of_a_chain_links_to_the_genesis_hash(db):
    with transaction.atomic():
        event = audit_record(actor=None, event_type=AuditEventType.EXPORT_DOWNLOADED, unit_path="/2025/01/")
    assert (event.chain_key, event.sequence, event.prev_hash) == ("2025:01", 1, GENESIS_HASH)


def test_event_without_area_goes_to_the_national_chain(db):
    with transaction.atomic():
        event = audit_record(actor=None, event_type=AuditEventType.EXPORT_DOWNLOADED)
    assert event.chain_key == NATIONAL_CHAIN
    assert event.unit_path == ""
    assert event.actor_label == "system"


def test_sequence_and_prev_hash_link_each_event_to_the_one_before(units, users):
    # The fixtures' role assignments already wrote events into this chain; continue from its head.
    head_before = AuditChain.objects.filter(key="2025:38").first()
    length_before = head_before.length if head_before else 0
    first = record(unit=units.t1, actor=users.commune_officer, changes={"old": {"a": 1}, "new": {"a": 2}})
    second = record(unit=units.t2)
    third = record(unit=units.tho_xuan)
    assert first.prev_hash == (head_before.last_hash if head_before else GENESIS_HASH)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.sequence, second.sequence, third.sequence] == [length_before + i for i in (1, 2, 3)]
    stored = AuditEvent.objects.get(pk=first.pk)
    assert event_hash(stored) == stored.hash  # the hash survives the round trip through the database
    head = AuditChain.objects.get(key="2025:38")
    assert (head.length, head.last_hash, head.last_event_id) == (length_before + 3, third.hash, third.pk)


def test_actor_target_and_changes_are_recorded(units, users):
    event = record(unit=units.t1, actor=users.commune_officer, changes={"new": {"name": "Thôn 1"}})
    assert event.actor == users.commune_officer
    assert event.actor_label == "commune_officer"
    assert (event.target_type, event.target_id) == ("geo.adminunit", str(units.t1.pk))
    assert event.changes == {"new": {"name": "Thôn 1"}}


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_outside_a_transaction():
    # An event written in autocommit could survive the rollback of the change it records.
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        audit_record(actor=None, event_type=AuditEventType.EXPORT_DOWNLOADED, unit_path="/2025/38/")
    assert not AuditEvent.objects.exists()


def test_audit_record_many_extends_each_chain_as_single_calls_would(units, users):
    from ansinh.audit.services import PendingEvent, audit_record_many
    from ansinh.audit.verification import verify_all

    record(unit=units.t1)  # the Thanh Hóa chain already has events
    pending = [
        PendingEvent(AuditEventType.EXPORT_DOWNLOADED, target=units.t1, unit_path=units.t1.path, changes={"n": 1}),
        PendingEvent(AuditEventType.EXPORT_DOWNLOADED, target=units.b1, unit_path=units.b1.path),
        PendingEvent(AuditEventType.EXPORT_DOWNLOADED, target=units.t2, unit_path=units.t2.path, changes={"n": 2}),
    ]
    before = AuditChain.objects.get(key="2025:38").length
    with transaction.atomic():
        events = audit_record_many(actor=users.commune_officer, events=pending)
    thanh_hoa = [e for e in events if e.chain_key == "2025:38"]
    assert [e.sequence for e in thanh_hoa] == [before + 1, before + 2]
    assert thanh_hoa[1].prev_hash == thanh_hoa[0].hash
    head = AuditChain.objects.get(key="2025:38")
    assert (head.length, head.last_hash, head.last_event_id) == (before + 2, thanh_hoa[1].hash, thanh_hoa[1].pk)
    assert all(event_hash(e) == e.hash for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events]))
    record(unit=units.t1)  # a single call after a bulk one continues the chain
    assert verify_all()[1] == []


@pytest.mark.django_db(transaction=True)
def test_audit_record_many_refuses_outside_a_transaction():
    from ansinh.audit.services import PendingEvent, audit_record_many

    with pytest.raises(RuntimeError):
        audit_record_many(actor=None, events=[PendingEvent(AuditEventType.EXPORT_DOWNLOADED)])


def test_bulk_events_are_built_as_single_events_are(units, users):
    """`audit_record_many`'s `_EventMaker` (no `Model.__init__`, encoders made once) gives the event
    `_new_event` gives: every field, the hash, the cached actor, the row `insert_rows` writes."""
    import uuid
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from ansinh.audit.services import PendingEvent, _EventMaker, _new_event
    from ansinh.core.db import _row_values
    from ansinh.registry.events import RegistryEventType
    from ansinh.registry.models import Household

    unsaved = Household(code="H-mới", commune=units.tho_xuan, head_name="Lê Thị Ánh")
    changes = [
        None,
        {},
        {"new": {"code": "H1", "area": Decimal("45.50"), "on": date(2026, 1, 2), "id": uuid.UUID(int=7),
                 "members": ["Nguyễn Văn An", "Đặng Thị Ý"], "devices": ["tv"], "flag": True, "none": None}},
        {"old": {"at": datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)}, "new": {"n": 1.5, "z": "\x00\u2028"}},
    ]  # fmt: skip
    targets = [(None, None), (units.t1, None), (units.t1, "đã đặt"), (None, "chỉ tên"), (unsaved, None),
               (unsaved, "x" * 300), (users.commune_officer, None)]  # fmt: skip
    now = timezone.now()
    for actor in (None, AnonymousUser(), users.commune_officer):
        make = _EventMaker(actor=actor, occurred_at=now, request_id="req-1")
        for number, ((target, target_repr), change) in enumerate([(t, c) for t in targets for c in changes], start=1):
            for unit_path in ("", None, units.t1.path):
                pending = PendingEvent(RegistryEventType.HOUSEHOLD_REGISTERED, target=target,
                                       unit_path=unit_path, changes=change, target_repr=target_repr)  # fmt: skip
                key, prev = "2025:38", f"{number:064d}"
                fast = make(pending, key=key, sequence=number, prev_hash=prev)
                single = _new_event(
                    actor=actor, event_type=pending.event_type, target=target, unit_path=unit_path,
                    changes=change, target_repr=target_repr, key=key, sequence=number, prev_hash=prev,
                    occurred_at=now, request_id="req-1",
                )  # fmt: skip
                fields = AuditEvent._meta.concrete_fields
                assert {f.attname: getattr(fast, f.attname) for f in fields} == {
                    f.attname: getattr(single, f.attname) for f in fields
                }
                assert fast.hash == event_hash(fast) == event_hash(single)
                assert type(fast.event_type) is int and type(fast.changes) is type(single.changes)
                assert (fast._state.db, fast._state.adding, fast._state.fields_cache) == (
                    single._state.db, single._state.adding, single._state.fields_cache,
                )  # fmt: skip
                _fields, row = _row_values(AuditEvent, [fast, single])
                assert _jsonb_plain(row(fast)) == _jsonb_plain(row(single))


def _jsonb_plain(values):
    """psycopg's JSON wrapper compared by what it wraps."""
    return [(type(v).__name__, v.obj) if type(v).__name__ == "Jsonb" else v for v in values]
