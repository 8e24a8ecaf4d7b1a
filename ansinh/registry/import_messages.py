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

from typing import Any

from ansinh.jobs.readback import text_entry
from ansinh.jobs.texts import job_message, job_message_text, lazy_entry

__all__ = ["label_entry", "refusal_entry", "row_error", "row_error_text"]

RowError = dict[str, Any] | str  # an entry, or a plain text (rows stored before entries, unmatched texts)


def row_error(msgid: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entry of a row error: `msgid` (marked with ``gettext_noop`` where it is written) and its
    parameters, with its text in the active language as the fallback."""
    return job_message(msgid, params)


def label_entry(lazy_label: Any) -> dict[str, Any]:
    """A lazily translated label (a column's header, a choice) as an entry, for use as a parameter."""
    return lazy_entry(lazy_label)


def row_error_text(error: RowError) -> str:
    """`error` in the active language (its stored text when it cannot be translated)."""
    return job_message_text(error)


def refusal_entry(text: str) -> RowError:
    """A service's message (text in the active language) as an entry, when a catalogue string made it.

    The text is matched against the strings of the catalogue of the active language (the source
    strings themselves for Vietnamese), each placeholder read back as a parameter; among several
    matches the one with the most fixed text wins. Otherwise the text is returned as it is
    (`ansinh.jobs.readback.text_entry`, which a job's failure reason uses too)."""
    return text_entry(str(text))
