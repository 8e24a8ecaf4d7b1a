"""Row errors as message entries: a service's refusal read back to its catalogue string (decision 0024's addendum)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ansinh.registry.identity import validate_id_number
from ansinh.registry.import_messages import label_entry, refusal_entry, row_error, row_error_text
from ansinh.registry.importing import COLUMNS_BY_KEY, CellError, read_choice


def _refusal(number: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number, **kwargs)
    return caught.value.messages[0]


@pytest.mark.parametrize("written_in", ["vi", "en"])
def test_a_refusal_is_read_back_with_its_parameters_and_shown_in_either_language(written_in):
    with translation.override(written_in):
        text = _refusal("03807500123")  # 11 digits: "%(n)d chữ số"
        entry = refusal_entry(text)
    assert entry["msgid"].startswith("Số CCCD phải có 12 chữ số") and entry["params"] == {"n": 11}
    assert entry["text"] == text
    with translation.override("vi"):
        assert row_error_text(entry) == "Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số); số đã nhập có 11 chữ số."
    with translation.override("en"):
        assert "11" in row_error_text(entry) and "chữ số" not in row_error_text(entry)


def test_the_most_specific_string_wins_and_a_text_no_string_makes_stays_as_written():
    with translation.override("vi"):
        assert refusal_entry("Hãy nhập mã hộ.") == {"msgid": "Hãy nhập mã hộ.", "params": {}, "text": "Hãy nhập mã hộ."}
        assert refusal_entry("Không phải câu nào trong danh mục.") == "Không phải câu nào trong danh mục."
        year = refusal_entry("Năm sinh 1850 không hợp lệ.")
    assert year["msgid"] == "Năm sinh %(year)s không hợp lệ." and year["params"] == {"year": "1850"}
    with translation.override("en"):
        assert row_error_text("Không phải câu nào trong danh mục.") == "Không phải câu nào trong danh mục."
        assert "1850" in row_error_text(year) and "Năm sinh" not in row_error_text(year)


def test_a_cell_error_names_its_column_in_the_readers_language():
    with translation.override("vi"), pytest.raises(CellError) as caught:
        read_choice(COLUMNS_BY_KEY["sex"], "xyz")
    entry = caught.value.entry
    assert str(caught.value) == "“xyz” không có trong danh mục “Giới tính” (xem trang danh mục)."
    assert entry["params"]["col"] == label_entry(COLUMNS_BY_KEY["sex"].header) | {"text": "Giới tính"}
    with translation.override("en"):
        assert row_error_text(entry) == "“xyz” is not in the “Sex” list (see the list sheet)."
    # An entry made under English keeps English as its fallback text, and reads in Vietnamese all the same.
    with translation.override("en"):
        made = row_error("Ngày “%(v)s” không tồn tại.", {"v": "31/02/1980"})
    assert made["text"] == "The date “31/02/1980” does not exist."
    with translation.override("vi"):
        assert row_error_text(made) == "Ngày “31/02/1980” không tồn tại."
