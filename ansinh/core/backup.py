"""Whole-database backup and restore: one consistent snapshot, one file, checked end to end (docs/backup.md).

The file is a zip archive holding ``manifest.json`` and one ``tables/<table>.jsonl`` member per table.
Each line of a member is one row: a JSON array of the column values in the order the manifest lists
the columns, rows ordered by primary key. Values are read through the ORM (so each field's database
converters and ``from_db_value`` have run: booleans are booleans on SQLite too, JSON is decoded,
datetimes are aware) and written with a typed encoder chosen by the field; on restore they are
decoded to the same Python values and prepared by ``field.get_db_prep_save`` for the target
connection. Values therefore round-trip exactly, and a SQLite backup restores into PostgreSQL.

The manifest records the format, the time, the engine, the applied migrations, and per table the
columns, the row count, the SHA-256 of the member's bytes and the last id handed out; its own
``checksum`` is the SHA-256 of the rest of the manifest, so it covers every table checksum too.
Integrity against corruption and careless edits, not against a forger: anyone can recompute it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "ansinh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLE_DIR = "tables/"

# Rows per fetch on read and per INSERT batch on write: memory stays flat whatever the table size.
CHUNK_SIZE = 2000

# Tables that `migrate` itself fills (post_migrate signals and data migrations). A freshly migrated
# database is not empty, so restore replaces these rows with the backup's instead of refusing; any
# row in any other table makes restore refuse. A new data migration that inserts rows adds its
# model here (ansinh/core/tests/test_backup.py checks the list against a freshly migrated database).
MIGRATE_SEEDED = ("contenttypes.ContentType", "auth.Permission", "registry.Ethnicity")

# Tables of the database that are not data of any model. django_migrations is not copied: restore
# compares it with the backup's list instead (the target must be migrated to exactly that state).
NOT_COPIED = ("django_migrations",)

ProgressCallback = Callable[[str, int], None]


class BackupError(Exception):
    """Backup or restore refused; `message` is translated text for the operator. Nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class TableInfo:
    name: str
    model: str
    columns: list[str]
    rows: int = 0
    sha256: str = ""
    last_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "columns": self.columns,
            "rows": self.rows,
            "sha256": self.sha256,
            "last_id": self.last_id,
        }


# --- Which tables ---------------------------------------------------------------------------------


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """Every concrete model with its own table in database `using` (auto-created many-to-many tables
    included), in dependency order where there is one (referenced tables first).

    Unmanaged models (``managed = False``: views or tables `migrate` does not create) are left out;
    the project has none.
    """
    seen: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen or not router.allow_migrate_model(using, model):
            continue
        seen[meta.db_table] = model
    return _dependency_order(sorted(seen.values(), key=lambda m: m._meta.db_table))


def _dependency_order(candidates: list[type[models.Model]]) -> list[type[models.Model]]:
    # Constraints are deferred during restore anyway; this order only makes the file readable
    # and lets engines that check immediately succeed for acyclic schemas.
    tables = {m._meta.db_table for m in candidates}
    deps = {
        m._meta.db_table: {
            f.related_model._meta.db_table
            for f in m._meta.concrete_fields
            if f.is_relation and f.related_model is not None and f.related_model._meta.db_table in tables
        }
        - {m._meta.db_table}
        for m in candidates
    }
    by_table = {m._meta.db_table: m for m in candidates}
    ordered: list[type[models.Model]] = []
    done: set[str] = set()
    while len(done) < len(by_table):
        ready = [t for t in by_table if t not in done and deps[t] <= done]
        if not ready:  # a cycle: take the first remaining table, its constraints are deferred
            ready = [next(t for t in by_table if t not in done)]
        for table in ready:
            done.add(table)
            ordered.append(by_table[table])
    return ordered


def _internal(table: str) -> bool:
    """The engine's own tables (SQLite's statistics from ANALYZE), rebuilt by the engine itself."""
    return table.startswith("sqlite_")


def _existing_tables(using: str) -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


# --- Typed values ---------------------------------------------------------------------------------


def _value_field(f: models.Field) -> models.Field:
    """The field that decides how a column's value looks (a foreign key's is its target's)."""
    while f.is_relation and getattr(f, "target_field", None) is not None:
        f = f.target_field
    return f


