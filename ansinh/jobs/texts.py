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

A job's label and failure reason, and the reasons its kind stores on its own object (an import
batch's message, a classification run's error), are entries too, kept beside the text they always
had (decision 0024's second addendum): `stored_text` shows the entry, else the text. A failure reason
is made by `failure_entry` from the exception: the entry a raiser gave (`application_error`), or its
text read back to the catalogue string that made it (`readback.text_entry`); an exception's free text
has none and stays as written.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from ansinh.core.exceptions import ApplicationError

from .readback import text_entry

__all__ = ["application_error", "failure_entry", "job_message", "job_message_text", "lazy_entry", "stored_text"]

# What a stored entry field holds: an entry, a list of parts (entries or plain texts) shown joined by a
# space (a refusal with several messages), or None (rows written before, texts no catalogue string makes).
StoredEntry = dict[str, Any] | list[dict[str, Any] | str] | None


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
    entry: dict[str, Any] = {"msgid": _source_text(msgid), "params": stored}
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


def lazy_entry(lazy_text: Any) -> dict[str, Any]:
    """A lazily translated text (a column's header, a choice's label) as an entry, e.g. for a parameter."""
    return job_message(lazy_text)


def stored_text(entry: StoredEntry, text: str | None) -> str:
    """A stored entry (or list of parts, `StoredEntry`) in the active language; `text`, the text stored
    beside it, when there is no entry (a row written before entries, a text no catalogue string makes)."""
    if isinstance(entry, list) and entry:
        return " ".join(job_message_text(part) for part in entry)
    if _is_entry(entry):
        return job_message_text(entry)
    return text or ""


def application_error(
    msgid: str, params: dict[str, Any] | None = None, *, code: str = "rule_refused", details: dict | None = None
) -> ApplicationError:
    """An `ApplicationError` whose message is made from `msgid` (marked with ``gettext_noop``) and its
    `params` in the active language, carrying the entry: a job that fails with it stores the reason so
    that each reader reads it in their language. For a refusal whose parameters are translatable
    themselves (a status's label: give `lazy_entry(label)`), which reading back would leave as written."""
    entry = job_message(msgid, params)
    return ApplicationError(entry["text"], code=code, details=details, entry=entry)


def failure_entry(exc: BaseException) -> StoredEntry:
    """The reason `exc` gives, as an entry to store beside its text: the entry it carries (an
    `ApplicationError` made by `application_error`, an import's cell error), or the text of our own
    refusal (`ApplicationError`, `ValidationError`) read back to the catalogue string that made it, a
    list of parts for a `ValidationError` with several messages. None for any other exception and for
    a text no catalogue string makes: its text is kept as written."""
    carried = getattr(exc, "entry", None)
    if _is_entry(carried):
        return carried
    if isinstance(exc, ApplicationError):
        texts = [exc.message]
    elif isinstance(exc, ValidationError):
        texts = exc.messages
    else:
        return None
    parts = [text_entry(str(text)) for text in texts]
    if not any(isinstance(part, dict) for part in parts):
        return None
    return parts[0] if len(parts) == 1 else parts


def _source_text(msgid: Any) -> str:
    """The source string of `msgid`: a lazy translation (``gettext_lazy``) rendered in the source
    language, which has no catalogue of this project's strings, so it renders as itself."""
    if isinstance(msgid, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            return str(msgid)
    return str(msgid)


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
