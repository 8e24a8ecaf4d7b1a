"""`backup` and `restore`: a round trip reproduces every stored value; damaged files and occupied targets are refused.

The commands manage their own transactions, so these tests are transactional. Audit events are
append-only (a trigger refuses DELETE), so emptying the database lifts the triggers as an
operator with database access could (ansinh/audit/tests/helpers.py).
"""

import importlib
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from ansinh.audit.models import AuditEvent
from ansinh.audit.tests.helpers import record, triggers_bypassed
from ansinh.core import backup as bk
from ansinh.registry.models import Household
from ansinh.registry.tests.factories import head, make_household, member

pytestmark = pytest.mark.django_db(transaction=True)

_ethnicities = importlib.import_module("ansinh.registry.migrations.0002_load_ethnicities")


def _tables() -> list[str]:
    return [m._meta.db_table for m in bk.backed_up_models()]


def _contents() -> dict[str, list[tuple]]:
    """Every stored value of every table, as the database driver returns it, in primary-key order."""
    quote = connection.ops.quote_name
    contents = {}
    with connection.cursor() as cursor:
        for model in bk.backed_up_models():
            columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
            table = quote(model._meta.db_table)
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {quote(model._meta.pk.column)}")  # noqa: S608
            contents[model._meta.db_table] = cursor.fetchall()
    return contents


def _wipe(*, keep: tuple[str, ...] = ()) -> None:
    """Delete every row of every backed-up table but `keep`."""
    quote = connection.ops.quote_name
    tables = [quote(t) for t in reversed(_tables()) if t not in keep]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # TRUNCATE fires no row triggers
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        return
    with transaction.atomic(), triggers_bypassed(), connection.cursor() as cursor:
        for table in tables:  # foreign keys are checked at commit
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def _seeded_tables() -> tuple[str, ...]:
    return tuple(django_apps.get_model(label)._meta.db_table for label in bk.MIGRATE_SEEDED)


@pytest.fixture
def clean_database():
    # A transactional test that flushed before this one removed what data migrations loaded.
    _ethnicities.load(django_apps, None)
    yield
    # SQLite's flush deletes row by row, which the audit trigger refuses: empty the tables here.
    _wipe()


@pytest.fixture
def populated(clean_database, units, users, standards):
    """Households, members, audit events and a few rows of third-party tables with awkward types."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_tasks_db.backend import DatabaseBackend

    from ansinh.jobs.tasks import run_job

    make_household(units.tho_xuan, village=units.t1, code="H001", actor=users.commune_officer)
    make_household(
        units.tho_xuan,
        village=units.t2,
        code="H002",
        actor=users.commune_officer,
        members=[head("Hà Thị Thu", sex="female", id_number="038175000123"), member("Phạm Văn Đức", sex="male")],
        housing_area_m2=Decimal("35.50"),
    )
    make_household(units.mdrak, code="B001", actor=users.commune_officer_dl)
    record(unit=units.t1, actor=users.commune_officer, changes={"new": {"tên": "Thôn 1 — “mới”", "số": [1, 2.5, None]}})
    session = SessionStore()
    session["ghi_chú"] = "phiên thử"
    session.set_expiry(timedelta(days=1))
    session.save()
    DatabaseBackend("default", {}).enqueue(run_job, [42], {})  # a UUID primary key
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="ai_do", ip_address="2001:db8::1", user_agent="x", failures_since_start=3)


def _tamper_member(path, table: str) -> None:
    """Rewrite one table's member with one value changed, keeping the manifest as it was."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    name = f"tables/{table}.jsonl"
    members[name] = members[name].replace(b"H001", b"H009", 1)
    with zipfile.ZipFile(path, "w") as target:
        for key, data in members.items():
            target.writestr(key, data)


def _rewrite_manifest(path, change) -> None:
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as target:
        for key, data in members.items():
            target.writestr(key, data)


def test_round_trip_reproduces_every_table_and_the_audit_chain(populated, units, tmp_path):
    before = _contents()
    assert len(before["registry_household"]) == 3
    assert len(before["audit_auditevent"]) >= 4
    assert len(before["django_tasks_database_dbtaskresult"]) == 1
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))

    manifest = bk.verify_file(path)
    assert manifest["engine"] == connection.vendor
    assert {t["name"] for t in manifest["tables"]} == set(_tables())
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {k: len(v) for k, v in before.items()}
    assert ["audit", "0002_append_only_triggers"] in manifest["migrations"]

    # The target as `migrate` leaves it: seeded tables filled (here with different rows), the rest empty.
    _wipe(keep=_seeded_tables())
    ContentType.objects.create(app_label="khac", model="khac")
    call_command("restore", str(path))

    assert _contents() == before
    call_command("audit_verify")  # raises CommandError when a chain is broken
    # Sequences continue after the restored ids.
    household = make_household(units.tho_xuan, code="H100")
    assert household.pk > max(row[0] for row in before["registry_household"])