def _encoder(f: models.Field) -> Callable[[Any], Any]:
    kind = _value_field(f).get_internal_type()
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return lambda v: None if v is None else v.isoformat()
    if kind == "DecimalField":
        return lambda v: None if v is None else str(v)
    if kind == "DurationField":
        return lambda v: None if v is None else (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
    if kind == "UUIDField":
        return lambda v: None if v is None else str(v)
    if kind == "BinaryField":
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    return lambda v: v  # JSON-native: text, numbers, booleans, JSON documents, file names


def _decoder(f: models.Field) -> Callable[[Any], Any]:
    kind = _value_field(f).get_internal_type()
    decode: Callable[[Any], Any]
    if kind == "DateTimeField":
        decode = dt.datetime.fromisoformat
    elif kind == "DateField":
        decode = dt.date.fromisoformat
    elif kind == "TimeField":
        decode = dt.time.fromisoformat
    elif kind == "DecimalField":
        decode = Decimal
    elif kind == "DurationField":
        decode = lambda v: dt.timedelta(microseconds=v)  # noqa: E731
    elif kind == "UUIDField":
        decode = uuid.UUID
    elif kind == "BinaryField":
        decode = base64.b64decode
    else:
        return lambda v: v
    return lambda v: None if v is None else decode(v)


# Django's own field classes whose stored value is the decoded JSON value itself (text, integers,
# booleans: the drivers adapt those); restore skips `get_db_prep_save` for them, which otherwise
# costs most of the restore time. Subclasses (custom fields) are not listed and always go through it.
_STORED_AS_IS = (
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
)


def _preparer(f: models.Field, connection) -> Callable[[Any], Any]:
    if type(_value_field(f)) in _STORED_AS_IS:
        return lambda v: v
    return lambda v: f.get_db_prep_save(v, connection)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Snapshot transaction and sequences -----------------------------------------------------------


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One read-only transaction that sees a single consistent state of the whole database."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("Không thể sao lưu bên trong một giao dịch đang mở."))
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # The project opens SQLite transactions IMMEDIATE (a write lock); a backup only reads, so
        # it begins DEFERRED: its first SELECT fixes the snapshot and, under WAL, writers go on.
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic(using=using):
                yield
                transaction.set_rollback(True, using=using)
        finally:
            connection.transaction_mode = mode
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                # Must be the transaction's first statement; every later read sees the same snapshot.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:  # pragma: no cover - only the two supported databases
        raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(vendor)s.") % {"vendor": connection.vendor})


def _has_sequence(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _last_id(using: str, model: type[models.Model]) -> int | None:
    """The last id the table's sequence handed out (ids of deleted rows are never reused)."""
    if not _has_sequence(model):
        return None
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column])
        sequence = cursor.fetchone()[0]
        if sequence is None:
            return None
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - name from the catalogue
        last_value, is_called = cursor.fetchone()
        return int(last_value) if is_called else int(last_value) - 1


def _applied_migrations(using: str) -> list[list[str]]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        # Sorted here, not by the database: PostgreSQL's collation orders "_" differently from SQLite.
        return sorted([app, name] for app, name in cursor.fetchall())


# --- Backup ---------------------------------------------------------------------------------------


def _rows(model: type[models.Model], using: str) -> Iterator[list[Any]]:
    fields = model._meta.concrete_fields
    encoders = [_encoder(f) for f in fields]
    query = model._base_manager.using(using).order_by("pk").values_list(*[f.attname for f in fields])
    # iterator(): a server-side cursor on PostgreSQL, fetchmany() on SQLite; never a whole table.
    for values in query.iterator(chunk_size=CHUNK_SIZE):
        yield [encode(v) for encode, v in zip(encoders, values, strict=True)]


