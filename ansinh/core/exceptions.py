"""Errors that services raise and views/API turn into messages a commune officer understands."""

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the action (the input was well-formed).

    `code` is stable and machine-readable (used by the API error shape); `message` is translated
    text for people; `details` carries structured context (e.g. which field or row). `entry`, when
    the raiser made one (`ansinh.jobs.texts.application_error`), is the message as a message entry
    ``{"msgid", "params", "text"}``: a job failing with it stores its reason that way, so each
    reader reads it in their own language (decision 0024).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "rule_refused",
        details: dict[str, Any] | None = None,
        entry: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}
        self.entry = entry
