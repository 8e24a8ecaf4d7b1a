"""Importing households from a file: the batch's life (uploaded → … → committed) and the row work.

Guarantees:
- every household of the file is validated by the rules the forms use: new households by
  `import_bulk.household_prepare_fast` (`services.household_prepare`, the validation half of
  `household_register`, without its per-member overhead; a test proves them equal), existing ones
  ("update" mode) by `household_update`, `member_add` and `member_update`; an invalid household
  is reported and never half-written, and never stops the valid ones;
- the file is worked through in chunks of `CHUNK_HOUSEHOLDS` households: the registry lookups
  (existing codes, CCCDs held by living members) are one query per chunk, and the chunk's new
  households are written together by `import_bulk.household_register_many` in one transaction
  with one HOUSEHOLD_REGISTERED event each, so a crash leaves whole chunks only; existing
  households are updated one by one through the services, each in its own transaction;
- each chunk's transaction also records the job's checkpoint (`JobProgress.checkpoint`): a job
  run again after its worker was killed skips the committed chunks and ends with the result of an
  uninterrupted run (`import_batch_run` is re-entrant for every status a kill can leave);
- memory stays flat with the file's size: a CSV is decoded a block at a time (read from the disk
  as it is parsed when the command passes its path), its rows are kept in a temporary file
  (`importing.CompactRows`, their numbers as runs) and decoded only while their chunk is worked
  on, and what happened to each row is one byte plus its errors, if any, in a temporary file
  (`_Results`); the file's codes and CCCDs are compared part by part through temporary files
  (`_KeyParts`), never all in one dict; what grows is a byte a row and 4 bytes a household (8
  bytes a row more when a household's rows are scattered through the file);
- a dry run (and the check before an approval) validates the same way and writes nothing, yet
  reports what the real run would do (updates run their services and are rolled back);
- importing the same file twice changes nothing the second time: "create" reports existing codes
  as errors ("đã có"), "update" compares and writes nothing when equal (counted as skipped),
  "skip" skips existing codes;
- a batch moves only along `IMPORT_TRANSITIONS`, each move audited; one that needs approval is
  committed only after a second user with ``registry.approve_import`` approved it, never the
  uploader.

In "update" mode a blank cell leaves the stored value unchanged (officers leave unknown cells
blank; clearing data is done on the household page), members are matched by CCCD, otherwise by
name and birth year; members missing from the file are left as they are (departures are life
events, not imports); a different head is refused (change the head on the household page).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ansinh.audit.services import audit_record
from ansinh.core.db import analyze_tables, lock_values
from ansinh.core.exceptions import ApplicationError
from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import unit_province
from ansinh.jobs.texts import StoredEntry, application_error, failure_entry, job_message, lazy_entry

from . import importing
from .choices import IMPORT_TRANSITIONS, ImportMode, ImportStatus, Relation
from .events import RegistryEventType
from .identity import normalise_id_number
from .import_bulk import household_prepare_fast, household_register_many
from .import_messages import RowError, refusal_entry, row_error, row_error_text
from .importing import (
    HOUSEHOLD,
    CellError,
    CompactRows,
    Sheet,
    SpilledBlobs,
    clean_text,
    fold,
    read_cell,
    read_date,
)
from .models import Household, ImportBatch, Member, RegistrySettings, import_summary_entry
from .services import (
    MANAGE_PERM,
    HouseholdData,
    MemberData,
    PreparedHousehold,
    ethnicities_by_code,
    household_register,
    household_update,
    identity_holders,
    member_add,
    member_rules,
    member_update,
)

logger = logging.getLogger("ansinh.registry.import")

IMPORT_PERM = "registry.import_household"
APPROVE_PERM = "registry.approve_import"
IMPORT_JOB_KIND = "registry.import"
MAX_REPORTED_ERRORS = 500
# A failed pass's reason when the failure is not one of our refusals (stored with the batch, decision 0024).
FILE_SYSTEM_ERROR = gettext_noop("Lỗi hệ thống khi xử lý tệp.")

# The audit event recorded when a batch enters each status (the status change is in `changes`).
_EVENT_FOR_STATUS = {
    ImportStatus.UPLOADED: RegistryEventType.IMPORT_UPLOADED,
    ImportStatus.VALIDATING: RegistryEventType.IMPORT_VALIDATING,
    ImportStatus.VALIDATED: RegistryEventType.IMPORT_VALIDATED,
    ImportStatus.AWAITING_APPROVAL: RegistryEventType.IMPORT_SUBMITTED,
    ImportStatus.COMMITTING: RegistryEventType.IMPORT_COMMITTING,
    ImportStatus.COMMITTED: RegistryEventType.IMPORT_COMMITTED,
    ImportStatus.FAILED: RegistryEventType.IMPORT_FAILED,
    ImportStatus.CANCELLED: RegistryEventType.IMPORT_CANCELLED,
}

# Outcomes of one household.
CREATED, UPDATED, SKIPPED, INVALID = "created", "updated", "skipped", "invalid"


def _event_type(status: str) -> int:
    return _EVENT_FOR_STATUS[status]


# -- row work -----------------------------------------------------------------------------------


class _NoProgress:
    def set_total(self, n: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def message(self, msgid: str, params=None, **kwargs) -> None:
        pass

    def checkpoint(self, state: dict[str, Any]) -> None:
        pass


_NO_ERRORS: Mapping[str | None, list[RowError]] = MappingProxyType({})


class RowResult:
    """One data row of the file and what happened to it; `errors` are keyed by column key (None: row).

    Made for the rows of the chunk being worked on (with their cells), and as a view of a row of
    the result (`ImportResult.rows`: its cells read again from the sheet's rows, `source[index]`);
    a row without errors shares one empty mapping. An error is a message entry (`import_messages`),
    shown in the reader's language by `import_messages.row_error_text`.
    """

    __slots__ = ("_cells", "_errors", "_index", "_source", "number", "outcome")

    def __init__(self, number: int, cells: list[Any] | None = None, *, source: Sequence | None = None,
                 index: int = -1) -> None:  # fmt: skip
        self.number, self.outcome = number, ""
        self._cells, self._source, self._index = cells, source, index
        self._errors: dict[str | None, list[str]] | None = None

    @property
    def cells(self) -> list[Any]:
        return self._cells if self._cells is not None else self._source[self._index][1]

    @property
    def errors(self) -> Mapping[str | None, list[RowError]]:
        return self._errors if self._errors is not None else _NO_ERRORS

    @errors.setter
    def errors(self, value: dict[str | None, list[RowError]]) -> None:
        self._errors = value or None

    def add(self, key: str | None, message: RowError | Any) -> None:
        """Record an error: an entry (`import_messages.row_error`), or a service's refusal as text (in the
        active language), kept as the entry of the catalogue string that made it when there is one."""
        if self._errors is None:
            self._errors = {}
        self._errors.setdefault(key, []).append(message if isinstance(message, dict) else refusal_entry(str(message)))


def _row_number(rows: Sequence, index: int) -> int:
    """The number of row `index` of a sheet's rows (without decoding its cells when they are compact)."""
    return rows.number(index) if isinstance(rows, CompactRows) else rows[index][0]


class _Results:
    """What happened to each row of the file, kept small whatever its size: one outcome byte per
    row, and the errors of the rows that have any pickled into a `importing.SpilledBlobs` (a
    temporary file past a few MB), so neither the rows nor their messages stay in memory."""

    def __init__(self, size: int) -> None:
        self._outcomes = bytearray(size)
        self._errors = SpilledBlobs()
        self._error_rows = array("Q")  # sheet index of each stored error record, in storing order
        self._positions = array("Q")  # after `finish`: result positions of the rows with errors, sorted
        self._records = array("Q")  # … and the record of each

    def record(self, index: int, outcome: str, errors: Mapping[str | None, list[str]]) -> None:
        self._outcomes[index] = _OUTCOME_CODE[outcome]
        if errors:
            self._errors.append(pickle.dumps(list(errors.items()), protocol=pickle.HIGHEST_PROTOCOL))
            self._error_rows.append(index)

    @property
    def error_count(self) -> int:
        return len(self._error_rows)

    def finish(self, position: Callable[[int], int]) -> None:
        """Index the error records by the result position (`position` of a sheet index) of their row."""
        rows = self._error_rows
        keys = [position(index) for index in rows]
        records = sorted(range(len(rows)), key=keys.__getitem__)
        self._positions = array("Q", (keys[k] for k in records))
        self._records = array("Q", records)

    def outcome(self, index: int) -> str:
        return _OUTCOME_OF_CODE[self._outcomes[index]]

    def errors_at(self, position: int) -> dict[str | None, list[str]] | None:
        at = bisect_left(self._positions, position)
        if at < len(self._positions) and self._positions[at] == position:
            return self._errors_of(at)
        return None

    def _errors_of(self, at: int) -> dict[str | None, list[str]]:
        return dict(pickle.loads(self._errors[self._records[at]]))  # noqa: S301 - pickled by `record`

    def with_errors(self) -> Iterator[tuple[int, dict[str | None, list[str]]]]:
        """(result position, errors) of the rows with errors, in result order."""
        for at, position in enumerate(self._positions):
            yield position, self._errors_of(at)