def backup(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS, on_table: ProgressCallback | None = None) -> dict:
    """Write a snapshot of every table of database `using` to `path`; returns the manifest.

    The file appears only when complete (written beside it, then renamed); an existing file is
    replaced. Refuses inside an open transaction (the snapshot must be its own).
    """
    path = Path(path)
    connection = connections[using]
    started = timezone.now()
    partial = path.with_name(path.name + ".partial")
    tables: list[TableInfo] = []
    with _snapshot(using):
        existing = _existing_tables(using)
        candidates = backed_up_models(using)
        missing = [m._meta.db_table for m in candidates if m._meta.db_table not in existing]
        if missing:
            raise BackupError(
                _("Cơ sở dữ liệu chưa được migrate đầy đủ: thiếu bảng %(tables)s.") % {"tables": ", ".join(missing)}
            )
        skipped = sorted(
            t for t in existing - {m._meta.db_table for m in candidates} - set(NOT_COPIED) if not _internal(t)
        )
        migrations = _applied_migrations(using)
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                for model in candidates:
                    info = TableInfo(
                        name=model._meta.db_table,
                        model=model._meta.label,
                        columns=[f.column for f in model._meta.concrete_fields],
                    )
                    digest = hashlib.sha256()
                    with archive.open(TABLE_DIR + info.name + ".jsonl", "w", force_zip64=True) as member:
                        for row in _rows(model, using):
                            line = (_dumps(row) + "\n").encode("utf-8")
                            digest.update(line)
                            member.write(line)
                            info.rows += 1
                    info.sha256 = digest.hexdigest()
                    info.last_id = _last_id(using, model)
                    tables.append(info)
                    if on_table is not None:
                        on_table(info.name, info.rows)
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": started.astimezone(dt.UTC).isoformat(),
                    "engine": connection.vendor,
                    "migrations": migrations,
                    "not_copied": list(NOT_COPIED),
                    "skipped_tables": skipped,
                    "tables": [t.as_dict() for t in tables],
                }
                manifest["checksum"] = _manifest_checksum(manifest)
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)
    return manifest


# --- Reading and checking a file ------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of an open backup, its own checksum verified; BackupError when it is not one."""
    not_a_backup = _("Tệp này không phải là bản sao lưu của ansinh.")
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BackupError(not_a_backup) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(not_a_backup)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("Bản sao lưu có định dạng phiên bản %(found)s; phiên bản này chỉ đọc được phiên bản %(known)s.")
            % {"found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    if manifest.get("checksum") != _manifest_checksum(manifest):
        raise BackupError(_("Mã kiểm tra của bản sao lưu không khớp: tệp đã bị hỏng hoặc bị sửa."))
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(_("Tệp này không phải là bản sao lưu của ansinh.")) from error


def _table_lines(archive: zipfile.ZipFile, table: dict[str, Any]) -> Iterator[bytes]:
    """The member's lines; BackupError when its count or SHA-256 disagrees with the manifest.

    The check happens after the last line, so a caller writing as it reads must be in a
    transaction it can roll back (restore is).
    """
    digest = hashlib.sha256()
    count = 0
    try:
        with archive.open(TABLE_DIR + table["name"] + ".jsonl") as member:
            for line in member:
                digest.update(line)
                count += 1
                yield line
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as error:  # missing member, CRC error, truncation
        raise _table_damaged(table["name"]) from error
    if count != table["rows"] or digest.hexdigest() != table["sha256"]:
        raise _table_damaged(table["name"])


def _table_damaged(name: str) -> BackupError:
    return BackupError(
        _("Mã kiểm tra của bảng %(table)s không khớp: bản sao lưu đã bị hỏng hoặc bị sửa.") % {"table": name}
    )


def verify_file(path: str | os.PathLike) -> dict[str, Any]:
    """Check a backup file without touching any database: the manifest checksum and every table's
    row count and SHA-256. Returns the manifest; raises BackupError at the first problem."""
    with _open(Path(path)) as archive:
        manifest = read_manifest(archive)
        for table in manifest["tables"]:
            for _line in _table_lines(archive, table):
                pass
    return manifest


# --- Restore --------------------------------------------------------------------------------------


def _non_empty_tables(using: str, models_: list[type[models.Model]]) -> list[str]:
    connection = connections[using]
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"SELECT 1 FROM {quote(model._meta.db_table)} LIMIT 1")  # noqa: S608 - model's own name
            if cursor.fetchone() is not None:
                found.append(model._meta.db_table)
    return found


