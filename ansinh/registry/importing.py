"""Reading household files (xlsx/xls via python-calamine, csv in any encoding Vietnamese offices use).

The file format (also written on the "Hướng dẫn" sheet of the template):

- one row per member; rows with the same ``Mã hộ`` form one household, wherever they are;
- household columns (village, address, housing …) are read from the head's row (``Quan hệ với chủ
  hộ`` = ``Chủ hộ``); on other rows they may be left blank or repeat the head's value — a different
  value is an error, so a household is never half of one thing and half of another;
- coded columns accept the label shown in the code-list sheets or the code, in any case, with or
  without accents ("Nữ", "nu", "female");
- dates are dd/mm/yyyy (or a real Excel date); a 4-digit ``Ngày sinh`` is taken as the birth year;
- a cell starting with ``=``, ``+``, ``-`` or ``@`` is data, never a formula: calamine gives the
  stored value of a formula cell, never evaluates it, and the text is validated like any other.

Nothing here touches the database except to look up villages and ethnicities; `parse_upload`
raises `ValidationError` with a message an officer understands for a file that cannot be read.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import pickle
import re
import struct
import tempfile
import unicodedata
import zipfile
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from ansinh.core.text import fold_vietnamese

from .choices import (
    Allowance,
    Diploma,
    Disability,
    Durability,
    HealthInsurance,
    InfoDevice,
    LabourStatus,
    LatrineType,
    Relation,
    Schooling,
    Sex,
    WaterSource,
)
from .import_messages import label_entry, row_error

# -- limits -------------------------------------------------------------------------------------

# An xlsx is a zip: a few kilobytes can inflate to gigabytes ("zip bomb"). Real household files
# compress 5-20×; we refuse anything beyond these bounds before any XML is parsed.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 2000
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10

XLSX_EXTENSIONS = ("xlsx", "xlsm")
XLS_EXTENSIONS = ("xls",)
CSV_EXTENSIONS = ("csv", "txt")
ALLOWED_EXTENSIONS = (*XLSX_EXTENSIONS, *XLS_EXTENSIONS, *CSV_EXTENSIONS)

# Characters XML 1.0 (hence xlsx) cannot hold; pasted text sometimes carries them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_PREFIXES = ("=", "+", "-", "@")


def max_upload_bytes() -> int:
    return int(getattr(settings, "ANSINH_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    """Data rows one file may hold (the benchmark's settings raise it to import 350,000 members at once)."""
    return int(getattr(settings, "ANSINH_MAX_IMPORT_ROWS", MAX_ROWS))


# -- columns ------------------------------------------------------------------------------------

HOUSEHOLD = "household"
MEMBER = "member"


@dataclass(frozen=True)
class Column:
    """One column of the household file: its header, where its value goes and how it is read."""

    key: str  # MemberData / HouseholdData field, fact name, or "village" / "code"
    header: Any  # lazy Vietnamese header as printed in the template
    level: str  # HOUSEHOLD or MEMBER
    kind: str  # text, code, choice, multi, flag, date, year, decimal, id, phone
    choices: type | None = None
    aliases: tuple[str, ...] = ()  # other headers people write (folded)
    value_aliases: dict[str, str] = field(default_factory=dict)  # folded text → code
    required: bool = False
    width: int = 16
    help: Any = ""
    example: str = ""


_YES_NO = {"co": "yes", "khong": "no", "x": "yes", "1": "yes", "0": "no"}
_NONE_WORDS = {"khong": "none", "0": "none"}

COLUMNS: list[Column] = [
    Column("code", gettext_lazy("Mã hộ"), HOUSEHOLD, "text", required=True, width=12,
           aliases=("ma ho gia dinh", "ma so ho"),
           help=gettext_lazy("Bắt buộc. Mọi dòng cùng mã hộ là một hộ. Tối đa 30 ký tự."), example="TX-0001"),
    Column("village", gettext_lazy("Thôn"), HOUSEHOLD, "village", width=14,
           aliases=("thon/to dan pho", "ma thon", "to dan pho", "thon, to dan pho"),
           help=gettext_lazy("Mã hoặc tên thôn/tổ dân phố (xem trang “Thôn”). Để trống: hộ thuộc xã."), example="T1"),
    Column("full_name", gettext_lazy("Họ và tên"), MEMBER, "text", required=True, width=26,
           aliases=("ho ten", "ho va ten thanh vien"), help=gettext_lazy("Bắt buộc."), example="Nguyễn Văn An"),
    Column("relation", gettext_lazy("Quan hệ với chủ hộ"), MEMBER, "choice", Relation, required=True, width=18,
           aliases=("quan he", "quan he voi chu ho"),
           value_aliases={"vo": "spouse", "chong": "spouse", "con de": "child", "con nuoi": "child",
                          "con dau": "child_in_law", "con re": "child_in_law", "bo": "parent", "me": "parent",
                          "cha": "parent", "ong": "grandparent", "ba": "grandparent", "anh": "sibling",
                          "chi": "sibling", "em": "sibling", "chau": "grandchild", "chu ho": "head"},
           help=gettext_lazy("Bắt buộc. Mỗi hộ đúng một “Chủ hộ” (xem trang “Quan hệ”)."), example="Chủ hộ"),
    Column("sex", gettext_lazy("Giới tính"), MEMBER, "choice", Sex, required=True, width=10,
           value_aliases={"m": "male", "f": "female", "nu gioi": "female", "nam gioi": "male"},
           help=gettext_lazy("Bắt buộc: Nam hoặc Nữ."), example="Nam"),
    Column("birth_date", gettext_lazy("Ngày sinh"), MEMBER, "date", width=12, aliases=("ngay thang nam sinh",),
           help=gettext_lazy("dd/mm/yyyy. Nếu chỉ biết năm, để trống và ghi cột “Năm sinh”."), example="02/03/1975"),
    Column("birth_year", gettext_lazy("Năm sinh"), MEMBER, "year", width=9,
           help=gettext_lazy("Bắt buộc khi không có ngày sinh."), example="1975"),
    Column("ethnicity_code", gettext_lazy("Dân tộc"), MEMBER, "ethnicity", width=12, aliases=("ma dan toc",),
           help=gettext_lazy("Mã hoặc tên dân tộc (xem trang “Dân tộc”)."), example="Kinh"),
    Column("id_number", gettext_lazy("Số CCCD"), MEMBER, "id", width=15,
           aliases=("cccd", "so cccd/cmnd", "so dinh danh", "so dinh danh ca nhan", "cmnd", "so cmnd"),
           help=gettext_lazy("12 chữ số (CMND cũ: 9). Nên định dạng ô là Văn bản để giữ số 0 đầu."),
           example="038075001234"),
    Column("health_insurance", gettext_lazy("BHYT"), MEMBER, "choice", HealthInsurance, width=10,
           aliases=("bao hiem y te", "the bhyt"), value_aliases=_YES_NO, help=gettext_lazy("Có/Không."),
           example="Có"),
    Column("schooling", gettext_lazy("Đang học"), MEMBER, "choice", Schooling, width=18, value_aliases=_NONE_WORDS,
           help=gettext_lazy("Cấp học đang theo học (xem trang “Đang học”)."), example="Không đi học"),
    Column("diploma", gettext_lazy("Bằng cấp"), MEMBER, "choice", Diploma, width=18,
           aliases=("bang cap cao nhat",), value_aliases=_NONE_WORDS, example="Tốt nghiệp THCS"),
    Column("disability", gettext_lazy("Khuyết tật"), MEMBER, "choice", Disability, width=16,
           value_aliases=_NONE_WORDS, example="Không khuyết tật"),
    Column("labour_status", gettext_lazy("Việc làm"), MEMBER, "choice", LabourStatus, width=22,
           aliases=("tinh trang viec lam",), example="Tự làm (nông nghiệp, buôn bán…)"),
    Column("allowance", gettext_lazy("Trợ cấp"), MEMBER, "choice", Allowance, width=16,
           aliases=("luong huu/tro cap",), value_aliases=_NONE_WORDS, example="Không"),
    Column("address", gettext_lazy("Địa chỉ"), HOUSEHOLD, "text", width=24, example="Xóm Đông"),
    Column("phone", gettext_lazy("Điện thoại"), HOUSEHOLD, "phone", width=13, aliases=("so dien thoai",),
           example="0912345678"),
    Column("housing_area_m2", gettext_lazy("Diện tích nhà (m²)"), HOUSEHOLD, "decimal", width=12,
           aliases=("dien tich nha", "dien tich nha o", "dien tich nha o (m2)", "dien tich nha (m2)"), example="45,5"),
    Column("wall_durability", gettext_lazy("Tường"), HOUSEHOLD, "choice", Durability, width=14,
           value_aliases={"ben": "durable", "khong ben": "not_durable"}, example="Bền chắc"),
    Column("column_durability", gettext_lazy("Cột (khung)"), HOUSEHOLD, "choice", Durability, width=14,
           aliases=("cot", "khung"), value_aliases={"ben": "durable", "khong ben": "not_durable"}, example="Bền chắc"),
    Column("roof_durability", gettext_lazy("Mái"), HOUSEHOLD, "choice", Durability, width=14,
           value_aliases={"ben": "durable", "khong ben": "not_durable"}, example="Không bền chắc"),
    Column("water_source", gettext_lazy("Nguồn nước"), HOUSEHOLD, "choice", WaterSource, width=22,
           aliases=("nguon nuoc sinh hoat",), example="Nước máy"),
    Column("latrine_type", gettext_lazy("Nhà tiêu"), HOUSEHOLD, "choice", LatrineType, width=22,
           aliases=("loai nha tieu",), value_aliases={"khong": "none", "khong co": "none"},
           example="Tự hoại, bán tự hoại"),
    Column("info_devices", gettext_lazy("Phương tiện thông tin"), HOUSEHOLD, "multi", InfoDevice, width=22,
           aliases=("phuong tien tiep can thong tin",),
           help=gettext_lazy("Nhiều giá trị cách nhau bởi dấu phẩy hoặc chấm phẩy."),
           example="Ti vi, Điện thoại thông minh"),
    Column("production_land_m2", gettext_lazy("Đất sản xuất (m²)"), HOUSEHOLD, "decimal", width=12,
           aliases=("dat san xuat", "dien tich dat san xuat", "dat san xuat (m2)"), example="1200"),
    Column("has_meritorious_person", gettext_lazy("Có người có công"), HOUSEHOLD, "flag", width=10,
           aliases=("nguoi co cong",), help=gettext_lazy("Có/Không."), example="Không"),
    Column("has_social_assistance", gettext_lazy("Có đối tượng BTXH"), HOUSEHOLD, "flag", width=10,
           aliases=("bao tro xa hoi", "co doi tuong bao tro xa hoi"), help=gettext_lazy("Có/Không."), example="Không"),
    Column("no_labour_capacity", gettext_lazy("Hộ không có khả năng lao động"), HOUSEHOLD, "flag", width=10,
           help=gettext_lazy("Có/Không."), example="Không"),
    Column("lone_household", gettext_lazy("Hộ neo đơn"), HOUSEHOLD, "flag", width=10,
           help=gettext_lazy("Có/Không."), example="Không"),
    Column("is_local_indigenous", gettext_lazy("Dân tộc tại chỗ"), HOUSEHOLD, "flag", width=10,
           help=gettext_lazy("Có/Không."), example="Không"),
    Column("notes", gettext_lazy("Ghi chú"), HOUSEHOLD, "text", width=24, example=""),
]  # fmt: skip

COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
# Columns the error workbook adds; ignored when that workbook is uploaded again after fixing.
RESULT_HEADERS = (gettext_lazy("Kết quả"), gettext_lazy("Lỗi"), gettext_lazy("Dòng"))
FACT_KEYS = [c.key for c in COLUMNS if c.level == HOUSEHOLD and c.key not in ("code", "village")]
MEMBER_KEYS = [c.key for c in COLUMNS if c.level == MEMBER]

_PAREN = re.compile(r"\s*\(.*?\)\s*")
_FLAG_TRUE = {"co", "x", "1", "true", "yes", "c", "dung"}
_FLAG_FALSE = {"khong", "0", "false", "no", "k", "sai"}


def fold(value: Any) -> str:
    return _fold_text(str(value))


# Remembered readings are bounded well below a large file's distinct values (household codes,
# CCCDs and names are nearly all distinct): the repeated labels stay remembered, and the memory
# they take is the same for a 10,000- as for a 100,000-household file.
TEXT_CACHE_SIZE = 16_384


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _fold_text(text: str) -> str:
    """`fold_vietnamese`, remembered: a file repeats the same codes, labels and villages on every row."""
    return fold_vietnamese(text)


def _labels(lazy_text) -> list[str]:
    """A lazy label in the active language and in Vietnamese (files are Vietnamese whatever the UI)."""
    with translation.override("vi"):
        vietnamese = str(lazy_text)
    return list(dict.fromkeys([str(lazy_text), vietnamese]))


def _header_keys() -> dict[str, str]:
    """Folded header text → column key (headers, their forms without "(…)", aliases and keys)."""
    keys: dict[str, str] = {}
    for column in COLUMNS:
        for text in (*_labels(column.header), column.key, *column.aliases):
            folded = fold(text)
            keys.setdefault(folded, column.key)
            keys.setdefault(fold(_PAREN.sub(" ", folded)), column.key)
    return keys


def match_header(text: Any) -> str | None:
    folded = fold(text or "")
    if not folded:
        return None
    keys = _header_keys()
    return keys.get(folded) or keys.get(fold(_PAREN.sub(" ", folded)))


def choice_lookup(column: Column) -> dict[str, str]:
    """Folded label or code → code for a coded column (labels in the active language and codes)."""
    return _choice_lookup(column.key, get_language() or "")


@lru_cache(maxsize=256)
def _choice_lookup(key: str, language: str) -> dict[str, str]:
    column = COLUMNS_BY_KEY[key]
    lookup: dict[str, str] = {}
    members = list(column.choices)
    for member in members:
        lookup.setdefault(fold(member.value), member.value)
        for label in _labels(member.label):
            lookup.setdefault(fold(label), member.value)
    # "Vợ/chồng" → "vợ", "chồng" (an earlier choice keeps a shared part).
    for member in members:
        for label in _labels(member.label):
            for part in label.split("/"):
                if fold(part):
                    lookup.setdefault(fold(part), member.value)
    for text, code in column.value_aliases.items():
        lookup.setdefault(text, code)
    return lookup


@lru_cache(maxsize=1)
def ethnicity_table() -> dict[str, str]:
    """Code, code without leading zero, folded name and folded name without spaces → code.

    Cached: `import_rows` clears it at the start of every run, so a run sees the current list.
    """
    from .models import Ethnicity

    table: dict[str, str] = {}
    for code, name in Ethnicity.objects.values_list("code", "name"):
        table[code] = code
        table[code.lstrip("0") or "0"] = code
        table[fold(name)] = code
        table[fold(name).replace(" ", "")] = code
    return table


# -- reading files ------------------------------------------------------------------------------


_SEPARATOR = "\x1f"  # joins the text cells of a stored row (a cell holding it is stored pickled)
_PICKLED = b"\x00"  # first byte of a pickled row (CSV text never holds NUL: `decode_csv` refuses it)
_STR_ONLY = {str}


# Bytes a `SpilledBlobs` keeps in memory before it moves them to a temporary file.
SPILL_BYTES = 4 * 1024 * 1024
_READ_AHEAD = 256 * 1024  # bytes read from the file at once: a chunk's rows are mostly side by side
_BLOB_LENGTH = struct.Struct("<I")  # the length before each blob of a `SpilledBlobs`
_ANCHOR_EVERY = 64  # a `SpilledBlobs` keeps the offset of every 64th blob (a power of two)
_ANCHOR_MASK = _ANCHOR_EVERY - 1


class SpilledBlobs:
    """An append-only list of byte strings kept in a temporary file once they pass `spill_bytes`.

    The blobs are one stream, each after its length (4 bytes); what stays in memory is the stream
    offset of every `_ANCHOR_EVERY`-th blob (an eighth of a byte a blob, so the 3.5 million rows of
    a 1,000,000-household file cost 0.4 MB, not the 28 MB of an offset each) and at most
    `spill_bytes` of the latest blobs; the operating system's page cache keeps the file's recent
    pages. A read takes the lengths of the blob's group of `_ANCHOR_EVERY` at once (kept for the
    next read: neighbours are usually read next), from a `os.pread` window of the file. The file is
    removed when the object is garbage-collected (or `close`d).
    """

    def __init__(self, spill_bytes: int | None = None) -> None:
        self._spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes
        self._anchors = array("Q")  # stream offset of blobs 0, 64, 128 …
        self._count = 0
        self._size = 0  # bytes of the stream in all (lengths included)
        self._flushed = 0  # bytes of them in the file (the rest are in `_buffer`)
        self._buffer = bytearray()
        self._file = None
        self._window_start, self._window = 0, b""
        # The group of blobs read last: its number, its bytes and each blob's (start, end) in them.
        self._group, self._group_bytes, self._group_spans = -1, b"", []

    def append(self, blob: bytes) -> int:
        """Store `blob`; its index."""
        index = self._count
        if not index & _ANCHOR_MASK:
            self._anchors.append(self._size)
        self._buffer += _BLOB_LENGTH.pack(len(blob))
        self._buffer += blob
        self._size += _BLOB_LENGTH.size + len(blob)
        self._count = index + 1
        if len(self._buffer) > self._spill_bytes:
            self._flush()
        return index

    def _flush(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="ansinh-import-")  # noqa: SIM115 - lives with the object
        view = memoryview(self._buffer)
        written = 0
        while written < len(view):
            written += os.pwrite(self._file.fileno(), view[written:], self._flushed + written)
        view.release()
        self._flushed += len(self._buffer)
        self._buffer = bytearray()

    def _stream(self, start: int, end: int) -> bytes:
        """Bytes `start` … `end` of the stream, from the buffer or the file (through the read window)."""
        flushed = self._flushed
        if start >= flushed:
            return bytes(self._buffer[start - flushed : end - flushed])
        if end > flushed:
            return self._stream(start, flushed) + self._stream(flushed, end)
        window_start = self._window_start
        if not (window_start <= start and end <= window_start + len(self._window)):
            self._window = os.pread(self._file.fileno(), max(end - start, _READ_AHEAD), start)
            self._window_start = window_start = start
        return self._window[start - window_start : end - window_start]

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> bytes:
        count = self._count
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(index)
        group, at = divmod(index, _ANCHOR_EVERY)
        spans = self._group_spans
        if group != self._group or at >= len(spans):  # the last group may have grown since it was read
            start = self._anchors[group]
            end = self._anchors[group + 1] if group + 1 < len(self._anchors) else self._size
            data = self._stream(start, end)
            spans, position, unpack, size = [], 0, _BLOB_LENGTH.unpack_from, _BLOB_LENGTH.size
            while position < len(data):
                (length,) = unpack(data, position)
                position += size
                spans.append((position, position + length))
                position += length
            self._group, self._group_bytes, self._group_spans = group, data, spans
        blob_start, blob_end = spans[at]
        return self._group_bytes[blob_start:blob_end]

    def __iter__(self) -> Iterator[bytes]:
        for group in range(len(self._anchors)):
            self[group * _ANCHOR_EVERY]  # reads the group's bytes and spans
            data = self._group_bytes
            for start, end in self._group_spans:
                yield data[start:end]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class RowNumbers(Sequence):
    """Row numbers as runs of consecutive numbers (a run's first index and first number): a file's
    numbers go up by one but for its blank rows, so a 3.5-million-row file keeps a few runs, not
    an 8-byte number a row."""

    def __init__(self) -> None:
        self._run_starts = array("q")  # index of each run's first row
        self._run_numbers = array("q")  # … and its number
        self._count = 0
        self._last = 0

    def append(self, number: int) -> None:
        if not self._count or number != self._last + 1:
            self._run_starts.append(self._count)
            self._run_numbers.append(number)
        self._last = number
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        starts = self._run_starts
        run = 0 if len(starts) == 1 else bisect_right(starts, index) - 1
        return self._run_numbers[run] + index - starts[run]

    def __iter__(self) -> Iterator[int]:
        starts, numbers = self._run_starts, self._run_numbers
        for run in range(len(starts)):
            stop = starts[run + 1] if run + 1 < len(starts) else self._count
            yield from range(numbers[run], numbers[run] + stop - starts[run])


class CompactRows(Sequence):
    """The data rows of a file as ``(number, cells)``, each row stored as one bytes object.

    A row of text cells is its cells joined by U+001F, in UTF-8 (other rows are pickled), kept in
    a `SpilledBlobs`, and its number in `RowNumbers`: whatever the file's size, the rows cost a
    few MB of memory (the rows themselves, ~25 MB for 100,000 households, are in a temporary
    file) instead of ~500 MB as lists of strings, and a row is decoded again in about a
    microsecond when its chunk is worked on.
    """

    def __init__(self, spill_bytes: int | None = None) -> None:
        self._numbers = RowNumbers()
        self._blobs = SpilledBlobs(spill_bytes)

    def append(self, number: int, cells: list[Any]) -> None:
        # Text cells only (`type` exactly str), none holding the separator: the join has exactly one
        # separator fewer than cells. One set of the cells' types and one count, not a call per cell.
        if (
            cells
            and set(map(type, cells)) == _STR_ONLY
            and (text := _SEPARATOR.join(cells)).count(_SEPARATOR) == len(cells) - 1
        ):
            blob = text.encode("utf-8")
        else:
            blob = _PICKLED + pickle.dumps(list(cells), protocol=pickle.HIGHEST_PROTOCOL)
        self._numbers.append(number)
        self._blobs.append(blob)

    @staticmethod
    def _cells(blob: bytes) -> list[Any]:
        if blob[:1] == _PICKLED:
            return pickle.loads(blob[1:])  # noqa: S301 - bytes this class pickled itself
        return blob.decode("utf-8").split(_SEPARATOR)

    def number(self, index: int) -> int:
        """The row number of row `index`, without decoding its cells."""
        return self._numbers[index]

    @property
    def numbers(self) -> Sequence[int]:
        """The row numbers of all rows (without decoding any cells)."""
        return self._numbers

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._numbers[index], self._cells(self._blobs[index])

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        cells = self._cells
        for number, blob in zip(self._numbers, self._blobs, strict=True):
            yield number, cells(blob)


@dataclass
class Sheet:
    """The rows of a household file, with the header row found and mapped to column keys."""

    headers: list[str]  # as written in the file
    keys: list[str | None]  # column key of each header (None: ignored column)
    rows: Sequence[tuple[int, list[Any]]]  # (row number as the officer sees it, cells): CompactRows or a list
    file_format: str
    encoding: str = ""
    header_row: int = 1

    @cached_property
    def present(self) -> set[str]:
        return {k for k in self.keys if k}

    @cached_property
    def _index(self) -> dict[str, int]:
        """Column key → position of its first column (read for every cell of the file, so kept)."""
        index: dict[str, int] = {}
        for position, key in enumerate(self.keys):
            if key:
                index.setdefault(key, position)
        return index

    def cell(self, cells: list[Any], key: str) -> Any:
        index = self._index.get(key)
        if index is None:
            return None
        return cells[index] if index < len(cells) else None

    def column_index(self, key: str) -> int | None:
        return self.keys.index(key) if key in self.keys else None


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def check_zip_bomb(data: bytes) -> None:
    """Refuse an xlsx whose members would inflate beyond safe bounds, before anything is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:  # damaged headers: zip version
        raise ValidationError(
            _("Tệp không phải là tệp Excel .xlsx hợp lệ (có thể tệp bị hỏng hoặc bị đổi đuôi)."), code="bad_xlsx"
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ValidationError(_("Tệp Excel có cấu trúc bất thường (quá nhiều thành phần)."), code="zip_bomb")
        total = 0
        for info in members:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO and info.file_size > 1024 * 1024:
                raise ValidationError(
                    _("Tệp Excel bị nén bất thường (giải nén ra gấp %(ratio)d lần). Hệ thống không mở tệp "
                      "này để bảo vệ máy chủ; hãy lưu lại tệp bằng Excel rồi tải lên lại.") % {"ratio": ratio},
                    code="zip_bomb",
                )  # fmt: skip
        if total > int(getattr(settings, "ANSINH_MAX_XLSX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)):
            raise ValidationError(
                _("Tệp Excel quá lớn khi giải nén (%(mb)d MB). Hãy chia thành nhiều tệp nhỏ hơn.")
                % {"mb": total // (1024 * 1024)},
                code="zip_bomb",
            )


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding name of a CSV: BOMs first, then strict UTF-8, then Windows-1258.

    CP1258 writes many Vietnamese letters as a base letter plus a combining tone mark; the text
    is normalised to NFC so "Nguyễn" from any encoding compares equal.
    """
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ValidationError(_("Tệp CSV UTF-16 bị hỏng, không đọc được."), code="bad_encoding") from exc
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1258"), "cp1258"
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    _("Không nhận ra bảng mã của tệp CSV. Hãy lưu lại với bảng mã UTF-8 (Excel: “CSV UTF-8”)."),
                    code="bad_encoding",
                ) from exc
    if "\x00" in text:
        raise ValidationError(_("Tệp CSV chứa ký tự nhị phân: có thể không phải tệp văn bản."), code="bad_encoding")
    return unicodedata.normalize("NFC", text), encoding