class _ResultRows(Sequence):
    """The rows of the file as `RowResult` views, in the order of their row numbers: built as they
    are read from the sheet's rows and the compact `_Results`, never all held at once."""

    def __init__(self, source: Sequence, order: Sequence[int] | None, results: _Results) -> None:
        self._source, self._order, self._results = source, order, results

    def __len__(self) -> int:
        return len(self._source)

    def _view(self, position: int, errors: dict[str | None, list[str]] | None) -> RowResult:
        index = self._order[position] if self._order is not None else position
        row = RowResult(_row_number(self._source, index), source=self._source, index=index)
        row.outcome = self._results.outcome(index)
        row._errors = errors
        return row

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[p] for p in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._view(position, self._results.errors_at(position))

    def __iter__(self) -> Iterator[RowResult]:
        errors = self._results.with_errors()
        following = next(errors, None)
        for position in range(len(self)):
            if following is not None and following[0] == position:
                yield self._view(position, following[1])
                following = next(errors, None)
            else:
                yield self._view(position, None)

    def with_errors(self) -> Iterator[RowResult]:
        """The rows that have errors, in order (without a view of every other row)."""
        for position, errors in self._results.with_errors():
            yield self._view(position, errors)


@dataclass
class ImportResult:
    rows: Sequence[RowResult]
    sheet: Sheet
    write: bool
    counts: dict[str, int] = field(default_factory=dict)

    def error_list(self, limit: int = MAX_REPORTED_ERRORS) -> list[dict[str, Any]]:
        """Errors as ``{"row", "column", "message", "entry"}`` (column = the file's header), at most `limit`:
        `message` in the active language, `entry` to show it in a reader's (`import_error_rows`)."""
        result = []
        rows = self.rows.with_errors() if isinstance(self.rows, _ResultRows) else self.rows
        for row in rows:
            for key, errors in row.errors.items():
                index = self.sheet.column_index(key) if key else None
                column = self.sheet.headers[index] if index is not None else ""
                result.extend({"row": row.number, "column": column, "message": row_error_text(error), "entry": error}
                              for error in errors)  # fmt: skip
                if len(result) >= limit:
                    return result[:limit]
        return result


