"""Registry races on PostgreSQL, through the concurrency harness: real connections started together."""

import pytest
from django.core.exceptions import ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.core.testing.concurrency import outcome_codes, requires_postgresql, run_together
from ansinh.registry.choices import ImportStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import Household, ImportBatch, Member
from ansinh.registry.services import HouseholdData, household_register, household_update
from ansinh.registry.services_import import import_batch_create

from .data.import_files import csv_bytes, upload
from .factories import head, make_household, member

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

CCCD = "038075001234"  # a valid number for a man born in 1975 in Thanh Hóa


def test_the_same_cccd_registered_twice_at_once_exactly_one_succeeds(units, users):
    def register(code):
        return lambda: household_register(
            actor=users.commune_officer, commune=units.tho_xuan,
            data=HouseholdData(code=code, village=units.t1), members=[head(id_number=CCCD), member()],
        )  # fmt: skip

    outcomes = run_together(register("H100"), register("H200"))
    assert outcome_codes(outcomes) == ["id_duplicate", "ok"]
    assert Member.objects.filter(id_number=CCCD).count() == 1
    assert Household.objects.count() == 1  # the refused household left nothing behind
    assert AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_REGISTERED).count() == 1


def test_the_same_household_code_registered_twice_at_once_exactly_one_succeeds(units, users):
    def register():
        return household_register(
            actor=users.commune_officer, commune=units.tho_xuan,
            data=HouseholdData(code="H300", village=units.t1), members=[head(), member()],
        )  # fmt: skip

    outcomes = run_together(register, register)
    assert [o.ok for o in outcomes].count(True) == 1
    refused = next(o for o in outcomes if not o.ok)
    # Either the service saw the first household or the database's unique constraint stopped the second.
    assert isinstance(refused.error, ApplicationError | ValidationError) or "unique" in str(refused.error).lower()
    assert Household.objects.filter(code="H300").count() == 1
    assert Member.objects.count() == 2


def test_concurrent_edits_with_the_same_version_the_second_is_told_nothing_is_lost(units, users):
    household = make_household(units.tho_xuan, village=units.t1, actor=users.commune_officer)
    version = household.version

    def edit(note):
        return lambda: household_update(
            actor=users.commune_officer, household=Household.objects.get(pk=household.pk), expected_version=version,
            data=HouseholdData(code=household.code, village=units.t1, facts={"notes": note}),
        )  # fmt: skip

    outcomes = run_together(edit("ghi chú A"), edit("ghi chú B"))
    assert outcome_codes(outcomes) == ["ok", "stale_version"]
    winner = next(o for o in outcomes if o.ok)
    loser = next(o for o in outcomes if not o.ok)
    assert "vừa được người khác sửa" in loser.error.message
    assert loser.error.details == {"current_version": version + 1}
    household.refresh_from_db()
    assert household.version == version + 1
    assert household.notes == winner.value.notes  # the accepted edit is stored whole
    assert AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_UPDATED).count() == 1


def test_two_imports_of_the_same_file_at_once_create_no_duplicate_households(units, users):
    data = csv_bytes()

    def run():
        return import_batch_create(
            actor=users.commune_officer, commune=units.tho_xuan, file=upload(data), mode="create", dry_run=False
        )

    outcomes = run_together(run, run)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert sorted(Household.objects.values_list("code", flat=True)) == ["H01", "H02"]
    assert Member.objects.count() == 4
    batches = list(ImportBatch.objects.all())
    # One batch wrote both households; the other wrote none of them (refused as taken, or failed whole).
    written = [b for b in batches if (b.counts or {}).get("created")]
    assert len(written) == 1, [(b.status, b.counts, b.message) for b in batches]
    assert written[0].status == ImportStatus.COMMITTED


def test_an_import_and_a_form_registering_the_same_cccd_at_once_exactly_one_holds_it(units, users, monkeypatch):
    """The import locks its chunk's numbers as a form registration locks its own (`core.db.lock_values`).

    Each side, right after its check of the number, waits (up to 2 s) for the other to have checked
    too: without the lock both checks would see nothing and both would write the number.
    """
    import threading

    from ansinh.registry import services, services_import

    data = csv_bytes()  # H01's head holds CCCD
    checked = {"import": threading.Event(), "form": threading.Event()}

    def after_check(real, mine, other):
        def wrapped(*args, **kwargs):
            result = real(*args, **kwargs)
            checked[mine].set()
            checked[other].wait(2)
            return result

        return wrapped

    monkeypatch.setattr(services_import, "identity_holders",
                        after_check(services_import.identity_holders, "import", "form"))  # fmt: skip
    monkeypatch.setattr(services, "identity_conflicts", after_check(services.identity_conflicts, "form", "import"))

    def by_import():
        batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(data),
                                    mode="create", dry_run=False)  # fmt: skip
        batch.refresh_from_db()
        if (batch.counts or {}).get("invalid"):
            raise ApplicationError("H01 refused", code="id_duplicate")
        return batch

    def by_form():
        return household_register(
            actor=users.commune_officer, commune=units.tho_xuan,
            data=HouseholdData(code="F100", village=units.t1), members=[head(id_number=CCCD), member()],
        )  # fmt: skip

    outcomes = run_together(by_import, by_form)
    assert sorted(outcome_codes(outcomes)) == ["id_duplicate", "ok"], [o.error for o in outcomes]
    assert Member.objects.filter(id_number=CCCD).count() == 1
