from hypothesis import given
from hypothesis import strategies as st

from ansinh.core.text import fold_vietnamese, vietnamese_sort_key


def test_fold_removes_diacritics_and_d_stroke():
    assert fold_vietnamese("Nguyễn  Văn Á") == "nguyen van a"
    assert fold_vietnamese("Đắk Lắk") == "dak lak"
    assert fold_vietnamese("Thành phố Hồ Chí Minh") == "thanh pho ho chi minh"
    assert fold_vietnamese("") == ""


def test_folding_is_idempotent_for_decomposed_input():
    decomposed = "Nguye\u0302\u0303n"  # the same name typed with combining marks
    assert fold_vietnamese(decomposed) == "nguyen"


def _sorted(names):
    return sorted(names, key=vietnamese_sort_key)


def test_vietnamese_alphabet_order():
    # đ after d, ă/â after a, ô/ơ after o, ư after u — not Unicode code-point order.
    assert _sorted(["Đông", "Dung", "Anh", "Ân", "Ăn"]) == ["Anh", "Ăn", "Ân", "Dung", "Đông"]
    assert _sorted(["Ơn", "Ôn", "On"]) == ["On", "Ôn", "Ơn"]
    assert _sorted(["Ưng", "Uyên"]) == ["Uyên", "Ưng"]


def test_letters_before_tones():
    # "Ba" (no tone) < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ", and all before "Bac".
    assert _sorted(["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba", "Bac"]) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bac"]


def test_shorter_word_sorts_first():
    assert _sorted(["Thọ Xuân", "Thọ", "Thọ Lập"]) == ["Thọ", "Thọ Lập", "Thọ Xuân"]


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạ ", max_size=20))
def test_sort_key_is_digits_only_and_deterministic(text):
    key = vietnamese_sort_key(text)
    assert key.isdigit()
    assert key == vietnamese_sort_key(text)


@given(st.text(max_size=30))
def test_fold_never_fails_and_is_ascii_for_vietnamese(text):
    folded = fold_vietnamese(text)
    assert folded == fold_vietnamese(folded)


def test_unit_names_sort_numbers_as_numbers():
    names = ["Thôn 10", "Thôn 2", "Thôn 1", "Thôn 100", "Thôn An", "Thôn 2A", "Thôn", "Thôn 02"]
    assert sorted(names, key=lambda n: vietnamese_sort_key(n, numbers=True)) == [
        "Thôn", "Thôn 1", "Thôn 2", "Thôn 02", "Thôn 2A", "Thôn 10", "Thôn 100", "Thôn An",
    ]  # fmt: skip
    # Without `numbers` (people's names), digits compare one by one, as before.
    assert sorted(["Thôn 10", "Thôn 2"], key=vietnamese_sort_key) == ["Thôn 10", "Thôn 2"]


@given(st.lists(st.integers(min_value=0, max_value=9_999_999), min_size=2, max_size=8))
def test_numbered_names_sort_by_their_number(numbers):
    names = [f"Tổ dân phố {n}" for n in numbers]
    ordered = sorted(names, key=lambda n: vietnamese_sort_key(n, numbers=True))
    assert [int(n.rsplit(" ", 1)[1]) for n in ordered] == sorted(numbers)


@given(st.text(max_size=40))
def test_the_numbers_key_is_digits_only_too(text):
    key = vietnamese_sort_key(text, numbers=True)
    assert key.isdigit() and key == vietnamese_sort_key(text, numbers=True)