def import_error_rows(errors: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A batch's stored error list (the job's result) as ``{"row", "column", "message"}`` with each message
    in the active language (the reader's); lists stored before entries hold only the text, shown as is."""
    rows = []
    for error in errors or ():
        entry = error.get("entry")
        message = row_error_text(entry) if entry is not None else error.get("message", "")
        rows.append({"row": error.get("row"), "column": error.get("column", ""), "message": message})
    return rows


class _Rollback(Exception):
    """Raised inside a household's savepoint to undo it (dry run, or an error found after writing)."""


# Service error keys that name a column of the file under another name.
_FIELD_TO_COLUMN = {"ethnicity": "ethnicity_code", "id_kind": "id_number", "death_date": None, "members": "relation"}


def _error_column(sheet: Sheet, key: str) -> str | None:
    key = _FIELD_TO_COLUMN.get(key, key)
    return key if key and key in sheet.present else None


def _record_exception(sheet: Sheet, rows: list[RowResult], head: RowResult, exc: Exception) -> None:
    """Put a service's refusal on the cells it names (``members.<i>.<field>`` → that member's row)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            row = head
            if key.startswith("members."):
                _prefix, index, key = key.split(".", 2)
                row = rows[int(index)]
            for message in messages:
                row.add(_error_column(sheet, key), message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            head.add(None, message)
    elif isinstance(exc, ApplicationError):
        column = {"household_code_taken": "code", "id_duplicate": "id_number",
                  "id_repeated_in_household": "id_number"}.get(exc.code)  # fmt: skip
        head.add(column if column in sheet.present else None, exc.message)
    else:
        head.add(
            "village" if "village" in sheet.present else None, str(exc) or _("Bạn không có quyền trên địa bàn này.")
        )


class _Villages:
    """Villages of the commune by code, name and short name (accent-insensitive)."""

    def __init__(self, commune: AdminUnit):
        self.commune = commune
        self.by_key: dict[str, AdminUnit] = {}
        for village in AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("-valid_to"):
            for text in (village.code, village.name, village.short_name):
                self.by_key.setdefault(fold(text), village)

    def read(self, value: Any) -> AdminUnit | None:
        text = clean_text(value)
        if not text:
            return None
        village = self.by_key.get(fold(text))
        if village is None:
            raise CellError(
                gettext_noop("Thôn “%(v)s” không thuộc %(commune)s (xem trang “Thôn”)."),
                {"v": text, "commune": self.commune.name},
            )
        return village


_NOWHERE = 1 << 30  # the position of a column the file does not have (past every row's cells)


def _run_of(runs: array, index: int) -> int:
    """The run (of `_Groups`' runs, given by their first rows) holding row `index`."""
    return bisect_right(runs, index) - 1


# Rows of a file above which `_Groups` compares the file's codes and CCCDs part by part through
# temporary files (below, all at once in memory), and the keys each part holds then, about.
_KEYS_IN_MEMORY_ROWS = 65_536
_KEYS_PER_PART = 16_384
_MAX_KEY_PARTS = 256
_KEYS_BUFFERED = 16_384  # pairs held before they go to the parts' files
_SPILL_CHECK_MASK = 4095  # `_Groups` looks whether to spill every 4,096 rows (index & mask == 0)


class _KeyParts:
    """(key, number) pairs put in parts by their key's hash, so that equal keys are in one part and
    each part is small: what finds the codes and CCCDs written more than once in a file without
    holding all of its codes and CCCDs in one dict (~0.13 KB each: 260 MB for a 1,000,000-household
    file). Past `_KEYS_IN_MEMORY_ROWS` rows the parts are temporary files: the pairs added are
    held until `spill` (when there are `_KEYS_BUFFERED` of them), then shared out and pickled to
    their parts' files, read back one part at a time; a smaller file keeps one part in memory.
    Each part gives its pairs in the order they were added.

    ``add((key, number))`` is a list's `append` (the cheapest call there is, made for each row)."""

    def __init__(self, rows: int) -> None:
        count = max(1, min(_MAX_KEY_PARTS, rows // _KEYS_PER_PART)) if rows > _KEYS_IN_MEMORY_ROWS else 1
        self._pending: list[tuple[str, int]] = []
        self.add = self._pending.append
        self._files: list = []
        if count > 1:  # closed by `parts` as they are read back (or when garbage-collected)
            self._files = [tempfile.TemporaryFile(prefix="ansinh-import-") for _ in range(count)]  # noqa: SIM115

    def spill(self, *, at_least: int = 0) -> None:
        """Share the pairs held out to the parts' files (when there are files and `at_least` pairs)."""
        pending, files = self._pending, self._files
        if not files or not pending or len(pending) < at_least:
            return
        count = len(files)
        parts: list[list[tuple[str, int]]] = [[] for _ in range(count)]
        for pair in pending:
            parts[hash(pair[0]) % count].append(pair)
        pending.clear()  # the same list: `add` stays bound to it
        for part, handle in zip(parts, files, strict=True):
            if part:
                pickle.dump(part, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def parts(self) -> Iterator[list[tuple[str, int]]]:
        """Each part's pairs (each file read back and closed in turn)."""
        if not self._files:
            pairs = self._pending[:]
            self._pending.clear()
            yield pairs
            return
        self.spill()
        for at, handle in enumerate(self._files):
            handle.seek(0)
            pairs: list[tuple[str, int]] = []
            while True:
                try:
                    pairs += pickle.load(handle)  # noqa: S301 - pickled by `spill` into our own temporary file
                except EOFError:
                    break
            handle.close()
            self._files[at] = None
            yield pairs
        self._files = []


class _Groups:
    """The rows of the file grouped by household code, in the order codes first appear (a row
    without a code is a group alone): the rows are read once here and then again only for their
    chunk (`chunk`).

    The rows are read as runs: rows side by side with the same (folded) code are one run, and a
    run is a household unless its code came earlier in the file. Which codes do is found after
    the pass by comparing the runs' codes part by part (`_KeyParts`), not in a dict of every code.
    When no code comes back (households side by side, as the template and office files have
    them), a group is its run: what is kept is the first row of each (4 bytes a household) and
    the rows' order is the file's (`members` is a range). Otherwise the groups' rows are put side
    by side in two arrays of row indexes (a counting sort, 8 bytes a row).

    The same pass finds the CCCDs written on more than one row (an error on each, made when the
    row's chunk is read: the services would see only one), compared part by part the same way.
    """

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        rows = sheet.rows
        total = len(rows)
        check_ids = "id_number" in sheet.present
        runs = array("I")  # first row of each run
        codes = _KeyParts(total)  # (folded code, run) of each run with a code
        ids = _KeyParts(total) if check_ids else None  # (CCCD, row) of each row with a well-formed one
        positions = _column_positions(sheet)  # what `sheet.cell` reads, looked up once
        code_at, id_at = positions.get("code", _NOWHERE), positions.get("id_number", _NOWHERE)
        add_code, add_id, add_run = codes.add, ids.add if ids is not None else None, runs.append
        read_id = importing.read_id
        last_raw, last_key = None, None  # a household's rows are usually side by side: same cell, same run
        for index, (_number, cells) in enumerate(rows):
            if not index & _SPILL_CHECK_MASK:
                codes.spill(at_least=_KEYS_BUFFERED)
                if ids is not None:
                    ids.spill(at_least=_KEYS_BUFFERED)
            raw = cells[code_at] if code_at < len(cells) else None
            if not (raw == last_raw and last_key is not None and type(raw) is str):
                code = clean_text(raw)
                key = fold(code) if code else None
                if key is None or key != last_key:
                    add_run(index)
                    if key is not None:
                        add_code((key, len(runs) - 1))
                last_raw, last_key = raw, key
            if check_ids:
                raw_id = cells[id_at] if id_at < len(cells) else None
                if raw_id is None or raw_id == "":
                    continue  # reads as no number
                number = normalise_id_number(read_id(raw_id))
                if len(number) in (9, 12):
                    add_id((number, index))
        # A run whose code an earlier run has joins that run's household.
        earlier_run: dict[int, int] = {}
        for part in codes.parts():
            first: dict[str, int] = {}
            for key, run in part:
                found = first.setdefault(key, run)
                if found != run:
                    earlier_run[run] = found
        del codes
        run_count = len(runs)
        if not earlier_run:
            self.count = run_count
            self.starts = runs
            self.starts.append(total)
            self.members: Sequence[int] = range(total)
            group_at: Callable[[int], int] = partial(_run_of, runs)
        else:
            group_of_run = array("I", [0]) * run_count
            count = 0
            for run in range(run_count):
                if run in earlier_run:
                    group_of_run[run] = group_of_run[earlier_run[run]]
                else:
                    group_of_run[run] = count
                    count += 1
            group_of = array("I", [0]) * total
            for run in range(run_count):
                group = group_of_run[run]
                for index in range(runs[run], runs[run + 1] if run + 1 < run_count else total):
                    group_of[index] = group
            del group_of_run, runs
            self.count = count
            # Rows of each group, side by side in `members` from `starts[group]` (a counting sort).
            starts = array("I", [0]) * (count + 1)
            for group in group_of:
                starts[group + 1] += 1
            for group in range(count):
                starts[group + 1] += starts[group]
            members = array("I", [0]) * total
            filled = array("I", starts)
            for index, group in enumerate(group_of):
                members[filled[group]] = index
                filled[group] += 1
            self.starts, self.members = starts, members
            group_at = group_of.__getitem__
        # The rows sharing a CCCD, as the file's households list them (group by group).
        repeated: dict[str, list[int]] = {}  # CCCD → every row holding it, when more than one
        for part in ids.parts() if ids is not None else ():
            first_row: dict[str, int] = {}  # CCCD → the first row holding it
            for number, index in part:
                found = first_row.setdefault(number, index)
                if found != index:
                    repeated.setdefault(number, [found]).append(index)
        self.repeated_ids: dict[int, tuple[str, list[int]]] = {}
        for number, indexes in repeated.items():
            indexes.sort(key=lambda index: (group_at(index), index))
            for index in indexes:
                self.repeated_ids[index] = (number, indexes)

    def rows_of(self, group: int) -> Sequence[int]:
        return self.members[self.starts[group] : self.starts[group + 1]]

    def row_count(self, start: int, stop: int) -> int:
        return self.starts[stop] - self.starts[start]

    def chunk(self, start: int, stop: int) -> list[list[RowResult]]:
        """Groups `start` … `stop` - 1 as rows with their cells and the errors found before any chunk."""
        sheet, source = self.sheet, self.sheet.rows
        chunk = []
        for group in range(start, stop):
            indexes = self.rows_of(group)
            rows = []
            for index in indexes:
                number, cells = source[index]
                row = RowResult(number, cells, index=index)
                if len(indexes) == 1 and not clean_text(sheet.cell(cells, "code")):
                    row.add("code", row_error(gettext_noop("Hãy nhập mã hộ.")))
                if index in self.repeated_ids:
                    id_number, holders = self.repeated_ids[index]
                    others = ", ".join(str(_row_number(source, other)) for other in holders if other != index)
                    row.add(
                        "id_number",
                        row_error(gettext_noop("Số CCCD %(n)s trùng với dòng %(rows)s trong tệp."),
                                  {"n": id_number, "rows": others}),
                    )  # fmt: skip
                rows.append(row)
            chunk.append(rows)
        return chunk


# Cell kinds whose values repeat through a file (codes, labels, years, flags …): `_Cells` keeps
# what each distinct value reads as. Names, CCCDs, phones and addresses are read every time.
_REMEMBERED_KINDS = {"choice", "multi", "flag", "year", "decimal", "ethnicity", "date"}


class _Cells:
    """`read_cell` / `read_date` for one run, remembering the result (or the error) per (column, value).

    The readers are pure functions of the value and the active language, which a run does not change.
    """

    # Bounded: a file has a few hundred such values, but birth dates run to tens of thousands; when
    # full the memory starts again, so a large file holds no more than a small one.
    MAX_KNOWN = 32_768

    def __init__(self):
        self._known: dict[tuple[str, Any], tuple[bool, Any]] = {}

    def read(self, key: str, raw: Any) -> Any:
        if importing.COLUMNS_BY_KEY[key].kind not in _REMEMBERED_KINDS and key != "birth_date":
            return read_cell(key, raw)
        return self._read_remembered(key, raw)

    def reader(self, key: str) -> Callable[[Any], Any]:
        """``lambda raw: self.read(key, raw)``, with the column's kind looked up once."""
        if importing.COLUMNS_BY_KEY[key].kind not in _REMEMBERED_KINDS and key != "birth_date":
            return partial(read_cell, key)
        return partial(self._read_remembered, key)

    def _read_remembered(self, key: str, raw: Any) -> Any:
        try:
            memo = (key, raw)
            ok, value = self._known[memo]
        except TypeError:  # an unhashable cell value: read it
            return read_date(raw) if key == "birth_date" else read_cell(key, raw)
        except KeyError:
            try:
                ok, value = True, (read_date(raw) if key == "birth_date" else read_cell(key, raw))
            except CellError as exc:
                ok, value = False, exc.entry
            if len(self._known) >= self.MAX_KNOWN:
                self._known.clear()
            self._known[memo] = (ok, value)
        if not ok:
            raise CellError(value)
        return list(value) if isinstance(value, list) else value


def _column_positions(sheet: Sheet) -> dict[str, int]:
    """Column key → position of its first column: what `Sheet.cell` reads (keys not in the file absent)."""
    positions: dict[str, int] = {}
    for position, key in enumerate(sheet.keys):
        if key:
            positions.setdefault(key, position)
    return positions


def _member_columns(sheet: Sheet, cells: _Cells) -> list[tuple[str, int, Callable[[Any], Any]]]:
    """The member columns present in the file: (key, position, `cells.reader(key)`), in `MEMBER_KEYS` order."""
    positions = _column_positions(sheet)
    return [(key, positions[key], cells.reader(key)) for key in importing.MEMBER_KEYS if key in positions]


def _read_member(row: RowResult, columns: list[tuple[str, int, Callable[[Any], Any]]]) -> dict[str, Any]:
    """The member cells of a row that are present and non-blank (blank cells are left out).

    `columns` is `_member_columns(sheet, cells)`, made once per run."""
    values: dict[str, Any] = {}
    row_cells = row.cells
    length = len(row_cells)
    is_blank = importing.is_blank
    for key, position, read in columns:
        raw = row_cells[position] if position < length else None
        if raw is None or raw == "" or is_blank(raw):
            continue
        try:
            if key == "birth_date":
                day, year = read(raw)
                if day:
                    values["birth_date"] = day
                elif year:
                    values.setdefault("birth_year", year)
            else:
                value = read(raw)
                if value not in ("", None):  # e.g. a masked CCCD from an export: keep the stored one
                    values[key] = value
        except CellError as exc:
            row.add(key, exc.entry)
    return values


def _household_columns(sheet: Sheet, villages: _Villages, cells: _Cells) -> list[tuple[str, int, Callable[[Any], Any]]]:
    """The household columns present in the file: (key, position, reader), in `COLUMNS` order."""
    positions = _column_positions(sheet)
    return [(c.key, positions[c.key], villages.read if c.key == "village" else cells.reader(c.key))
            for c in importing.COLUMNS if c.level == HOUSEHOLD and c.key in positions]  # fmt: skip


def _read_household(row: RowResult, columns: list[tuple[str, int, Callable[[Any], Any]]]) -> dict[str, Any]:
    """The household cells of the head's row that are non-blank. `columns`: `_household_columns(…)`."""
    values: dict[str, Any] = {}
    row_cells = row.cells
    length = len(row_cells)
    is_blank = importing.is_blank
    for key, position, read in columns:
        raw = row_cells[position] if position < length else None
        if is_blank(raw):
            continue
        try:
            values[key] = read(raw)
        except CellError as exc:
            row.add(key, exc.entry)
    return values


def _member_data(values: dict[str, Any], base: Member | None = None) -> MemberData:
    """MemberData from the file's values; in update mode blank cells keep `base`'s values."""
    data: dict[str, Any] = {}
    if base is not None:
        data = {
            "full_name": base.full_name, "sex": base.sex, "relation": base.relation, "birth_date": base.birth_date,
            "birth_year": base.birth_year, "ethnicity_code": base.ethnicity.code if base.ethnicity_id else "",
            "id_number": base.id_number, "health_insurance": base.health_insurance, "schooling": base.schooling,
            "diploma": base.diploma, "disability": base.disability, "labour_status": base.labour_status,
            "allowance": base.allowance, "death_date": base.death_date,
        }  # fmt: skip
        if "birth_year" in values and "birth_date" not in values and base.birth_year != values["birth_year"]:
            data["birth_date"] = None  # a different year replaces the stored date
    defaults = {"full_name": "", "sex": "", "relation": ""}
    return MemberData(**{**defaults, **data, **values})


def _find_member(existing: list[Member], values: dict[str, Any]) -> Member | None:
    number = normalise_id_number(values.get("id_number", ""))
    if number:
        for member in existing:
            if member.id_number == number:
                return member
    year = values["birth_date"].year if values.get("birth_date") else values.get("birth_year")
    name = fold(values.get("full_name", ""))
    for member in existing:
        if member.name_folded == name and member.birth_year == year:
            return member
    return None


# The cells whose own error already explains a member rule's refusal: a birth date that could not be
# read is not also "missing", a CCCD already refused is not refused twice.
_RULE_CELLS = {"birth_year": ("birth_date", "birth_year"), "birth_date": ("birth_date",),
               "id_number": ("id_number",), "full_name": ("full_name",), "ethnicity": ("ethnicity_code",)}  # fmt: skip


def _check_member_cells(
    sheet: Sheet, rows: list[RowResult], member_values: list[dict[str, Any]], *, today, ethnicities, update: bool
) -> None:
    """The member rules every writer applies (`services.member_rules`: a name, a birth date or year,
    dates not in the future, death after birth, the CCCD against sex and birth, the ethnicity), for a
    household the deeper checks will skip because it is already invalid, so that the officer sees
    every bad cell of the household in one pass. A rule's error goes on its cell unless that cell (or
    the one that explains it) already has one. In update mode a blank cell keeps the stored value,
    so a blank name or birth is not an error there."""
    for row, values in zip(rows, member_values, strict=True):
        found = member_rules(_member_data(values), today=today, ethnicities=ethnicities).errors
        for key, messages in found.items():
            if update and (
                (key == "full_name" and "full_name" not in values)
                or (key == "birth_year" and "birth_date" not in values and "birth_year" not in values)
            ):
                continue
            if any(row.errors.get(cell) for cell in _RULE_CELLS.get(key, (key,))):
                continue
            for message in messages:
                row.add(_error_column(sheet, key), message)


def _id_numbers(values: list[dict[str, Any]]) -> list[str]:
    """The well-formed CCCD/CMND numbers (12 or 9 digits) among a household's member values."""
    numbers = (normalise_id_number(v.get("id_number", "")) for v in values)
    return [n for n in numbers if len(n) in (9, 12)]


def _check_identities(
    rows: list[RowResult], values: list[dict[str, Any]], own_member_ids: set[int],
    holders: dict[str, list[tuple[int, str]]],
) -> None:  # fmt: skip
    """A CCCD already held by a living member outside this household makes the row invalid.

    `holders` is `services.identity_holders` for the chunk's numbers (one query per chunk).
    """
    for row, member_values in zip(rows, values, strict=True):
        number = normalise_id_number(member_values.get("id_number", ""))
        if len(number) not in (9, 12):
            continue
        codes = {code for pk, code in holders.get(number, ()) if pk not in own_member_ids}
        if codes:
            row.add(
                "id_number",
                row_error(gettext_noop("Số CCCD %(n)s đã có ở thành viên khác còn sống (hộ %(codes)s)."),
                          {"n": number, "codes": ", ".join(sorted(codes))}),
            )  # fmt: skip


@dataclass
class _Group:
    """The rows of one household of the file, read (not yet checked against the registry)."""

    rows: list[RowResult]
    head: RowResult
    household_values: dict[str, Any]
    member_values: list[dict[str, Any]]
    outcome: str = ""
    prepared: PreparedHousehold | None = None

    @property
    def code(self) -> str:
        return self.household_values["code"]

    def invalid(self) -> bool:
        return any(r.errors for r in self.rows)


class _HouseholdImport:
    """Validates and (when `write`) saves the households of the file, a chunk at a time.

    New households take the fast path: validated in Python by `import_bulk.household_prepare_fast` with
    the registry lookups done once per chunk, then written together by
    `import_bulk.household_register_many` in one transaction per chunk. Existing households
    ("update" mode) go through the per-household services, each in its own transaction.
    """

    def __init__(self, *, actor, commune: AdminUnit, sheet: Sheet, mode: str, write: bool, villages: _Villages):
        self.actor, self.commune, self.sheet, self.mode, self.write = actor, commune, sheet, mode, write
        self.villages = villages
        self.today = timezone.localdate()
        self.ethnicities = ethnicities_by_code()
        self.cells = _Cells()
        self._allowed: dict[int, bool] = {}
        self._member_columns = _member_columns(sheet, self.cells)
        self._head_columns = _household_columns(sheet, villages, self.cells)
        # Household columns of the file a member's row may repeat ("code" is what groups the rows).
        self._household_columns = [column for column in self._head_columns if column[0] != "code"]

    def run_chunk(self, chunk: list[list[RowResult]]) -> list[str]:
        """The outcome of each household of `chunk` (a list of row groups), writing when `write`."""
        groups = [self._read(rows) for rows in chunk]
        readable = [g for g in groups if not g.outcome]
        unreadable = [g for g in groups if g.outcome and g.household_values.get("code")]
        existing = self._existing([g.code for g in readable + unreadable])
        numbers = [n for g in groups for n in _id_numbers(g.member_values)]
        if self.write:
            # As a form registration does (`services._check_identity`): an import and a form, or two
            # imports, registering one number at once run one after the other; the second sees the first.
            lock_values("cccd", numbers)
        holders = identity_holders(numbers)
        for group in unreadable:  # already invalid: its CCCDs held elsewhere are reported in the same pass
            found = existing.get(group.code)
            own = set(found.members.values_list("pk", flat=True)) if found else set()
            _check_identities(group.rows, group.member_values, own, holders)
        new: list[_Group] = []
        for group in readable:
            found = existing.get(group.code)
            if found is not None and self.mode == ImportMode.SKIP:
                group.outcome = SKIPPED
                continue
            if found is not None and self.mode == ImportMode.CREATE:
                taken = gettext_noop("Mã hộ %(code)s đã có trong xã. Chọn cách nhập “cập nhật” hoặc “bỏ qua hộ đã có”.")
                group.head.add("code", row_error(taken, {"code": group.code}))
                group.outcome = INVALID
                continue
            own = set(found.members.values_list("pk", flat=True)) if found else set()
            _check_identities(group.rows, group.member_values, own, holders)
            if group.invalid():
                group.outcome = INVALID
            elif found is not None:
                group.outcome = self._in_savepoint(group, lambda g, f=found: self._update(f, g.rows, g.head,
                                                   g.household_values, g.member_values))  # fmt: skip
            else:
                self._prepare(group)
                if group.prepared is not None:
                    new.append(group)
        if new and self.write:
            self._write_new(new)
        for group in new:
            group.outcome = INVALID if group.invalid() else CREATED
        return [g.outcome for g in groups]

    def _read(self, rows: list[RowResult]) -> _Group:
        """Read the household's cells; outcome INVALID when a cell cannot be read or the head is wrong."""
        sheet = self.sheet
        member_values = [_read_member(row, self._member_columns) for row in rows]
        heads = [r for r, v in zip(rows, member_values, strict=True) if v.get("relation") == Relation.HEAD]
        for row in heads[1:]:
            row.add(
                "relation",
                row_error(gettext_noop("Hộ %(code)s có nhiều hơn một chủ hộ."),
                          {"code": clean_text(sheet.cell(row.cells, "code"))}),
            )  # fmt: skip
        head = heads[0] if heads else rows[0]
        if not heads and not any(r.errors.get("relation") for r in rows):
            head.add("relation", row_error(gettext_noop("Hộ chưa có dòng nào là “Chủ hộ”.")))
        household_values = _read_household(head, self._head_columns)
        self._check_repeated_household_cells(rows, head, household_values)
        group = _Group(rows, head, household_values, member_values)
        if group.invalid():
            group.outcome = INVALID
            # The household's deeper checks will not run; its members' own rules still do.
            _check_member_cells(sheet, rows, member_values, today=self.today, ethnicities=self.ethnicities,
                                update=self.mode == ImportMode.UPDATE)  # fmt: skip
        return group

    def _existing(self, codes: list[str]) -> dict[str, Household]:
        found: dict[str, Household] = {}
        for start in range(0, len(codes), 900):  # SQLite's limit on bound parameters, with room to spare
            households = Household.objects.filter(commune=self.commune, code__in=codes[start : start + 900])
            found.update((h.code, h) for h in households.select_related("village", "ethnicity"))
        return found

    def _household_data(self, group: _Group) -> HouseholdData:
        head_values = group.member_values[group.rows.index(group.head)]
        return HouseholdData(
            code=group.code, village=group.household_values.get("village"),
            ethnicity_code=head_values.get("ethnicity_code", ""), facts=self._facts(group.household_values),
        )  # fmt: skip

    def _may_manage(self, unit: AdminUnit) -> bool:
        if unit.pk not in self._allowed:
            self._allowed[unit.pk] = self.actor is None or self.actor.has_perm(MANAGE_PERM, unit)
        return self._allowed[unit.pk]

    def _prepare(self, group: _Group) -> None:
        """Validate a new household with the rules of `household_register`, without a query."""
        data = self._household_data(group)
        try:
            if not self._may_manage(data.village or self.commune):
                raise PermissionDenied(_("Bạn không được quản lý hộ gia đình trên địa bàn này."))
            group.prepared = household_prepare_fast(
                actor=self.actor, commune=self.commune, data=data, today=self.today, ethnicities=self.ethnicities,
                members=[_member_data(v) for v in group.member_values],
            )  # fmt: skip
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            _record_exception(self.sheet, group.rows, group.head, exc)
            group.outcome = INVALID

    def _write_new(self, new: list[_Group]) -> None:
        """One transaction for the chunk's new households; if the database refuses it (a code or a
        CCCD taken meanwhile), each household is tried again alone through `household_register`,
        which reports the reason on its rows."""
        try:
            with transaction.atomic():
                household_register_many(actor=self.actor, prepared=[g.prepared for g in new])
        except DatabaseError:
            logger.warning("Bulk write of %d households failed; writing them one by one", len(new), exc_info=True)
            for group in new:
                group.prepared = None
                self._in_savepoint(group, self._create)

    def _in_savepoint(self, group: _Group, work) -> str:
        """Run `work(group)` in its own transaction, undone when it left errors or in a dry run."""
        outcome = INVALID
        try:
            with transaction.atomic():
                outcome = work(group)
                if group.invalid() or not self.write:
                    raise _Rollback
        except _Rollback:
            pass
        except DatabaseError:
            logger.exception("Import of household %s failed in the database", group.code)
            group.head.add(None, row_error(gettext_noop("Lỗi cơ sở dữ liệu khi ghi hộ này; hộ chưa được ghi.")))
        return INVALID if group.invalid() else outcome

    def _check_repeated_household_cells(self, rows, head, household_values) -> None:
        """Household cells on members' rows must be blank or equal to the head's row."""
        columns = self._household_columns
        is_blank = importing.is_blank
        for row in rows:
            if row is head:
                continue
            row_cells = row.cells
            length = len(row_cells)
            for key, position, read in columns:
                raw = row_cells[position] if position < length else None
                if raw is None or raw == "" or is_blank(raw):
                    continue
                try:
                    value = read(raw)
                except CellError:
                    value = raw
                if value != household_values.get(key):
                    row.add(key, row_error(gettext_noop("Khác với dòng chủ hộ (dòng %(n)d); thông tin hộ lấy theo dòng "
                                                        "chủ hộ."), {"n": head.number}))  # fmt: skip

    @staticmethod
    def _household_unchanged(existing: Household, household_values: dict[str, Any], data: HouseholdData) -> bool:
        """True when every value the file gives equals the stored one (a cheap pre-check; the
        service still decides when anything differs)."""
        if (data.village.pk if data.village else None) != existing.village_id:
            return False
        if data.ethnicity_code and (not existing.ethnicity_id or existing.ethnicity.code != data.ethnicity_code):
            return False
        return all(getattr(existing, key) == value for key, value in data.facts.items())

    def _facts(self, household_values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in household_values.items() if k in importing.FACT_KEYS}

    def _update(self, existing: Household, rows, head, household_values, member_values) -> str:
        version = existing.version
        head_values = member_values[rows.index(head)]
        data = HouseholdData(
            code=existing.code, village=household_values.get("village", existing.village),
            ethnicity_code=head_values.get("ethnicity_code", ""), area_type=existing.area_type,
            area_type_override_reason=existing.area_type_override_reason, facts=self._facts(household_values),
        )  # fmt: skip
        try:
            if not self._household_unchanged(existing, household_values, data):
                household_update(actor=self.actor, household=existing, expected_version=None, data=data)
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            _record_exception(self.sheet, rows, head, exc)
            return INVALID
        members = list(existing.members.select_related("ethnicity").exclude(status="merged"))
        for row, values in zip(rows, member_values, strict=True):
            match = _find_member(members, values)
            try:
                if match is not None:
                    data = _member_data(values, match)
                    # Equal data: skip the service (it would lock, validate and find no change).
                    if data != _member_data({}, match):
                        member_update(actor=self.actor, member=match, data=data)
                elif values.get("relation") == Relation.HEAD:
                    row.add("relation", row_error(gettext_noop(
                        "Chủ hộ trong tệp khác chủ hộ đang lưu. Muốn đổi chủ hộ, hãy làm trên trang hộ.")))  # fmt: skip
                else:
                    member_add(actor=self.actor, household=existing, data=_member_data(values))
            except (ValidationError, ApplicationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                    exc = ValidationError({f"members.{rows.index(row)}.{k}": v for k, v in exc.message_dict.items()})
                _record_exception(self.sheet, rows, row, exc)
        changed = Household.objects.filter(pk=existing.pk).values_list("version", flat=True).first() != version
        return UPDATED if changed else SKIPPED

    def _create(self, group: _Group) -> str:
        """One new household through `household_register` (the fallback of the fast path)."""
        try:
            household_register(
                actor=self.actor, commune=self.commune, data=self._household_data(group),
                members=[_member_data(v) for v in group.member_values],
            )  # fmt: skip
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            _record_exception(self.sheet, group.rows, group.head, exc)
        return CREATED


# Households validated and written together (one transaction each when writing): big enough that
# the per-chunk queries cost little per household, small enough to keep memory and locks short.
CHUNK_HOUSEHOLDS = 2000
ANALYZE_AFTER_CREATED = 10_000  # new households in one import that call for `core.db.analyze_tables`


# A household's outcome in a checkpoint: one letter each (a 100,000-household file keeps 100 kB).
_OUTCOME_LETTER = {CREATED: "c", UPDATED: "u", SKIPPED: "s", INVALID: "i"}
_LETTER_OUTCOME = {v: k for k, v in _OUTCOME_LETTER.items()}
# A row's outcome in `_Results`: one byte each.
_OUTCOME_OF_CODE = ("", CREATED, UPDATED, SKIPPED, INVALID)
_OUTCOME_CODE = {outcome: code for code, outcome in enumerate(_OUTCOME_OF_CODE)}


def _restore_chunk(groups: _Groups, start: int, stop: int, letters: str, errors: dict[str, dict[str, list[str]]],
                   results: _Results) -> None:  # fmt: skip
    """Outcomes and errors of a chunk committed by an earlier (killed) run, from its checkpoint."""
    source = groups.sheet.rows
    for group, letter in zip(range(start, stop), letters, strict=True):
        for index in groups.rows_of(group):
            saved = errors.get(str(_row_number(source, index)), {})
            restored = {(key or None): list(messages) for key, messages in saved.items()}
            results.record(index, _LETTER_OUTCOME[letter], restored)


def _chunk_errors(chunk: list[list[RowResult]]) -> dict[str, dict[str, list[str]]]:
    return {str(row.number): {(key or ""): messages for key, messages in row.errors.items()}
            for rows in chunk for row in rows if row.errors}  # fmt: skip


def _result_order(sheet: Sheet, groups: _Groups) -> list[int] | None:
    """Sheet indexes of the result's rows in the order of their numbers (None: the sheet's own order,
    as for every file read by `importing.parse_upload`, whose row numbers increase)."""
    rows = sheet.rows
    numbers = rows.numbers if isinstance(rows, CompactRows) else [number for number, _cells in rows]
    if all(a < b for a, b in zip(numbers, islice(numbers, 1, None), strict=False)):
        return None
    return sorted(groups.members, key=numbers.__getitem__)  # households' order, then by number (stable)


# New container objects (beyond those freed) between two runs of the cyclic garbage collector's
# youngest generation while an import runs: Python's 700 made it run ~80 times per 1,000 households,
# tracing each chunk's cells, values, members and events (reference counting frees them: they are
# almost never in a cycle) and taking about a tenth of the import's CPU. Cycles are still collected,
# less often.
IMPORT_GC_THRESHOLD = 100_000


_gc_lock = threading.Lock()
_gc_state: dict[str, Any] = {"imports": 0, "thresholds": None}  # imports running in this process


@contextmanager
def _fewer_collections():
    """Raise the collector's first threshold to `IMPORT_GC_THRESHOLD` (never lower it) for the block.
    The thresholds are process-wide: the first import running sets them, the last one to end puts
    back what it found (imports in several threads may end in any order), also when one raises."""
    with _gc_lock:
        if not _gc_state["imports"]:
            thresholds = _gc_state["thresholds"] = gc.get_threshold()
            gc.set_threshold(max(thresholds[0], IMPORT_GC_THRESHOLD), *thresholds[1:])
        _gc_state["imports"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["imports"] -= 1
            if not _gc_state["imports"]:
                gc.set_threshold(*_gc_state["thresholds"])


def import_rows(*, actor, commune: AdminUnit, sheet: Sheet, mode: str, write: bool, progress=None,
                chunk_size: int = CHUNK_HOUSEHOLDS, resume: dict[str, Any] | None = None) -> ImportResult:  # fmt: skip
    """Validate every row and, when `write`, save the valid households, a chunk at a time (see
    `_import_rows`), with the garbage collector running less often (`_fewer_collections`)."""
    with _fewer_collections():
        return _import_rows(actor=actor, commune=commune, sheet=sheet, mode=mode, write=write, progress=progress,
                            chunk_size=chunk_size, resume=resume)  # fmt: skip


def _import_rows(*, actor, commune: AdminUnit, sheet: Sheet, mode: str, write: bool, progress,
                 chunk_size: int, resume: dict[str, Any] | None) -> ImportResult:  # fmt: skip
    """Validate every row and, when `write`, save the valid households, a chunk at a time.

    Each chunk is one transaction (its new households written together, each existing one in its
    own savepoint) that also records the checkpoint ``{"chunks_done", "chunk_size", "counts",
    "outcomes", "errors"}`` through `progress.checkpoint`, so a crash leaves whole chunks and a
    checkpoint naming exactly them. `resume` is such a checkpoint (a run killed half-way): its
    chunks are not worked again, their outcomes and errors are taken from it, and the result is
    the one an uninterrupted run gives.

    Memory does not grow with the file beyond a few bytes a row: a chunk's rows are read from the
    sheet when it is worked on and dropped after; what happened to them is kept in `_Results`.
    """
    progress = progress or _NoProgress()
    checkpoints = not isinstance(progress, _NoProgress)  # errors are gathered only for a real checkpoint
    importing.ethnicity_table.cache_clear()
    progress.set_total(len(sheet.rows))
    groups = _Groups(sheet)
    worker = _HouseholdImport(actor=actor, commune=commune, sheet=sheet, mode=mode, write=write,
                              villages=_Villages(commune))  # fmt: skip
    counts = {CREATED: 0, UPDATED: 0, SKIPPED: 0, INVALID: 0}
    state: dict[str, Any] = {"chunks_done": 0, "chunk_size": chunk_size, "counts": counts, "outcomes": "",
                             "errors": {}}  # fmt: skip
    if write and resume and resume.get("chunks_done"):
        if resume.get("chunk_size") != chunk_size:
            raise ApplicationError(_("Không tiếp tục được lần nhập dở: cách chia phần đã khác."), code="import_resume")
        state = {**resume, "counts": {**counts, **resume["counts"]}, "errors": dict(resume.get("errors") or {})}
        counts = state["counts"]
    results = _Results(len(sheet.rows))
    for index, start in enumerate(range(0, groups.count, chunk_size)):
        stop = min(start + chunk_size, groups.count)
        if index < state["chunks_done"]:
            _restore_chunk(groups, start, stop, state["outcomes"][start:stop], state["errors"], results)
            progress.advance(groups.row_count(start, stop))
            continue
        chunk = groups.chunk(start, stop)
        with transaction.atomic() if write else nullcontext():
            outcomes = worker.run_chunk(chunk)
            for rows, outcome in zip(chunk, outcomes, strict=True):
                counts[outcome] += 1
                for row in rows:
                    row.outcome = outcome
            if write:
                state["chunks_done"] = index + 1
                state["outcomes"] += "".join(_OUTCOME_LETTER[o] for o in outcomes)
                if checkpoints:
                    state["errors"].update(_chunk_errors(chunk))
                progress.checkpoint(state)
        for rows in chunk:
            for row in rows:
                results.record(row._index, row.outcome, row.errors)
        progress.advance(sum(len(rows) for rows in chunk))
        del chunk
    if write and counts[CREATED] >= ANALYZE_AFTER_CREATED:
        analyze_tables(Household, Member)  # a large load: fresh planner statistics for what follows
    order = _result_order(sheet, groups)
    if order is None:
        results.finish(lambda index: index)
    else:
        position_of = {index: position for position, index in enumerate(order)}
        results.finish(position_of.__getitem__)
    counts["rows"] = len(sheet.rows)
    counts["invalid_rows"] = results.error_count
    return ImportResult(rows=_ResultRows(sheet.rows, order, results), sheet=sheet, write=write, counts=counts)


# -- the batch ----------------------------------------------------------------------------------


def _transition(batch: ImportBatch, status: str, *, actor, extra: dict[str, Any] | None = None, event=None) -> None:
    """Move a locked batch along `IMPORT_TRANSITIONS` and audit it (inside the caller's transaction)."""
    if status not in IMPORT_TRANSITIONS[ImportStatus(batch.status)]:
        # An entry with the statuses as entries: a job failing with it shows it in each reader's language.
        raise application_error(
            gettext_noop("Lần nhập đang ở trạng thái “%(status)s”, không thể chuyển sang “%(new)s”."),
            {"status": lazy_entry(ImportStatus(batch.status).label), "new": lazy_entry(ImportStatus(status).label)},
            code="import_bad_state",
        )
    old = batch.status
    batch.status = status
    batch.save()
    audit_record(
        actor=actor, event_type=event or _event_type(status), target=batch, unit_path=batch.unit_path,
        changes={"old": {"status": old}, "new": {"status": status, **(extra or {})}},
    )  # fmt: skip


def _read_upload(file) -> bytes:
    """The upload's bytes, refused by its size before it is read when the size is known (never more
    than the limit and one byte are read: `parse_upload` refuses that too)."""
    if getattr(file, "size", None):
        importing.check_upload_size(file.size)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(importing.max_upload_bytes() + 1)


def import_batch_create(*, actor, commune: AdminUnit, file, mode: str, dry_run: bool) -> ImportBatch:
    """Store an uploaded household file and start checking it in the background.

    Refused, with nothing written, when the actor may not import households in the commune, the
    unit is not a commune, the mode is unknown, or the file is too large, a zip bomb, unreadable,
    or lacks the required columns. Requires approval when the province's registry settings say so.
    """
    if not actor.has_perm(IMPORT_PERM, commune):
        raise PermissionDenied(_("Bạn không được nhập hộ trên địa bàn này."))
    if commune.level != Level.COMMUNE:
        raise ApplicationError(_("Chỉ nhập hộ vào một xã/phường/đặc khu."), code="not_a_commune")
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Cách nhập không hợp lệ.")})
    name = getattr(file, "name", "") or "upload"
    data = _read_upload(file)
    sheet = importing.parse_upload(data, name)
    province = unit_province(commune)
    settings_row = RegistrySettings.objects.filter(province=province).first() if province else None
    with transaction.atomic():
        batch = ImportBatch(
            commune=commune, created_by=actor, file_name=name.rsplit("/", 1)[-1][:255],
            file_sha256=hashlib.sha256(data).hexdigest(), file_format=sheet.file_format, encoding=sheet.encoding,
            mode=mode, dry_run=bool(dry_run),
            requires_approval=bool(settings_row and settings_row.import_requires_approval),
            counts={"rows": len(sheet.rows)}, unit_path=commune.path,
        )  # fmt: skip
        batch.file.save(get_valid_filename(batch.file_name) or "upload", ContentFile(data), save=False)
        batch.save()
        audit_record(
            actor=actor, event_type=_event_type(ImportStatus.UPLOADED), target=batch, unit_path=batch.unit_path,
            changes={"new": {"status": batch.status, "file_name": batch.file_name, "sha256": batch.file_sha256,
                             "mode": mode, "dry_run": batch.dry_run, "rows": len(sheet.rows)}},
        )  # fmt: skip
        _enqueue(batch, actor=actor)
    return batch


def _enqueue(batch: ImportBatch, *, actor) -> None:
    from ansinh.jobs.services import job_enqueue

    job = job_enqueue(
        actor=actor, kind=IMPORT_JOB_KIND, label=gettext_noop("Nhập hộ từ tệp %(name)s"),
        label_params={"name": batch.file_name}, unit_path=batch.unit_path, params={"batch_id": batch.pk},
    )  # fmt: skip
    batch.job = job
    batch.save(update_fields=["job", "updated_at"])


def _load_sheet(batch: ImportBatch) -> Sheet:
    with batch.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != batch.file_sha256:
        raise ApplicationError(_("Tệp đã lưu không còn khớp với tệp được tải lên (mã băm khác)."), code="file_changed")
    return importing.parse_upload(data, batch.file_name)


def _result_file(batch: ImportBatch, result: ImportResult, language: str) -> ContentFile:
    """The result workbook in `language` (its file name says which language when not the default one)."""
    from .exporting import result_workbook

    with translation.override(language):
        content = result_workbook(result, title=batch.file_name)
    stem = get_valid_filename(batch.file_name.rsplit(".", 1)[0]) or "tep"
    suffix = "" if language == _default_language() else f"-{language}"
    return ContentFile(content, name=f"ket-qua-{batch.pk}-{stem}{suffix}.xlsx")


def _default_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0].lower()


def _result_files(batch: ImportBatch, result: ImportResult) -> dict[str, ContentFile]:
    """The result workbook in each language of the interface, the default one first (decision 0024's
    addendum): whoever downloads it reads the row errors, labels and summary in their own language."""
    languages = dict.fromkeys([_default_language(), *(code.split("-")[0].lower() for code, _n in settings.LANGUAGES)])
    return {language: _result_file(batch, result, language) for language in languages}


def _finish_pass(batch_id: int, status: str, result: ImportResult, *, actor, event=None, progress=None) -> ImportBatch:
    """Store the counts and the result workbooks and move the batch on; the job's checkpoint then
    says "finished" (with the first errors), so a re-run of a job killed afterwards only reports.

    The workbooks (one per language) are written before the batch row is locked: for a large file
    each takes a while (about a minute for 350,000 rows), and the progress says so meanwhile."""
    progress = progress or _NoProgress()
    progress.message(gettext_noop("Đang viết tệp kết quả (%(n)s dòng)…"), {"n": result.counts.get("rows", 0)})
    files = _result_files(ImportBatch.objects.only("pk", "file_name").get(pk=batch_id), result)
    progress.message(gettext_noop("Đã viết xong tệp kết quả."))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        batch.counts = {k: v for k, v in result.counts.items()}
        default = files.pop(_default_language())
        batch.error_file.save(default.name, default, save=False)
        storage = batch.error_file.storage
        batch.result_files = {
            language: storage.save(batch.error_file.field.generate_filename(batch, content.name), content)
            for language, content in files.items()
        }
        batch.message_entry = _summary(result)
        batch.message = batch.message_entry["text"]
        _transition(batch, status, actor=actor, extra={"counts": batch.counts}, event=event)
        progress.checkpoint({"finished": status, "errors": result.error_list(limit=100)})
    return batch


def _finished(batch: ImportBatch, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"status": batch.status, "counts": batch.counts, "errors": errors}


def _summary(result: ImportResult) -> dict[str, Any]:
    """The outcome as stored on the batch (the record: an entry and its text); pages and the API show
    `ImportBatch.summary`, the same in the reader's language."""
    return import_summary_entry(result.counts, written=result.write)


def import_batch_run(*, batch: ImportBatch, progress=None) -> dict[str, Any]:
    """The import job's body: check (and, when allowed now, write) the batch's file.

    From "uploaded": checks every row; a dry run ends "validated", a batch needing approval ends
    "awaiting approval" ("validated" when it has nothing to add or update; nothing written in any
    case), any other goes on to write. From "committing" (after a commit or an approval): writes
    the valid households a chunk per transaction and ends "committed". Anything unexpected ends
    "failed" with a readable message.

    Re-entrant for a job run again after its worker was killed (the job keeps its checkpoint):
    "validating" checks again (nothing was written); "committing" skips the chunks its checkpoint
    names and gives the result of an uninterrupted run; a batch its job already finished, or one
    a later job of the batch has taken over, is only reported.
    """
    batch = ImportBatch.objects.select_related("commune", "created_by").get(pk=batch.pk)
    actor = batch.created_by
    job = getattr(progress, "job", None)
    checkpoint = dict(job.checkpoint or {}) if job is not None else {}
    if job is not None and batch.job_id not in (None, job.pk):
        return _finished(batch, [])  # a re-run of an earlier job of the batch: a later one has the work
    if checkpoint.get("finished") == batch.status:
        return _finished(batch, checkpoint.get("errors", []))  # killed after finishing: nothing left to do
    if job is not None:
        job.done = 0  # a re-run counts the rows again from the first (skipped chunks included)
    if batch.status == ImportStatus.UPLOADED:
        immediate = not batch.dry_run and not batch.requires_approval
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _transition(locked, ImportStatus.VALIDATING, actor=None)
            if immediate:
                _transition(locked, ImportStatus.COMMITTING, actor=None)
        batch.status = locked.status
    if batch.status == ImportStatus.VALIDATING:  # the check pass (again, when killed during it)
        result = _guarded(batch.pk, lambda: _run_pass(batch, actor, write=False, progress=progress))
        # Nothing to add or update: not worth a second user's approval; it stays checked (and can be cancelled).
        nothing = not _counts_have_work(result.counts)
        status = ImportStatus.VALIDATED if batch.dry_run or nothing else ImportStatus.AWAITING_APPROVAL
        batch = _finish_pass(batch.pk, status, result, actor=None, progress=progress)
        return _finished(batch, result.error_list())
    if batch.status != ImportStatus.COMMITTING:
        raise application_error(
            gettext_noop("Lần nhập đang ở trạng thái “%(status)s”, không chạy được."),
            {"status": lazy_entry(ImportStatus(batch.status).label)}, code="import_bad_state",
        )  # fmt: skip
    resume = checkpoint if checkpoint.get("chunks_done") else None  # killed after committing some chunks
    result = _guarded(batch.pk, lambda: _run_pass(batch, actor, write=True, progress=progress, resume=resume))
    batch = _finish_pass(batch.pk, ImportStatus.COMMITTED, result, actor=actor,
                         event=RegistryEventType.IMPORT_COMMITTED, progress=progress)  # fmt: skip
    if _counts_have_work(result.counts):
        _queue_duplicate_scan(batch, actor, progress or _NoProgress())
    return _finished(batch, result.error_list())


def _queue_duplicate_scan(batch: ImportBatch, actor, progress) -> None:
    """After households were written, look for the same people already in the commune, as a form
    registration does for its one household: a scan of the commune, queued as its own job under
    the importing officer (who must be allowed to decide duplicates there; otherwise none)."""
    from .services_duplicates import duplicate_scan_start

    try:
        duplicate_scan_start(actor=actor, unit=batch.commune)
    except PermissionDenied:
        return
    progress.message(gettext_noop("Đã xếp lịch tìm người trùng trong %(unit)s."), {"unit": batch.commune.name})


def _run_pass(batch: ImportBatch, actor, *, write: bool, progress, resume=None) -> ImportResult:
    sheet = _load_sheet(batch)
    return import_rows(actor=actor, commune=batch.commune, sheet=sheet, mode=batch.mode, write=write,
                       progress=progress, resume=resume, chunk_size=CHUNK_HOUSEHOLDS)  # fmt: skip


def _guarded(batch_id: int, work):
    """Run a pass; on any failure mark the batch failed (with the reason) and re-raise for the job."""
    try:
        return work()
    except Exception as exc:
        # The reason as text (the record) and as an entry read in the reader's language (`failure_entry`:
        # none for a refusal's free text, which is kept as written).
        if isinstance(exc, ApplicationError | ValidationError):
            message = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
            entry = failure_entry(exc)
        else:
            entry = job_message(FILE_SYSTEM_ERROR)
            message = entry["text"]
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if ImportStatus.FAILED in IMPORT_TRANSITIONS[ImportStatus(locked.status)]:
                locked.message, locked.message_entry = message, entry
                _transition(locked, ImportStatus.FAILED, actor=None, extra={"error": message})
        raise


def import_batch_abandon(*, batch_id: int, job_id: int, message: str, entry: StoredEntry = None) -> None:
    """Fail the batch whose job recovery gave up on (no-op if a newer job has taken the batch over or
    it cannot fail from where it stands), with the reason as text and as an entry (the job's
    ``error_entry``). Audited by `_transition`; runs in recovery's transaction."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if (
            locked.job_id not in (None, job_id)
            or ImportStatus.FAILED not in IMPORT_TRANSITIONS[ImportStatus(locked.status)]
        ):
            return
        locked.message, locked.message_entry = message, entry
        _transition(locked, ImportStatus.FAILED, actor=None, extra={"error": message})


def _lock(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().select_related("commune").get(pk=batch.pk)


def _counts_have_work(counts: dict[str, Any] | None) -> bool:
    counts = counts or {}
    return bool(counts.get("created") or counts.get("updated"))


def import_batch_has_work(batch: ImportBatch) -> bool:
    """Whether the batch's check found at least one household to add or update (False before checking)."""
    return _counts_have_work(batch.counts)


def _refuse_if_nothing_to_write(batch: ImportBatch) -> None:
    if not import_batch_has_work(batch):
        raise ApplicationError(
            _("Lần nhập này không có hộ nào để thêm mới hoặc cập nhật, nên không có gì để ghi vào sổ hộ. "
              "Hãy sửa tệp theo tệp kết quả rồi tải lên lại."),
            code="import_nothing_to_write",
        )  # fmt: skip


def import_batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write a checked dry run: straight away, or after a second user's approval when required.

    Refused unless the actor may import in the commune and the batch is "validated", and when the
    check found no household to add or update (nothing to write, nothing for an approver to approve).
    """
    with transaction.atomic():
        locked = _lock(batch)
        if not actor.has_perm(IMPORT_PERM, locked.commune):
            raise PermissionDenied(_("Bạn không được nhập hộ trên địa bàn này."))
        if locked.status != ImportStatus.VALIDATED:
            raise ApplicationError(_("Chỉ ghi được lần chạy thử đã kiểm tra xong."), code="import_bad_state")
        _refuse_if_nothing_to_write(locked)
        if locked.requires_approval:
            _transition(locked, ImportStatus.AWAITING_APPROVAL, actor=actor)
        else:
            _transition(locked, ImportStatus.COMMITTING, actor=actor)
            _enqueue(locked, actor=actor)
    return locked


def import_batch_approve(*, actor, batch: ImportBatch) -> ImportBatch:
    """A second user approves a batch awaiting approval; it is then written in the background.

    Refused to the uploader (maker-checker), to anyone without ``registry.approve_import`` over the
    commune, unless the batch is awaiting approval, and when it has no household to add or update.
    """
    with transaction.atomic():
        locked = _lock(batch)
        if not actor.has_perm(APPROVE_PERM, locked.commune):
            raise PermissionDenied(_("Bạn không được duyệt lần nhập trên địa bàn này."))
        if locked.created_by_id == actor.pk:
            raise ApplicationError(
                _("Người tải tệp lên không được tự duyệt; cần người thứ hai duyệt."), code="import_self_approval"
            )
        if locked.status != ImportStatus.AWAITING_APPROVAL:
            raise ApplicationError(_("Lần nhập này không chờ duyệt."), code="import_bad_state")
        _refuse_if_nothing_to_write(locked)
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        _transition(locked, ImportStatus.COMMITTING, actor=actor, event=RegistryEventType.IMPORT_APPROVED,
                    extra={"approved_by": actor.get_username()})  # fmt: skip
        _enqueue(locked, actor=actor)
    return locked


def import_batch_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    """Cancel a batch not yet written (uploaded, validated or awaiting approval).

    Allowed to whoever may import in the commune (the uploader withdrawing) or approve there (the
    approver refusing). Nothing of the file is written afterwards.
    """
    with transaction.atomic():
        locked = _lock(batch)
        if not (actor.has_perm(IMPORT_PERM, locked.commune) or actor.has_perm(APPROVE_PERM, locked.commune)):
            raise PermissionDenied(_("Bạn không được hủy lần nhập trên địa bàn này."))
        _transition(locked, ImportStatus.CANCELLED, actor=actor)
    return locked


# -- command line -------------------------------------------------------------------------------


def import_file_run(*, commune: AdminUnit, data: bytes | os.PathLike, file_name: str, mode: str,
                    dry_run: bool) -> ImportResult:  # fmt: skip
    """Import a file synchronously as the system (the command line): no batch, no approval.

    `data`: the file's bytes, or its path (the command's: a CSV is then read from the disk as it is
    parsed, never held whole). Households are written as by `import_rows`, with the system as actor
    (audited as "system"); the run itself is recorded as one "Nhập dữ liệu hộ từ tệp" event.
    """
    if commune.level != Level.COMMUNE:
        raise ApplicationError(_("Chỉ nhập hộ vào một xã/phường/đặc khu."), code="not_a_commune")
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Cách nhập không hợp lệ.")})
    if isinstance(data, bytes | bytearray | memoryview):
        sha256 = hashlib.sha256(data).hexdigest()
    else:
        with open(data, "rb") as handle:
            sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    sheet = importing.parse_upload(data, file_name)
    del data  # the rows are in the sheet now: the file's bytes can go (the caller passed, not kept, them)
    result = import_rows(actor=None, commune=commune, sheet=sheet, mode=mode, write=not dry_run)
    if not dry_run:
        with transaction.atomic():
            audit_record(
                actor=None, event_type=RegistryEventType.IMPORT_COMMITTED, unit_path=commune.path,
                target_repr=file_name[:255],
                changes={"new": {"file_name": file_name, "sha256": sha256, "mode": mode, "counts": result.counts,
                                 "source": "command"}},
            )  # fmt: skip
    return result


# The job kind must be registered wherever batches can be started; RegistryConfig.ready should
# import `jobs` too (this import keeps it working until it does).
from . import jobs as _jobs  # noqa: E402, F401