def _sniff_delimiter(text: str) -> str:
    return _delimiter_of(next((line for line in text.splitlines() if line.strip()), ""))


def _delimiter_of(first: str) -> str:
    """The delimiter of a CSV whose first non-blank line is `first`."""
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_DECODE_BLOCK = 1024 * 1024  # bytes of a CSV decoded at a time


# A CSV's bytes: in memory (an upload) or a file on disk, read a block at a time (the command's file).
CsvSource = bytes | os.PathLike


def _head(source: CsvSource, size: int) -> bytes:
    """The first `size` bytes of `source` (where its BOM is)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[:size])
    with open(source, "rb") as handle:
        return handle.read(size)


def _byte_blocks(source: CsvSource, skip: int, block: int) -> Iterator[bytes | memoryview]:
    """``source[skip:]``, `block` bytes at a time; a file is read as it goes, never held whole."""
    if isinstance(source, bytes | bytearray | memoryview):
        with memoryview(source) as view:
            for start in range(skip, len(view), block):
                yield view[start : start + block]
        return
    with open(source, "rb") as handle:
        handle.seek(skip)
        while piece := handle.read(block):
            yield piece


def _decoded_blocks(data: CsvSource, codec: str, skip: int, block: int) -> Iterator[str]:
    """The text of ``data[skip:]`` in `codec`, `block` bytes at a time (UnicodeDecodeError if it is not).
    A character whose bytes are split between two blocks is decoded with the second (incremental decoder)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    for piece in _byte_blocks(data, skip, block):
        text = decoder.decode(piece)
        if text:
            yield text
    text = decoder.decode(b"", final=True)
    if text:
        yield text


