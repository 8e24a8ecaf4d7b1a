"""A job's progress messages, stored as source strings with parameters and read in the reader's language.

A job runs in its starter's language (`Job.language`), but whoever opens the job page later may
work in the other one. So each message is stored as an entry::

    {"msgid": "Đã ghi kết quả phân loại của %(n)s hộ.", "params": {"n": 1200},
     "text": "Classification results committed for 1200 households."}

``msgid`` is the untranslated (Vietnamese) source string, marked with ``gettext_noop`` where it is
written so ``makemessages`` finds it; ``params`` are interpolated after translation; ``text`` is the
message as rendered when it was written, in the job's language, kept as the fallback. A plural
message also stores ``plural`` and ``count`` (``ngettext``). A parameter may itself be an entry (a
translatable part such as a reason), rendered the same way.

`job_message_text` renders an entry in the active language. It falls back to ``text`` when the
msgid has no translation in that language, when rendering fails (parameters that no longer match
the string), and for entries written before messages were structured (plain strings).
"""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

__all__ = ["job_message", "job_message_text"]


class _Untranslated(Exception):
    """The msgid has no translation in the reader's language: the stored text is better."""


def job_message(
    msgid: str, params: dict[str, Any] | None = None, *, plural: str | None = None, count: int | None = None
) -> dict[str, Any]:
    """A message entry for `msgid` (the untranslated source string) with its text in the active language.

    `params` values must be JSON values (numbers, strings …) or entries made by this function; a
    lazy translation given as a value is stored as text in the active language. A plural message
    gives `plural` (the source string's plural) and `count`, which picks the form; the string's
    placeholder for the number is a key of `params` as usual. Raises if `params` do not fit the
    string, so a wrong call site fails in its tests rather than writing a broken message.
    """
    stored = {key: _param(value) for key, value in (params or {}).items()}
    entry: dict[str, Any] = {"msgid": str(msgid), "params": stored}
    if plural is not None:
        if count is None:
            raise ValueError("A plural job message needs its count.")
        entry["plural"], entry["count"] = str(plural), int(count)
    entry["text"] = _render(entry, strict=False)
    return entry


def job_message_text(entry: Any) -> str:
    """`entry` rendered in the active language; its stored text when that cannot be done."""
    if isinstance(entry, str):  # written before messages were structured
        return entry
    if not isinstance(entry, dict):
        return "" if entry is None else str(entry)
    fallback = entry.get("text")
    if not isinstance(fallback, str):
        fallback = str(entry.get("msgid") or "")
    try:
        return _render(entry, strict=True)
    except (_Untranslated, KeyError, IndexError, TypeError, ValueError, AttributeError):
        return fallback


def _param(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)  # lazy strings, decimals, dates …: as text, in the active language


def _is_entry(value: Any) -> bool:
    return isinstance(value, dict) and "msgid" in value


def _reads_source_language() -> bool:
    """Whether the active language is the one the msgids are written in (a msgid is its own text)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    return active.split("-")[0].lower() == settings.LANGUAGE_CODE.split("-")[0].lower()


def _render(entry: dict[str, Any], *, strict: bool) -> str:
    """Translate and interpolate `entry`. With `strict`, a msgid without a translation in a language
    other than the source one raises `_Untranslated` (the caller then shows the stored text)."""
    msgid = entry["msgid"]
    if not isinstance(msgid, str) or not msgid:
        raise ValueError("A job message needs a msgid.")
    if "plural" in entry:
        plural = str(entry["plural"])
        text = ngettext(msgid, plural, int(entry["count"]))
        untranslated = text in (msgid, plural)
    else:
        text = gettext(msgid)
        untranslated = text == msgid
    if strict and untranslated and not _reads_source_language():
        raise _Untranslated(msgid)
    raw = entry.get("params") or {}
    if not isinstance(raw, dict):
        raise TypeError("A job message's params must be a mapping.")
    params = {key: _render(value, strict=strict) if _is_entry(value) else value for key, value in raw.items()}
    # Like Django's own messages, a string without parameters is not %-formatted (it may hold a "%"),
    # unless it has placeholders: missing parameters then fail (and the stored text is shown).
    return text % params if params or "%(" in text else text