def _check_target(manifest: dict[str, Any], using: str) -> list[type[models.Model]]:
    """The target's models in restore order; BackupError when the target cannot take this backup."""
    if sorted(map(list, manifest["migrations"])) != _applied_migrations(using):
        raise BackupError(
            _(
                "Các migration đã áp dụng trên cơ sở dữ liệu đích khác với bản sao lưu. "
                "Hãy dùng cơ sở dữ liệu mới, chạy `migrate` với đúng phiên bản mã nguồn của bản sao lưu rồi thử lại."
            )
        )
    models_ = backed_up_models(using)
    existing = _existing_tables(using)
    by_table = {m._meta.db_table: m for m in models_}
    in_file = {t["name"]: t for t in manifest["tables"]}
    if set(in_file) != set(by_table) or not set(by_table) <= existing:
        raise BackupError(
            _("Danh sách bảng của bản sao lưu khác với cơ sở dữ liệu đích: %(tables)s.")
            % {"tables": ", ".join(sorted(set(in_file) ^ set(by_table) | set(by_table) - existing))}
        )
    for name, table in in_file.items():
        if table["columns"] != [f.column for f in by_table[name]._meta.concrete_fields]:
            raise BackupError(
                _("Các cột của bảng %(table)s trong bản sao lưu khác với cơ sở dữ liệu đích.") % {"table": name}
            )
    seeded = {apps.get_model(label)._meta.db_table for label in MIGRATE_SEEDED if _model_exists(label)}
    occupied = [t for t in _non_empty_tables(using, models_) if t not in seeded]
    if occupied:
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích không trống (có dữ liệu trong %(tables)s). "
                "Chỉ khôi phục vào một cơ sở dữ liệu vừa được migrate."
            )
            % {"tables": ", ".join(occupied[:5]) + ("…" if len(occupied) > 5 else "")}
        )
    return models_


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _insert(using: str, model: type[models.Model], lines: Iterator[bytes]) -> int:
    connection = connections[using]
    fields = model._meta.concrete_fields
    decoders = [_decoder(f) for f in fields]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)

    preparers = [_preparer(f, connection) for f in fields]

    def prepared() -> Iterator[list[Any]]:
        for line in lines:
            values = json.loads(line)
            yield [prepare(decode(v)) for prepare, decode, v in zip(preparers, decoders, values, strict=True)]

    count = 0
    with connection.cursor() as cursor:
        if _can_copy(connection):
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's own names
        chunk: list[list[Any]] = []
        for row in prepared():
            chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _can_copy(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _reset_sequences(using: str, models_: list[type[models.Model]], last_ids: dict[str, int | None]) -> None:
    """Next ids continue after max(id) and after the source's last handed-out id, whichever is later."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)
        for model in models_:
            last = last_ids.get(model._meta.db_table)
            if not last or not _has_sequence(model):
                continue
            table, column = model._meta.db_table, model._meta.pk.column
            if connection.vendor == "postgresql":
                # sequence_reset_sql has set the sequence to max(id); raise it if the source had gone further.
                quote = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608 - model's own names
                if last > (cursor.fetchone()[0] or 0):
                    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [quote(table), column, last])
            else:
                # Explicit ids already raised sqlite_sequence to max(id); never lower it.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                if row is None:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
                elif row[0] < last:
                    cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])


def restore(
    path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS, on_table: ProgressCallback | None = None
) -> dict:
    """Load a backup into database `using`; returns the manifest.

    Refuses (BackupError, nothing written) when the file is not a backup, its manifest or any
    table fails its checksum, the target's applied migrations or tables differ from the backup's,
    or any table of the target holds rows other than those `migrate` creates (MIGRATE_SEEDED,
    which are replaced). Everything is written in one transaction with constraints checked at
    the end; sequences are reset and every table's row count is checked before it commits.
    """
    path = Path(path)
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("Không thể khôi phục bên trong một giao dịch đang mở."))
    manifest = verify_file(path)  # every checksum, before anything touches the database
    _check_target(manifest, using)
    tables = {t["name"]: t for t in manifest["tables"]}
    with _open(path) as archive, transaction.atomic(using=using):
        models_ = _check_target(manifest, using)  # again, now inside the writing transaction
        seeded = [apps.get_model(label) for label in MIGRATE_SEEDED if _model_exists(label)]
        with connection.cursor() as cursor:
            # Constraints are deferred (Django creates foreign keys DEFERRABLE INITIALLY DEFERRED),
            # so the order of deletes and inserts does not matter until the check at the end.
            for model in reversed(_dependency_order(seeded)):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        for model in models_:
            table = tables[model._meta.db_table]
            written = _insert(using, model, _table_lines(archive, table))
            if written != table["rows"]:  # pragma: no cover - _table_lines already checked the count
                raise _table_damaged(table["name"])
            if on_table is not None:
                on_table(table["name"], written)
        _reset_sequences(using, models_, {name: t.get("last_id") for name, t in tables.items()})
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in models_:
                cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")  # noqa: S608
                if cursor.fetchone()[0] != tables[model._meta.db_table]["rows"]:
                    raise BackupError(
                        _("Số dòng của bảng %(table)s sau khi khôi phục không khớp với bản sao lưu.")
                        % {"table": model._meta.db_table}
                    )
        connection.check_constraints()
    return manifest
