"""Vietnamese text helpers: accent folding for search, collation keys for sorting.

Vietnamese sorts by its own alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y),
with tone marks compared only after the letters. Neither SQLite nor every PostgreSQL install has
a Vietnamese collation, so rows that need a stable order store a key computed here.
"""

import re
import unicodedata

_TONE_MARKS = {
    "\u0300": 2,  # huyền
    "\u0309": 3,  # hỏi
    "\u0303": 4,  # ngã
    "\u0301": 5,  # sắc
    "\u0323": 6,  # nặng
}
# Marks that make a different letter of the alphabet (not a tone).
_LETTER_MARKS = {"\u0306": "̆", "\u0302": "̂", "\u031b": "̛"}

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
# Two-digit codes: 00 ends the letters (so a prefix sorts first), 01 space, 02 punctuation,
# 10-19 digits, 20+ letters in Vietnamese order.
_RANK = {letter: index + 20 for index, letter in enumerate(_ALPHABET)}
_SPACE = re.compile(r"\s+")


def fold_vietnamese(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Nguyễn  Văn Á" → "nguyen van a"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACE.sub(" ", stripped).strip().lower()


def _split_letter(ch: str) -> tuple[str, int]:
    """One precomposed character → (letter of the alphabet, tone number 1..6)."""
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base = decomposed[0]
    tone = 1
    letter_marks = ""
    for mark in decomposed[1:]:
        if mark in _TONE_MARKS:
            tone = _TONE_MARKS[mark]
        elif mark in _LETTER_MARKS:
            letter_marks += mark
    letter = unicodedata.normalize("NFC", base + letter_marks)
    return letter, tone


_TOKENS = re.compile(r"[0-9]+|.", re.S)  # a number or one character
_CHARS = re.compile(r".", re.S)


def vietnamese_sort_key(text: str, *, numbers: bool = False) -> str:
    """A digits-only key that orders strings as a Vietnamese dictionary does.

    Letters compare first (đ after d, ơ after ô …); tones break ties. Digits-only keys compare the
    same under any database collation, so the key can be stored and indexed.

    With `numbers`, a run of digits sorts as the number it writes ("Thôn 2" before "Thôn 10", as an
    officer counts villages; administrative unit names): the run becomes its length (codes 03–09, 1 to 7
    digits without leading zeros; longer runs share 09) followed by its digits, so a shorter number sorts
    first and equal lengths compare digit by digit.
    """
    text = _SPACE.sub(" ", (text or "").strip())
    letters: list[str] = []
    tones: list[str] = []
    for token in (_TOKENS if numbers else _CHARS).findall(text):
        if len(token) > 1 or (numbers and token.isascii() and token.isdigit()):  # a number: its length first
            digits = token.lstrip("0") or "0"
            letters.append(f"0{min(len(digits), 7) + 2}")
            letters.extend(f"1{d}" for d in digits)
            tones.extend("1" * len(digits))
            continue
        ch = token
        if ch == " ":
            letters.append("01")
            continue
        letter, tone = _split_letter(ch)
        if letter in _RANK:
            letters.append(f"{_RANK[letter]:02d}")
        elif letter.isdigit() and letter.isascii():
            letters.append(f"1{letter}")
        else:
            letters.append("02")  # punctuation and anything else sorts before letters
        tones.append(str(tone))
    return "".join(letters) + "00" + "".join(tones)


def localized(name: str, name_en: str) -> str:
    """A name kept in data in both languages (standards, indicators, score items, regions), in the
    active language: the English one for an English reader when the data has it, else the Vietnamese
    one (the legal name, and the fallback)."""
    from django.utils.translation import get_language

    return name_en if name_en and (get_language() or "").startswith("en") else name


def dmy(day) -> str:
    """A date as Vietnamese write it, day first (21/10/2026): in names and texts that are stored,
    such as an audit event's object, which every reader sees the same; empty for no date."""
    return f"{day:%d/%m/%Y}" if day else ""
