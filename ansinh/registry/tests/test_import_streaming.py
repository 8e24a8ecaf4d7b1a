"""A file on disk is read as it is parsed, and what the import keeps per household stays compact:
the same rows, encodings, groups, outcomes and errors as reading the bytes and grouping in dicts."""

import codecs
import json
import random
from array import array
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ansinh.audit.models import AuditEvent
from ansinh.registry import importing, services_import
from ansinh.registry.events import RegistryEventType
from ansinh.registry.identity import normalise_id_number
from ansinh.registry.importing import CompactRows, RowNumbers, Sheet, SpilledBlobs, clean_text, fold, parse_upload

from .data.import_files import HEADERS, ROWS, csv_bytes, csv_text, xlsx_bytes
from .test_importing import to_cp1258_form

# -- reading a CSV from the disk ------------------------------------------------------------------


def _encoded(text: str, encoding: str) -> bytes:
    return (to_cp1258_form(text) if encoding == "cp1258" else text).encode(encoding)


def _rows(source, block):
    rows, encoding = importing._read_csv(source, block=block)
    return encoding, list(rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
def test_a_file_on_disk_reads_as_its_bytes_in_every_encoding(encoding, tmp_path):
    data = _encoded(csv_text(), encoding)
    path = tmp_path / "ho.csv"
    path.write_bytes(data)
    expected = _rows(data, 1 << 20)
    assert expected[0] == encoding
    for block in (1, 2, 3, 5, 64, 1 << 20):  # a BOM, a UTF-16 unit, a character split between reads
        assert _rows(path, block) == expected, block
    by_path, by_bytes = parse_upload(path, "ho.csv"), parse_upload(data, "ho.csv")
    assert (by_path.encoding, list(by_path.rows), by_path.headers) == (
        by_bytes.encoding,
        list(by_bytes.rows),
        by_bytes.headers,
    )
    assert by_path.cell(by_path.rows[0][1], "full_name") == "Nguyễn Văn An"


def test_a_character_split_between_two_reads_is_decoded_whole(tmp_path):
    name = "Nguyễn Thị Ễ"  # "ễ": 3 bytes in UTF-8; with a 1-7 byte block every cut falls inside one
    data = csv_bytes([["H1", "", name, "Chủ hộ", "Nữ", "", "1970", "", "", "", "", ""]])
    path = tmp_path / "ho.csv"
    path.write_bytes(data)
    for block in range(1, 8):
        encoding, rows = _rows(path, block)
        assert encoding == "utf-8" and rows[1][2] == name


@pytest.mark.parametrize(("later", "encoding"), [("cp1258", "cp1258"), ("utf-8", "utf-8")])
def test_the_encoding_is_that_of_the_whole_file_not_of_its_first_block(later, encoding, tmp_path):
    """Hundreds of ASCII rows, then one with Vietnamese letters: read in blocks far smaller than the
    ASCII part, the file is still CP1258 (or UTF-8) and the late names are right."""
    ascii_rows = [[f"A{i}", "", f"Nguoi {i}", "Chu ho", "Nam", "", "1970", "", "", "", "", ""] for i in range(300)]
    late = ["Z1", "", "Đỗ Thị Hường", "Chủ hộ", "Nữ", "", "1980", "", "", "", "", ""]
    headers = ["Ma ho", "Thon", "Ho va ten", "Quan he voi chu ho", "Gioi tinh", "Ngay sinh", "Nam sinh", "Dan toc",
               "So CCCD", "BHYT", "Dien tich nha", "Nguon nuoc"]  # fmt: skip
    data = _encoded(csv_text([*ascii_rows, late], headers), later)
    assert data[:4096].isascii()
    path = tmp_path / "ho.csv"
    path.write_bytes(data)
    for block in (7, 1024):
        got, rows = _rows(path, block)
        assert got == encoding
        assert rows[-1][2] == "Đỗ Thị Hường"
    sheet = parse_upload(path, "ho.csv")
    assert sheet.encoding == encoding and sheet.cell(sheet.rows[-1][1], "full_name") == "Đỗ Thị Hường"


def test_a_utf8_bom_split_from_the_text_is_skipped(tmp_path):
    data = codecs.BOM_UTF8 + csv_bytes()
    path = tmp_path / "ho.csv"
    path.write_bytes(data)
    for block in (1, 2, 4):
        encoding, rows = _rows(path, block)
        assert encoding == "utf-8-sig" and rows[0] == HEADERS


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00", "Mã hộ\x00,x".encode(), b"\xef\xbb\xbf\xff", "Đàn".encode("cp1258") + b"\xc3\x00", b"\x81"],
)
def test_a_refused_file_on_disk_is_refused_with_the_error_of_its_bytes(data, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(data)
    try:
        importing.decode_csv(data)
    except (ValidationError, UnicodeDecodeError) as exc:  # a UTF-8 BOM before bad bytes: as `decode_csv`
        with pytest.raises(type(exc)) as info:
            importing._read_csv(path, block=2)
        assert str(info.value) == str(exc)
    else:
        assert _rows(path, 2)[0] == _rows(data, 2)[0]


def test_a_workbook_on_disk_reads_as_its_bytes(tmp_path):
    data = xlsx_bytes()
    path = tmp_path / "ho.xlsx"
    path.write_bytes(data)
    by_path, by_bytes = parse_upload(path, "ho.xlsx"), parse_upload(data, "ho.xlsx")
    assert (by_path.file_format, list(by_path.rows)) == (by_bytes.file_format, list(by_bytes.rows))
    assert by_path.cell(by_path.rows[0][1], "full_name") == "Nguyễn Văn An"


def test_a_file_on_disk_over_the_limit_is_refused_by_its_size(tmp_path, settings):
    settings.ANSINH_MAX_UPLOAD_BYTES = 10
    path = tmp_path / "ho.csv"
    path.write_bytes(csv_bytes())
    with pytest.raises(ValidationError) as info:
        parse_upload(path, "ho.csv")
    assert info.value.code == "too_large"


def test_the_command_imports_from_the_disk_what_the_bytes_give(units, tmp_path, monkeypatch):
    """The command passes the path (never the file's bytes); the households and the run's event,
    its SHA-256 included, are those of the bytes."""
    import hashlib
    from pathlib import Path

    data = _encoded(csv_text(), "cp1258")
    path = tmp_path / "ho.csv"
    path.write_bytes(data)

    def no_read(self):
        raise AssertionError("the command read the whole file")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    out = StringIO()
    call_command("import_households", str(path), "--commune", "16000", stdout=out)
    assert json.loads(out.getvalue())["created"] == 2
    event = AuditEvent.objects.get(event_type=RegistryEventType.IMPORT_COMMITTED, actor__isnull=True)
    assert event.changes["new"]["sha256"] == hashlib.sha256(data).hexdigest()


# -- compact storage ------------------------------------------------------------------------------


def test_spilled_blobs_keep_one_offset_per_64_blobs_and_read_long_blobs_back():
    rng = random.Random(3)
    blobs = [bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 70, 300]))) for _ in range(1000)]
    blobs[500] = b"x" * 300_000  # longer than the read window and than 65,535 bytes
    for spill_bytes in (0, 100, 10_000_000):
        stored = SpilledBlobs(spill_bytes)
        for blob in blobs:
            stored.append(blob)
        assert len(stored._anchors) == -(-len(blobs) // 64)
        assert list(stored) == blobs
        order = list(range(len(blobs)))
        rng.shuffle(order)
        assert [stored[i] for i in order] == [blobs[i] for i in order]
        stored.close()


def test_reading_the_last_group_while_it_grows_gives_each_new_blob():
    stored = SpilledBlobs(50)
    for index in range(200):
        stored.append(str(index).encode())
        assert stored[index] == str(index).encode() and stored[index // 2] == str(index // 2).encode()


def test_row_numbers_keep_runs_and_give_every_number():
    numbers = [2, 3, 4, 7, 8, 12, 11, 11, 13, 100, 101]
    kept = RowNumbers()
    for number in numbers:
        kept.append(number)
    assert list(kept) == numbers and [kept[i] for i in range(len(numbers))] == numbers
    assert kept[-1] == 101 and kept[2:5] == numbers[2:5] and len(kept) == len(numbers)
    with pytest.raises(IndexError):
        kept[len(numbers)]
    many = RowNumbers()
    for number in range(2, 100_002):
        many.append(number)
    assert len(many._run_starts) == 1 and many[99_999] == 100_001


# -- grouping -------------------------------------------------------------------------------------


def _former_groups(sheet):
    """`_Groups` as it was (a dict of every folded code and every CCCD): (groups' rows, repeated)."""
    rows = sheet.rows
    group_of, groups, first_id, repeated = [], {}, {}, {}
    count = 0
    for index, (_number, cells) in enumerate(rows):
        code = clean_text(sheet.cell(cells, "code"))
        group = groups.setdefault(fold(code), count) if code else count
        if group == count:
            count += 1
        group_of.append(group)
        raw_id = sheet.cell(cells, "id_number")
        if raw_id is None or raw_id == "" or "id_number" not in sheet.present:
            continue
        number = normalise_id_number(importing.read_id(raw_id))
        if len(number) in (9, 12):
            first = first_id.setdefault(number, index)
            if first != index:
                repeated.setdefault(number, [first]).append(index)
    members = [[] for _ in range(count)]
    for index, group in enumerate(group_of):
        members[group].append(index)
    repeated_ids = {}
    for number, indexes in repeated.items():
        indexes.sort(key=lambda index: (group_of[index], index))
        for index in indexes:
            repeated_ids[index] = (number, indexes)
    return members, repeated_ids


def _random_sheet(rng, households, *, scattered):
    codes = [rng.choice([f"H{i:03d}", f"h{i:03d} ", f" H{i:03d}", f"Hộ {i}", f"Ho {i}"]) for i in range(households)]
    rows = []
    for code in codes:
        for _ in range(rng.randint(1, 4)):
            number = rng.choice(["", "", "038075001234", "038075001235", f"0380750{rng.randrange(10**5):05d}", "12"])
            rows.append([rng.choice([code, code, code.strip()]) if rng.random() > 0.05 else "", "x", number])
    if scattered:
        rng.shuffle(rows)
    stored = CompactRows(spill_bytes=256)
    for number, cells in enumerate(rows, start=2):
        stored.append(number, cells)
    return Sheet(["Mã hộ", "Họ và tên", "Số CCCD"], ["code", "full_name", "id_number"], stored, "csv")


@pytest.mark.parametrize("in_parts", [False, True])
@pytest.mark.parametrize("scattered", [False, True])
def test_groups_are_the_former_dicts_groups(in_parts, scattered, monkeypatch):
    """Households side by side or scattered, codes equal only once folded, rows without a code, CCCDs
    repeated inside and across households: the same groups, rows, order and repeated CCCDs, whether
    the codes are compared in memory or part by part through temporary files."""
    if in_parts:
        monkeypatch.setattr(services_import, "_KEYS_IN_MEMORY_ROWS", 0)
        monkeypatch.setattr(services_import, "_KEYS_PER_PART", 7)
        monkeypatch.setattr(services_import, "_KEYS_BUFFERED", 5)  # pickled to the parts' files many times
        monkeypatch.setattr(services_import, "_SPILL_CHECK_MASK", 0)  # looked at on every row
    rng = random.Random(11 + scattered)
    for _ in range(30):
        sheet = _random_sheet(rng, rng.randint(1, 60), scattered=scattered)
        groups = services_import._Groups(sheet)
        members, repeated_ids = _former_groups(sheet)
        assert groups.count == len(members)
        assert [list(groups.rows_of(g)) for g in range(groups.count)] == members
        assert groups.repeated_ids == repeated_ids
        assert groups.row_count(0, groups.count) == len(sheet.rows)


def test_households_side_by_side_keep_four_bytes_a_household_and_no_array_of_rows():
    rows = CompactRows()
    for index in range(3000):
        for member in range(3):
            rows.append(index * 3 + member + 2, [f"H{index}", f"Người {member}", ""])
    sheet = Sheet(["Mã hộ", "Họ và tên", "Số CCCD"], ["code", "full_name", "id_number"], rows, "csv")
    groups = services_import._Groups(sheet)
    assert groups.count == 3000
    assert isinstance(groups.members, range)
    assert isinstance(groups.starts, array) and groups.starts.itemsize == 4 and len(groups.starts) == 3001
    assert list(groups.rows_of(2999)) == [8997, 8998, 8999]


def test_key_parts_give_every_pair_in_order_with_equal_keys_together(monkeypatch):
    monkeypatch.setattr(services_import, "_KEYS_PER_PART", 10)
    parts = services_import._KeyParts(100_000)
    pairs = [(f"k{i % 37}\n\x00ễ", i) for i in range(500)]
    for key, number in pairs:
        parts.add((key, number))
        parts.spill(at_least=17)
    seen = [list(part) for part in parts.parts()]
    assert len(seen) > 1
    assert sorted(p for part in seen for p in part) == sorted(pairs)
    for part in seen:
        assert [n for _k, n in part] == sorted(n for _k, n in part)  # in the order added
    keys = [{k for k, _n in part} for part in seen]
    assert all(not (a & b) for i, a in enumerate(keys) for b in keys[i + 1 :])


def test_an_import_compared_in_parts_gives_the_same_outcomes_and_errors(units, monkeypatch):
    """A dry run of a file with scattered households, a repeated CCCD and bad rows: the same counts,
    outcomes and errors whether the codes and CCCDs are compared in memory or through temporary files."""
    rows = [*ROWS, ["H03", "", "Trần Văn Em", "Chủ hộ", "Nam", "", "1960", "", "038075001234", "", "", ""],
            ["H01", "", "Nguyễn Thị Gái", "Con", "Nữ", "", "2010", "", "", "", "", ""],
            ["", "", "Không Mã", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""],
            ["h02 ", "", "Hà Văn Hai", "Con", "Nam", "", "1985", "", "", "", "", ""]]  # fmt: skip

    def run():
        sheet = parse_upload(csv_bytes(rows), "ho.csv")
        result = services_import.import_rows(actor=None, commune=units.tho_xuan, sheet=sheet, mode="create",
                                             write=False)  # fmt: skip
        return result.counts, [(r.number, r.outcome, dict(r.errors)) for r in result.rows], result.error_list()

    in_memory = run()
    monkeypatch.setattr(services_import, "_KEYS_IN_MEMORY_ROWS", 0)
    monkeypatch.setattr(services_import, "_KEYS_PER_PART", 2)
    monkeypatch.setattr(services_import, "_KEYS_BUFFERED", 3)
    monkeypatch.setattr(services_import, "_SPILL_CHECK_MASK", 1)
    assert run() == in_memory
    assert in_memory[0]["invalid"] >= 2