def test_restore_refuses_a_tampered_table_and_writes_nothing(populated, tmp_path):
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))
    _tamper_member(path, "registry_household")
    _wipe(keep=_seeded_tables())
    before = _contents()
    with pytest.raises(CommandError, match="registry_household"):
        call_command("restore", str(path))
    assert _contents() == before
    assert not Household.objects.exists()


def test_restore_refuses_an_edited_manifest(populated, tmp_path):
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))

    def more_rows(manifest):
        manifest["tables"][0]["rows"] += 1

    _rewrite_manifest(path, more_rows)
    _wipe(keep=_seeded_tables())
    with pytest.raises(CommandError, match="Mã kiểm tra của bản sao lưu không khớp"):
        call_command("restore", str(path))
    assert not AuditEvent.objects.exists()


def test_restore_refuses_an_occupied_database(populated, tmp_path):
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))
    before = _contents()
    with pytest.raises(CommandError, match="không trống"):
        call_command("restore", str(path))
    assert _contents() == before


def test_restore_refuses_other_migrations(populated, tmp_path):
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))

    def other_version(manifest):  # a well-formed backup made by another version of the code
        manifest["migrations"].append(["registry", "9999_from_the_future"])
        manifest["checksum"] = bk._manifest_checksum(manifest)

    _rewrite_manifest(path, other_version)
    _wipe(keep=_seeded_tables())
    with pytest.raises(CommandError, match="migration"):
        call_command("restore", str(path))
    assert not Household.objects.exists()


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_restore_refuses_files_that_are_not_backups(clean_database, tmp_path, content):
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="không phải là bản sao lưu"):
        call_command("restore", str(path))


def test_restore_refuses_a_zip_of_something_else(clean_database, tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "other"}))
    with pytest.raises(CommandError, match="không phải là bản sao lưu"):
        call_command("restore", str(path))
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("restore", str(tmp_path / "missing.zip"))


def test_restore_check_only_reads_the_file(populated, tmp_path, capsys):
    path = tmp_path / "ansinh.zip"
    call_command("backup", str(path))
    call_command("restore", str(path), "--check")
    assert "Tệp hợp lệ" in capsys.readouterr().out
    _tamper_member(path, "registry_household")
    with pytest.raises(CommandError, match="registry_household"):
        call_command("restore", str(path), "--check")


def test_backup_does_not_overwrite_without_force(clean_database, tmp_path):
    path = tmp_path / "ansinh.zip"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="--force"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"keep me"
    call_command("backup", str(path), "--force")
    assert bk.verify_file(path)["format"] == bk.FORMAT
    assert not (tmp_path / "ansinh.zip.partial").exists()


@pytest.mark.django_db  # inside the test's transaction
def test_backup_and_restore_refuse_inside_an_open_transaction(tmp_path):
    with pytest.raises(bk.BackupError):
        bk.backup(tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
    with pytest.raises(bk.BackupError):
        bk.restore(tmp_path / "x.zip")


@pytest.mark.django_db  # not transactional: sees the test database exactly as `migrate` left it
def test_migrate_fills_only_the_seeded_tables():
    filled = {table for table, rows in _contents().items() if rows}
    assert filled <= set(_seeded_tables()), sorted(filled - set(_seeded_tables()))


def test_the_snapshot_is_one_read_only_transaction(clean_database):
    with bk._snapshot("default"):
        assert connection.in_atomic_block
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                assert cursor.fetchone()[0] == "repeatable read"
                cursor.execute("SHOW transaction_read_only")
                assert cursor.fetchone()[0] == "on"
    assert not connection.in_atomic_block


def test_rows_committed_during_a_backup_are_not_in_it(clean_database, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot write from a second connection to the in-memory test database")
    from django.db import connections

    other = connections.create_connection("default")

    def write_meanwhile(table, rows):
        if table == "accounts_role":  # the first table is read; django_session is not yet
            with other.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, now())",
                    ["meanwhile", "x"],
                )

    try:
        manifest = bk.backup(tmp_path / "x.zip", on_table=write_meanwhile)
    finally:
        other.close()
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["django_session"] == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        assert cursor.fetchone()[0] == 1
