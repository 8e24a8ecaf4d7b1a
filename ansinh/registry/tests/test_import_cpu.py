"""The import's CPU savings change nothing: blank rows, the stored form of a row, the collector's thresholds."""

import gc
import pickle
import random
from datetime import date, datetime
from decimal import Decimal

import pytest

from ansinh.registry import importing, services_import
from ansinh.registry.importing import CompactRows, _blank_row, _build_sheet

_SEP = "\x1f"


class _Text(str):
    """A str subclass: stored pickled (its type kept), as before."""


def _former_blank(row):
    return all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in row)


def _former_is_text(cells):
    return bool(cells) and all(type(c) is str for c in cells) and not any(_SEP in c for c in cells)


_CELLS = ["", " ", "\t", "\xa0", "\u3000", "\u2028", "\n", " \r\n ", "0", "a", "Nguyễn Văn A", "x ", _SEP, "a\x1fb",
          None, 0, 1.5, 0.0, True, False, date(2020, 1, 2), datetime(2020, 1, 2, 3, 4), Decimal("1.0"),
          _Text(""), _Text(" "), _Text("b")]  # fmt: skip


def _random_rows(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        yield [rng.choice(_CELLS) for _ in range(rng.randint(0, 6))]


def test_blank_rows_are_the_ones_the_former_test_found():
    rows = [[], [""], [" ", "\t"], ["\xa0", None], [None, None], ["", 0], [" a "], [_Text(" "), ""], [_Text("b")],
            ["\u3000", "\u2028"], [False], [0.0]]  # fmt: skip
    rows += list(_random_rows(5000, 1))
    for row in rows:
        assert _blank_row(row) is _former_blank(row), row


def test_a_row_is_stored_as_text_exactly_when_it_was_and_reads_back_the_same():
    rows = [[], ["a"], [""], ["a", "b"], [_SEP], ["a" + _SEP], [_Text("a")], ["a", None], ["a", 1]]
    rows += list(_random_rows(5000, 2))
    stored = CompactRows(spill_bytes=64)
    for number, row in enumerate(rows, start=2):
        stored.append(number, row)
    for index, row in enumerate(rows):
        blob = stored._blobs[index]
        expected = (
            _SEP.join(row).encode()
            if _former_is_text(row)
            else importing._PICKLED + pickle.dumps(list(row), protocol=pickle.HIGHEST_PROTOCOL)
        )
        assert blob == expected
        number, cells = stored[index]
        assert number == index + 2
        assert cells == row
        assert [type(c) for c in cells] == [type(c) for c in row]


def test_the_sheet_keeps_the_same_rows_and_numbers():
    header = ["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Giới tính", "Năm sinh"]
    rows = [header, ["H1", "A", "Chủ hộ", "Nam", "1980"], ["", " ", "", "\t", ""], [None, "", None, "", None],
            ["H1", "B", "Vợ", "Nữ", 1982], [" ", "\xa0", "", "", ""], ["H2", "C", "Chủ hộ", "Nam", "1990"]]  # fmt: skip
    sheet = _build_sheet(rows, file_format="csv")
    assert list(sheet.rows) == [(2, rows[1]), (5, rows[4]), (7, rows[6])]


def test_the_collector_runs_less_often_during_an_import_and_as_before_after():
    before = gc.get_threshold()
    with services_import._fewer_collections():
        inside = gc.get_threshold()
    assert inside == (max(before[0], services_import.IMPORT_GC_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before


def test_the_collector_thresholds_come_back_when_the_import_fails_and_are_never_lowered():
    before = gc.get_threshold()
    try:
        gc.set_threshold(services_import.IMPORT_GC_THRESHOLD * 2, 3, 4)
        with pytest.raises(RuntimeError), services_import._fewer_collections():
            assert gc.get_threshold() == (services_import.IMPORT_GC_THRESHOLD * 2, 3, 4)
            raise RuntimeError
        assert gc.get_threshold() == (services_import.IMPORT_GC_THRESHOLD * 2, 3, 4)
    finally:
        gc.set_threshold(*before)


def test_imports_in_several_threads_restore_the_thresholds_when_the_last_one_ends():
    before = gc.get_threshold()
    raised = (max(before[0], services_import.IMPORT_GC_THRESHOLD), *before[1:])
    first, second = services_import._fewer_collections(), services_import._fewer_collections()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold() == raised
    first.__exit__(None, None, None)  # the first to start ends first: the second still runs
    assert gc.get_threshold() == raised
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


@pytest.mark.django_db
def test_import_rows_works_with_the_raised_threshold(monkeypatch):
    seen = []

    def fake(**kwargs):
        seen.append(gc.get_threshold()[0])
        return "result"

    monkeypatch.setattr(services_import, "_import_rows", fake)
    before = gc.get_threshold()
    result = services_import.import_rows(actor=None, commune=None, sheet=None, mode="create", write=False)
    assert result == "result"
    assert seen == [max(before[0], services_import.IMPORT_GC_THRESHOLD)]
    assert gc.get_threshold() == before
