"""Reading a translated text back to the catalogue string that made it, so it can be stored as an entry.

Services refuse with text already translated in the active language (``_("…") % params``). Where such a
text is stored to be read later (an import's row error, a job's failure reason), `text_entry` finds the
catalogue string the text was made from, its placeholders read back as parameters, and returns a message
entry (`texts.job_message_text` renders it in a reader's language). Decision 0024 and its addenda.

Each string of the active language's catalogue (the source strings themselves for Vietnamese, their
translations for English) is a pattern; the match with the most fixed text wins; numbers read back as
numbers. A text no catalogue string makes (a message of Django's own, an exception's free text) is
returned as it is, a plain string, shown as written. Parameters read back as text in the language they
were written in: a raiser whose parameters are themselves translatable makes its entry itself
(`texts.job_message`, carried by `ApplicationError.entry`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

__all__ = ["text_entry"]


def text_entry(text: str) -> dict[str, Any] | str:
    """`text` (in the active language) as an entry ``{"msgid", "params", "text"}`` when a catalogue string
    made it; otherwise the text itself."""
    text = str(text)
    found = _match(text, _active_language())
    if found is None:
        return text
    msgid, params = found
    return {"msgid": msgid, "params": dict(params), "text": text}


# A printf placeholder: "%(name)s", "%(n)d", "%(size).1f", or "%%".
_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?(?P<spec>[-#0 +]*\d*(?:\.\d+)?)(?P<conv>[sdifrx%])")
_GROUP = {"d": r"[-+]?\d+", "i": r"[-+]?\d+", "f": r"[-+]?\d+(?:[.,]\d+)?", "x": r"[0-9a-fA-F]+"}


def _source_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0].lower()


def _active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


class _Pattern:
    """One catalogue string as a regular expression over the texts it makes."""

    __slots__ = ("converters", "fixed", "msgid", "names", "regex")

    def __init__(self, msgid: str, written: str) -> None:
        self.msgid = msgid
        parts, self.names, self.converters, self.fixed = [], [], [], 0
        position = 0
        for match in _PLACEHOLDER.finditer(written):
            literal = written[position : match.start()]
            parts.append(re.escape(literal))
            self.fixed += len(literal)
            position = match.end()
            if match["conv"] == "%":
                parts.append("%")
                self.fixed += 1
                continue
            name = match["name"]
            if name is None:
                raise ValueError("positional placeholder")  # not made from a parameter mapping
            if name in self.names:
                parts.append(f"(?P=g{self.names.index(name)})")
                continue
            parts.append(f"(?P<g{len(self.names)}>{_GROUP.get(match['conv'], '.*?')})")
            self.names.append(name)
            self.converters.append(match["conv"])
        literal = written[position:]
        parts.append(re.escape(literal))
        self.fixed += len(literal)
        self.regex = re.compile("".join(parts), re.DOTALL)

    def read(self, text: str) -> dict[str, Any] | None:
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        params: dict[str, Any] = {}
        for index, (name, conv) in enumerate(zip(self.names, self.converters, strict=True)):
            value = match[f"g{index}"]
            if conv in ("d", "i"):
                params[name] = int(value)
            elif conv == "f":
                params[name] = float(value.replace(",", "."))
            else:
                params[name] = value
        return params


def _key(text: str) -> str:
    return text[:3]


@lru_cache(maxsize=8)
def _patterns(language: str) -> tuple[dict[str, str], dict[str, list[_Pattern]]]:
    """(text without placeholders → msgid, first letters of the fixed start → patterns) of `language`:
    from the source strings for the source language, from their translations for another one."""
    pairs: list[tuple[str, str]] = []
    if language == _source_language():
        catalogs = [trans_real.translation(code)._catalog for code, _name in settings.LANGUAGES
                    if code.split("-")[0].lower() != language]  # fmt: skip
        for catalog in catalogs:
            pairs.extend((msgid, msgid) for msgid in catalog.keys())  # noqa: SIM118 - a TranslationCatalog
    else:
        pairs.extend(trans_real.translation(language)._catalog.items())
    exact: dict[str, str] = {}
    buckets: dict[str, list[_Pattern]] = {}
    for msgid, written in pairs:
        if not isinstance(msgid, str) or not isinstance(written, str) or "\x04" in msgid or not msgid:
            continue  # plural forms and strings with a context are not refusals' messages
        if "%" not in written:
            exact.setdefault(written, msgid)
            continue
        try:
            pattern = _Pattern(msgid, written)
        except (ValueError, re.error):
            continue
        if not pattern.names:
            exact.setdefault(written.replace("%%", "%"), msgid)
            continue
        start = _PLACEHOLDER.search(written).start()
        buckets.setdefault(_key(written[:start]), []).append(pattern)
    return exact, buckets


@lru_cache(maxsize=4096)
def _match(text: str, language: str) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
    exact, buckets = _patterns(language)
    if text in exact:
        return exact[text], ()
    best: tuple[_Pattern, dict[str, Any]] | None = None
    for key in dict.fromkeys((text[:3], text[:2], text[:1], "")):
        for pattern in buckets.get(key, ()):
            if best is not None and pattern.fixed <= best[0].fixed:
                continue
            params = pattern.read(text)
            if params is not None:
                best = (pattern, params)
    if best is None:
        return None
    return best[0].msgid, tuple(best[1].items())