def _csv_codec(data: CsvSource, block: int = _DECODE_BLOCK) -> tuple[str, int, str] | None:
    """(codec, BOM bytes to skip, encoding name) that `decode_csv` chooses for `data`, found by
    decoding it a block at a time without keeping the text; None when `decode_csv` refuses it.

    The whole file is decoded, not a leading sample: a file whose first megabytes are plain ASCII
    and whose later rows are CP1258 is CP1258 (a sample would call it UTF-8 and fail half-way)."""
    head = _head(data, 4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8", len(codecs.BOM_UTF8), "utf-8-sig")]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", 0, "utf-16")]
    else:
        candidates = [("utf-8", 0, "utf-8"), ("cp1258", 0, "cp1258")]
    for codec, skip, encoding in candidates:
        try:
            if any("\x00" in text for text in _decoded_blocks(data, codec, skip, block)):
                return None
        except UnicodeDecodeError:
            continue
        return codec, skip, encoding
    return None


def _split_lines(text: str) -> list[str]:
    return [m.group() for m in _LINE.finditer(text) if m.group()]


def _csv_lines(data: CsvSource, codec: str, skip: int, block: int = _DECODE_BLOCK) -> Iterator[str]:
    """The lines of the NFC text `decode_csv` gives, ends kept, cut as `_LINE` cuts that whole
    text, a block at a time. A line end (\r, \n) never combines with what is around it, so the
    NFC of each piece ending after one is the NFC of the whole, cut there; a block ending in \r
    keeps it back (a \n may follow in the next)."""
    pending = ""
    for piece in _decoded_blocks(data, codec, skip, block):
        text = pending + piece
        end = max(text.rfind("\n"), text.rfind("\r"))
        if end == len(text) - 1 and text[end] == "\r":
            end = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
        pending = text[end + 1 :]
        if end >= 0:
            yield from _split_lines(unicodedata.normalize("NFC", text[: end + 1]))
    if pending:
        yield from _split_lines(unicodedata.normalize("NFC", pending))


