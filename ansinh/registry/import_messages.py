"""The messages of an import's rows and cells, kept so that each reader reads them in their own language.

A row error is stored as a message entry of the jobs app (`ansinh.jobs.texts`, decision 0024):
``{"msgid": <Vietnamese source string>, "params": {...}, "text": <as written, in the starter's language>}``,
and shown with `row_error_text`, which renders it in the active language (the reader's) and falls back
to the stored text. Decision 0024's addendum (2026-12-07) gives the reasons.

- The import's own checks (cells it cannot read, a household's rows that disagree, a CCCD written
  twice …) make their entries with `row_error` from a ``gettext_noop`` source string and its
  parameters; a translatable parameter (a column's name) is an entry itself (`label_entry`).
- Refusals of the registry services the import calls (`household_prepare_fast`, `household_update`,
  `member_add` …: the rules the forms use) arrive as text in the active language. `refusal_entry`
  finds the catalogue string the text was made from (its placeholders read back as parameters), so
  they follow the reader too. A text no catalogue string makes (a message of Django's own, say)
  stays as it was written.
- Rows stored before this change hold plain strings: `row_error_text` shows them as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from ansinh.jobs.texts import job_message, job_message_text

__all__ = ["label_entry", "refusal_entry", "row_error", "row_error_text"]

RowError = dict[str, Any] | str  # an entry, or a plain text (rows stored before entries, unmatched texts)


def row_error(msgid: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entry of a row error: `msgid` (marked with ``gettext_noop`` where it is written) and its
    parameters, with its text in the active language as the fallback."""
    return job_message(msgid, params)


def label_entry(lazy_label: Any) -> dict[str, Any]:
    """A lazily translated label (a column's header, a choice) as an entry, for use as a parameter."""
    return job_message(_source_text(lazy_label))


def row_error_text(error: RowError) -> str:
    """`error` in the active language (its stored text when it cannot be translated)."""
    return job_message_text(error)


def refusal_entry(text: str) -> RowError:
    """A service's message (text in the active language) as an entry, when a catalogue string made it.

    The text is matched against the strings of the catalogue of the active language (the source
    strings themselves for Vietnamese), each placeholder read back as a parameter; among several
    matches the one with the most fixed text wins. Otherwise the text is returned as it is."""
    text = str(text)
    found = _match(text, _active_language())
    if found is None:
        return text
    msgid, params = found
    return {"msgid": msgid, "params": dict(params), "text": text}


# -- reading a text back to its catalogue string ------------------------------------------------

# A printf placeholder: "%(name)s", "%(n)d", "%(size).1f", or "%%".
_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?(?P<spec>[-#0 +]*\d*(?:\.\d+)?)(?P<conv>[sdifrx%])")
_GROUP = {"d": r"[-+]?\d+", "i": r"[-+]?\d+", "f": r"[-+]?\d+(?:[.,]\d+)?", "x": r"[0-9a-fA-F]+"}


def _source_language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0].lower()


def _active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def _source_text(lazy_label: Any) -> str:
    """The source string of a lazy label: its rendering in the source language (which has no catalogue
    of this project's strings, so each renders as itself)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(lazy_label)


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
