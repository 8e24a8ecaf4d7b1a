"""What every reviews page shares: how a service's refusal reaches the user, and Word downloads."""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ansinh.core.exceptions import ApplicationError
from ansinh.core.text import fold_vietnamese

# What a service raises when it refuses (nothing written): shown to the user, never a server error.
REFUSALS = (ValidationError, ApplicationError, PermissionDenied)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def refusal_messages(exc: Exception) -> list[str]:
    """The messages of a refusal, for `messages.error` or a form's non-field errors."""
    if isinstance(exc, ApplicationError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Vai trò của bạn không có quyền này.")]


def add_form_errors(form, exc: Exception, field_for=None) -> None:
    """Put a refusal on the form: a field's errors next to it (`field_for(key)` maps a service's key to a
    form field, or None for the top of the form), anything else at the top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = field_for(key) if field_for else (key if key in form.fields else None)
            form.add_error(name, errors)
    else:
        form.add_error(None, refusal_messages(exc))


def file_slug(*parts) -> str:
    """The parts of a download's name as one ASCII slug, Vietnamese letters folded (đ → d):
    ("quyet-dinh-cong-nhan", "Xã Đông Sơn", 2026) → ``quyet-dinh-cong-nhan-xa-dong-son-2026``."""
    return slugify(fold_vietnamese(" ".join(str(p) for p in parts)))


def docx_response(content: bytes, filename: str) -> HttpResponse:
    """A .docx download. ``filename`` is its name folded to ASCII (for old clients), ``filename*`` the same
    name in UTF-8: name files with `file_slug`, so both are the same text."""
    stem, _dot, ext = filename.rpartition(".")
    ascii_name = f"{file_slug(stem) or 'tai-lieu'}.{ext or 'docx'}"
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