def _read_csv(data: CsvSource, *, block: int = _DECODE_BLOCK) -> tuple[Iterator[list[Any]], str]:
    """The rows of a CSV (its bytes, or the path of a file) as they are parsed (not all at once) and
    its encoding.

    The text is decoded a block at a time as the rows are read (a 23 MB file never becomes one
    ~50 MB string; a file on disk is read a block at a time too, twice: once to choose the
    encoding, once to parse); the encoding is the one `decode_csv` chooses, and a file it refuses
    is refused with its error.
    """
    found = _csv_codec(data, block)
    if found is None:
        if not isinstance(data, bytes | bytearray | memoryview):
            with open(data, "rb") as handle:
                data = handle.read()
        text, encoding = decode_csv(data)  # raises the error the file deserves
        lines: Iterator[str] = iter(_split_lines(text))
        delimiter = _sniff_delimiter(text)
    else:
        codec, skip, encoding = found
        lines = _csv_lines(data, codec, skip, block)
        head: list[str] = []
        first = ""
        for line in lines:  # the lines up to the first non-blank one name the delimiter
            head.append(line)
            first = next((part for part in line.splitlines() if part.strip()), "")
            if first:
                break
        delimiter = _delimiter_of(first)
        lines = chain(head, lines)
    reader = csv.reader(lines, delimiter=delimiter)

    def rows() -> Iterator[list[Any]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise ValidationError(_("Tệp CSV sai định dạng: %(error)s") % {"error": exc}, code="bad_csv") from exc

    return rows(), encoding


def _read_workbook(data: bytes) -> Iterator[Iterator[list[Any]]]:
    """The rows of each sheet in turn, made into Python values as they are read.

    calamine holds a sheet's cells in its own compact form (about 50 bytes a cell); converting the
    whole sheet to Python lists at once (`to_python`) doubled that, and did so for every sheet.
    Rows come as `to_python(skip_empty_area=False)` gives them: blank rows and columns before the
    first used cell are kept, so row numbers are the ones the officer sees in Excel.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise _unreadable_workbook() from exc
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.iter_rows()
        except Exception as exc:
            raise _unreadable_workbook() from exc
        yield _padded_rows(rows, sheet.start[1] if sheet.start else 0)
        del sheet, rows  # the next sheet is loaded only if this one had no header row


def _padded_rows(rows: Iterator[list[Any]], blank_columns: int) -> Iterator[list[Any]]:
    """calamine's rows start at the first used column; put back the blank columns before it."""
    if not blank_columns:
        yield from rows
        return
    pad = [""] * blank_columns
    for row in rows:
        yield pad + row


def _unreadable_workbook() -> ValidationError:
    return ValidationError(
        _("Không đọc được tệp Excel (tệp hỏng, có mật khẩu hoặc không đúng định dạng)."), code="bad_xlsx"
    )


def _find_header(rows: list[list[Any]]) -> int | None:
    """Index of the first row (among the first few) that has the "Mã hộ" and "Họ và tên" columns."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {match_header(c) for c in row if c not in (None, "")}
        if {"code", "full_name"} <= keys:
            return index
    return None


def _blank_row(row: list[Any]) -> bool:
    """Every cell None, "" or only spaces. For text cells (a CSV's, most of a workbook's) that is their
    concatenation being only spaces: one join and one strip instead of a test per cell."""
    try:
        return not "".join(row).strip()
    except TypeError:  # a cell that is not text
        return all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in row)


def _build_sheet(rows: Iterable[list[Any]], *, file_format: str, encoding: str = "") -> Sheet | None:
    rows = iter(rows)
    first = list(islice(rows, HEADER_SEARCH_ROWS))
    header_index = _find_header(first)
    if header_index is None:
        return None
    headers = [clean_text(c) for c in first[header_index]]
    ignored = {fold(h) for h in RESULT_HEADERS}
    keys = [None if fold(h) in ignored else match_header(h) for h in headers]
    seen: dict[str, str] = {}
    for header, key in zip(headers, keys, strict=True):
        if key is None:
            continue
        if key in seen:
            raise ValidationError(
                _("Cột “%(a)s” và “%(b)s” cùng là một thông tin; hãy xóa một cột.") % {"a": seen[key], "b": header},
                code="duplicate_column",
            )
        seen[key] = header
    missing = [str(COLUMNS_BY_KEY[k].header) for k in ("code", "full_name", "relation", "sex") if k not in seen]
    if "birth_date" not in seen and "birth_year" not in seen:
        missing.append(_("Ngày sinh hoặc Năm sinh"))
    if missing:
        raise ValidationError(_("Tệp thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}, code="missing_columns")
    body = CompactRows()
    limit = max_rows()
    for offset, row in enumerate(chain(first[header_index + 1 :], rows), start=header_index + 2):
        if _blank_row(row):
            continue
        if len(body) == limit:
            raise ValidationError(
                _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp.") % {"n": f"{limit:,}".replace(",", ".")},
                code="too_many_rows",
            )
        body.append(offset, row)
    return Sheet(headers, keys, body, file_format, encoding, header_index + 1)


def check_upload_size(size: int) -> None:
    """Refuse a file larger than `max_upload_bytes`, or an empty one, from its size alone: callers
    that can know the size first (a stored upload, a file on disk) check it before reading a byte."""
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            _("Tệp quá lớn (%(size).1f MB); tối đa %(limit).1f MB.")
            % {"size": size / 1048576, "limit": limit / 1048576},
            code="too_large",
        )
    if not size:
        raise ValidationError(_("Tệp rỗng."), code="empty")


def parse_upload(data: bytes | os.PathLike, file_name: str) -> Sheet:
    """Read an uploaded household file. Refuses oversize, zip bombs, unreadable files and missing columns.

    `data`: the file's bytes, or the path of a file on disk (the command line): a CSV is then read
    from the disk a block at a time, so the memory a large file takes does not grow with it; a
    workbook is read whole, as calamine needs it."""
    on_disk = not isinstance(data, bytes | bytearray | memoryview)
    check_upload_size(os.stat(data).st_size if on_disk else len(data))
    extension = extension_of(file_name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv); tệp đã chọn là “.%(ext)s”.") % {"ext": extension},
            code="bad_extension",
        )
    if extension in CSV_EXTENSIONS:
        rows, encoding = _read_csv(data)
        sheet = _build_sheet(rows, file_format="csv", encoding=encoding)
    else:
        if on_disk:
            with open(data, "rb") as handle:
                data = handle.read()
        if extension in XLSX_EXTENSIONS:
            check_zip_bomb(data)
        sheet = None
        for rows in _read_workbook(data):
            sheet = _build_sheet(rows, file_format="xls" if extension in XLS_EXTENSIONS else "xlsx")
            if sheet is not None:
                break
    if sheet is None:
        raise ValidationError(
            _("Không tìm thấy dòng tiêu đề có cột “Mã hộ” và “Họ và tên” trong %(n)d dòng đầu. Hãy dùng tệp mẫu.")
            % {"n": HEADER_SEARCH_ROWS},
            code="no_header",
        )
    if not sheet.rows:
        raise ValidationError(_("Tệp không có dòng dữ liệu nào."), code="empty")
    return sheet


# -- reading cells ------------------------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be read; the message is shown on that cell of the error workbook.

    Made from a source string (marked with ``gettext_noop``) and its parameters, or from an entry
    already made: `entry` is the message for `import_messages.row_error_text`, which shows it in the
    reader's language; ``str()`` is its text in the active language."""

    def __init__(self, message: str | dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.entry = message if isinstance(message, dict) else row_error(message, params)
        super().__init__(self.entry["text"])


def clean_text(value: Any) -> str:
    """A cell as text: NFC, no control characters, no surrounding spaces; 12.0 → "12"."""
    if value is None:
        return ""
    if type(value) is str:
        return _clean_str(value)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return _clean_str(str(value))


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _clean_str(value: str) -> str:
    """`clean_text` of a string (remembered: most cells of a file repeat a few values)."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]  # our export's (and CSV tools') marker that the text is not a formula
    return text


def is_blank(value: Any) -> bool:
    return clean_text(value) == ""


_DATE_PATTERNS = [
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
]


def read_date(value: Any) -> tuple[date | None, int | None]:
    """(date, year) of a birth date cell: a real date, dd/mm/yyyy, yyyy-mm-dd, or only a year."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = clean_text(value)
    if not text:
        return None, None
    if re.fullmatch(r"\d{4}", text):
        return None, int(text)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"]), None
            except ValueError as exc:
                raise CellError(gettext_noop("Ngày “%(v)s” không tồn tại."), {"v": text}) from exc
    raise CellError(gettext_noop("Ngày “%(v)s” không đúng dạng dd/mm/yyyy."), {"v": text})


def read_year(value: Any) -> int | None:
    text = clean_text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text):
        raise CellError(gettext_noop("Năm sinh “%(v)s” phải là 4 chữ số."), {"v": text})
    return int(text)


def read_flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = fold(clean_text(value))
    if not text:
        return None
    if text in _FLAG_TRUE:
        return True
    if text in _FLAG_FALSE:
        return False
    raise CellError(gettext_noop("Hãy ghi “Có” hoặc “Không” (đã ghi “%(v)s”)."), {"v": clean_text(value)})


def read_decimal(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number cell of a workbook: the same checks as typed text (a negative area was let through).
        number = Decimal(str(value))
    else:
        text = clean_text(value).replace(" ", "")
        if not text:
            return None
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")
        elif "," in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(gettext_noop("“%(v)s” không phải là số."), {"v": clean_text(value)}) from exc
    if not number.is_finite():  # "NaN", "Infinity": Decimal reads them, comparing NaN raises
        raise CellError(gettext_noop("“%(v)s” không phải là số."), {"v": clean_text(value)})
    if number < 0:
        raise CellError(gettext_noop("Diện tích không được âm."))
    if number >= Decimal("1e9"):
        raise CellError(gettext_noop("Số “%(v)s” quá lớn."), {"v": clean_text(value)})
    return number.quantize(Decimal("0.1"))


def read_id(value: Any) -> str:
    """CCCD as typed; a number cell lost its leading zero in Excel (38… → 038…), so it is put back.

    A masked number from an export ("•••••••••123") reads as blank: in "update" mode that keeps
    the stored number, so an exported file can be corrected and imported again.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) == 11:
            return digits.zfill(12)
        if len(digits) == 8:
            return digits.zfill(9)
        return digits
    text = clean_text(value)
    return "" if "•" in text else text


def read_phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    text = clean_text(value)
    if len(text) > 20:
        raise CellError(gettext_noop("Số điện thoại dài tối đa 20 ký tự."))
    return text


def read_choice(column: Column, value: Any) -> str:
    text = clean_text(value)
    if not text:
        return ""
    code = choice_lookup(column).get(fold(text))
    if code is None:
        raise CellError(
            gettext_noop("“%(v)s” không có trong danh mục “%(col)s” (xem trang danh mục)."),
            {"v": text, "col": label_entry(column.header)},
        )
    return code


def read_multi(column: Column, value: Any) -> list[str]:
    text = clean_text(value)
    if not text:
        return []
    lookup = choice_lookup(column)
    codes, unknown = [], []
    for part in re.split(r"[;,\n]", text):
        if not part.strip():
            continue
        code = lookup.get(fold(part))
        (codes if code else unknown).append(code or part.strip())
    if unknown:
        raise CellError(gettext_noop("Không có trong danh mục: %(v)s."), {"v": ", ".join(unknown)})
    return list(dict.fromkeys(codes))


def read_ethnicity(value: Any) -> str:
    text = clean_text(value)
    if not text:
        return ""
    table = ethnicity_table()
    folded = fold(text)
    code = table.get(text) or table.get(text.zfill(2)) or table.get(folded) or table.get(folded.replace(" ", ""))
    if code is None and folded.startswith("dan toc "):
        code = table.get(folded.removeprefix("dan toc "))
    if code is None:
        raise CellError(gettext_noop("Dân tộc “%(v)s” không có trong danh mục (xem trang “Dân tộc”)."), {"v": text})
    return code


def read_text(column: Column, value: Any) -> str:
    text = clean_text(value)
    if column.key == "full_name":
        text = " ".join(text.split())
        if text.startswith(FORMULA_PREFIXES):
            raise CellError(gettext_noop("Họ tên không được bắt đầu bằng ký tự “%(c)s”."), {"c": text[0]})
        if len(text) > 150:
            raise CellError(gettext_noop("Họ tên dài tối đa 150 ký tự."))
    elif column.key == "address" and len(text) > 255:
        raise CellError(gettext_noop("Địa chỉ dài tối đa 255 ký tự."))
    elif column.key == "code" and len(text) > 30:
        raise CellError(gettext_noop("Mã hộ dài tối đa 30 ký tự."))
    return text


READERS: dict[str, Callable[[Column, Any], Any]] = {
    "text": read_text,
    "choice": read_choice,
    "multi": read_multi,
    "flag": lambda c, v: read_flag(v),
    "year": lambda c, v: read_year(v),
    "decimal": lambda c, v: read_decimal(v),
    "id": lambda c, v: read_id(v),
    "phone": lambda c, v: read_phone(v),
    "ethnicity": lambda c, v: read_ethnicity(v),
}


def read_cell(key: str, value: Any) -> Any:
    """The value of one cell for column `key`, or CellError. Village and date columns are read elsewhere."""
    column = COLUMNS_BY_KEY[key]
    return READERS[column.kind](column, value)
