"""`audit_verify` and the verification job find every kind of tampering."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation

from ansinh.audit import verification
from ansinh.audit.models import AuditEvent
from ansinh.audit.services import event_hash
from ansinh.audit.tests.helpers import record, triggers_bypassed
from ansinh.jobs.models import JobStatus


@pytest.fixture
def chain(units, users):
    """Four events in Thanh Hóa and one in Đắk Lắk (an untouched second chain)."""
    events = [
        record(unit=units.t1, actor=users.commune_officer, changes={"old": {"n": i}, "new": {"n": i + 1}})
        for i in range(4)
    ]
    record(unit=units.b1)
    return events


def stored():
    """(events, chains) in the database; the fixtures' own role assignments wrote some already."""
    return AuditEvent.objects.count(), len(verification.chain_keys())


def run(*args):
    """(exit code, stdout) of the command."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def run_json():
    code, out = run("--json")
    return code, json.loads(out)


def test_intact_chains_pass(chain):
    events, chains = stored()
    assert events > 5
    code, out = run()
    assert code == 0
    assert f"Đã kiểm tra {events} sự kiện trong {chains} chuỗi." in out
    assert "Nhật ký toàn vẹn." in out


def test_json_output_of_intact_chains(chain):
    events, chains = stored()
    code, payload = run_json()
    assert code == 0
    assert payload == {"intact": True, "checked": events, "chains": chains, "breaks": []}


def test_empty_log_is_intact(db):
    assert run_json() == (0, {"intact": True, "checked": 0, "chains": 0, "breaks": []})


def test_edited_event_is_detected(chain):
    victim = chain[1]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=victim.pk).update(changes={"old": {"n": 1}, "new": {"n": 999}})
    code, out = run()
    assert code == 1
    assert f"#{victim.pk}" in out
    assert "2025:38" in out
    assert f"số thứ tự {victim.sequence})" in out
    assert "đã bị sửa" in out

    code, payload = run_json()
    assert code == 1
    assert payload["intact"] is False
    assert payload["breaks"] == [
        {
            "chain_key": "2025:38",
            "event_id": victim.pk,
            "sequence": victim.sequence,
            "code": verification.HASH_MISMATCH,
            "reason": "nội dung không khớp với mã băm đã lưu (đã bị sửa)",
        }
    ]


def test_edited_event_with_recomputed_hash_breaks_the_next_link(chain):
    # A careful forger recomputes the edited event's hash; the next event still points at the old one.
    victim = AuditEvent.objects.get(pk=chain[1].pk)
    victim.target_repr = "giả mạo"
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=victim.pk).update(target_repr="giả mạo", hash=event_hash(victim))
    _code, payload = run_json()
    assert [(b["event_id"], b["code"]) for b in payload["breaks"]] == [(chain[2].pk, verification.LINK_BROKEN)]


def test_deleted_event_in_the_middle_is_detected(chain):
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=chain[1].pk).delete()
    code, payload = run_json()
    assert code == 1
    (found,) = payload["breaks"]
    # The first event after the gap is named, with the sequence number that is missing.
    assert (found["event_id"], found["sequence"], found["code"]) == (
        chain[2].pk,
        chain[1].sequence,
        verification.SEQUENCE_GAP,
    )


def test_deleted_last_event_is_detected_by_the_chain_head(chain):
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=chain[3].pk).delete()
    code, payload = run_json()
    assert code == 1
    (found,) = payload["breaks"]
    assert (found["event_id"], found["code"]) == (chain[2].pk, verification.HEAD_MISMATCH)


def test_reordered_events_are_detected(chain):
    a, b = chain[1], chain[2]
    with triggers_bypassed():
        # Swap the two sequence numbers (through a free one: (chain, sequence) is unique).
        AuditEvent.objects.filter(pk=a.pk).update(sequence=-1)
        AuditEvent.objects.filter(pk=b.pk).update(sequence=a.sequence)
        AuditEvent.objects.filter(pk=a.pk).update(sequence=b.sequence)
    code, payload = run_json()
    assert code == 1
    (found,) = payload["breaks"]
    assert (found["event_id"], found["sequence"], found["code"]) == (b.pk, a.sequence, verification.LINK_BROKEN)


def test_forged_event_with_a_made_up_hash_is_detected(chain):
    forged = AuditEvent(
        chain_key="2025:38",
        sequence=chain[3].sequence + 1,
        occurred_at=chain[3].occurred_at,
        actor_label="commune_officer",
        event_type=chain[3].event_type,
        unit_path=chain[3].unit_path,
        target_repr="hộ giả",
        prev_hash=chain[3].hash,
        hash="f" * 64,
    )
    forged.save(force_insert=True)  # inserting needs no bypass: the triggers guard UPDATE and DELETE
    _code, payload = run_json()
    assert [(b["event_id"], b["code"]) for b in payload["breaks"]] == [(forged.pk, verification.HASH_MISMATCH)]


def test_forged_event_with_a_correct_hash_is_caught_by_the_chain_head(chain):
    forged = AuditEvent(
        chain_key="2025:38",
        sequence=chain[3].sequence + 1,
        occurred_at=chain[3].occurred_at,
        actor_label="commune_officer",
        event_type=chain[3].event_type,
        unit_path=chain[3].unit_path,
        target_repr="hộ giả",
        prev_hash=chain[3].hash,
    )
    forged.hash = event_hash(forged)
    forged.save(force_insert=True)
    code, payload = run_json()
    assert code == 1
    assert [(b["event_id"], b["sequence"], b["code"]) for b in payload["breaks"]] == [
        (forged.pk, forged.sequence + 1, verification.HEAD_MISMATCH)
    ]


def test_each_broken_chain_is_named_once(chain, units):
    dl_second = record(unit=units.mdrak)
    with triggers_bypassed():
        AuditEvent.objects.filter(pk__in=[chain[0].pk, chain[2].pk, dl_second.pk]).update(sequence=F("sequence") + 100)
    _code, payload = run_json()
    assert [(b["chain_key"], b["event_id"]) for b in payload["breaks"]] == [
        ("2025:38", chain[1].pk),
        ("2025:66", dl_second.pk),
    ]


def test_progress_callback_counts_every_event(db, monkeypatch):
    monkeypatch.setattr(verification, "PROGRESS_EVERY", 2)
    for _ in range(5):
        record(unit="/2025/01/")
    reported = []
    checked, breaks = verification.verify_all(on_progress=reported.append)
    assert (checked, breaks) == (5, [])
    assert reported == [2, 2, 1]


def test_verification_job_reports_progress_and_result(chain, users, django_capture_on_commit_callbacks):
    from ansinh.audit.jobs import audit_verify_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        job = audit_verify_enqueue(actor=users.auditor)
    job.refresh_from_db()
    events, chains = stored()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (events, events, 100)
    assert job.result["intact"] is True
    assert job.result["checked"] == events
    assert job.result["summary"] == f"Đã kiểm tra {events} sự kiện trong {chains} chuỗi: toàn vẹn."
    # The label and summary are entries too: an English reader reads them in English.
    with translation.override("en"):
        assert job.label_text() == "Verify audit log integrity"
        assert job.summary_text().startswith(f"Checked {events} ")


def test_verification_job_names_the_broken_event(chain, users, django_capture_on_commit_callbacks):
    from ansinh.audit.jobs import audit_verify_enqueue

    with triggers_bypassed():
        AuditEvent.objects.filter(pk=chain[0].pk).update(actor_label="người khác")
    with django_capture_on_commit_callbacks(execute=True):
        job = audit_verify_enqueue(actor=users.system_admin)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED  # the check ran; what it found is in the result
    assert job.result["intact"] is False
    assert job.result["breaks"][0]["event_id"] == chain[0].pk
    assert any(f"#{chain[0].pk}" in text for text in job.message_texts())
    # Stored as source strings (the reason too): an English reader reads it in English.
    with translation.override("en"):
        assert any(text.startswith("Chain ") and f"event #{chain[0].pk}" in text for text in job.message_texts())


def test_verification_job_is_refused_below_national_scope(users):
    from django.core.exceptions import PermissionDenied

    from ansinh.audit.jobs import audit_verify_enqueue
    from ansinh.jobs.models import Job

    with pytest.raises(PermissionDenied):
        audit_verify_enqueue(actor=users.province_officer)
    assert not Job.objects.exists()
