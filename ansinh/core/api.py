"""API building blocks: the single error shape and page pagination.

Every error the API returns is ``{"code": str, "message": str, "details": object}``.
"""

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.parser import Parser

from .exceptions import ApplicationError
from .pagination import list_count_cap

logger = logging.getLogger("ansinh.api")


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


def error_response(api: NinjaAPI, request, status: int, code: str, message: str, details: Any = None):
    return api.create_response(request, {"code": code, "message": message, "details": details or {}}, status=status)


class NulText:
    """Stands in for a JSON string (or object key) holding a NUL character: no field type accepts it, so
    the request fails validation (422, with the field's location) instead of reaching the database."""

    def __repr__(self) -> str:
        return "<text with a NUL character>"


def _without_nul(value):
    if isinstance(value, str):
        return NulText() if "\x00" in value else value
    if isinstance(value, dict):
        if any("\x00" in str(key) for key in value):
            return NulText()
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


class TextSafeJSONParser(Parser):
    """JSON bodies whose text holds no NUL character: PostgreSQL cannot store one (a 500 otherwise, found
    by schemathesis), and Django's form fields refuse it too. Such a value fails its field's validation."""

    def parse_body(self, request):
        return _without_nul(super().parse_body(request))


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every exception to the one error shape, with translated messages."""

    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return error_response(api, request, 409, exc.code, exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def django_validation_error(request, exc: ValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return error_response(api, request, 422, "invalid", _("Dữ liệu không hợp lệ."), details)

    @api.exception_handler(NinjaValidationError)
    def schema_validation_error(request, exc: NinjaValidationError):
        return error_response(api, request, 422, "invalid", _("Dữ liệu không hợp lệ."), {"errors": exc.errors})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(api, request, 401, "unauthenticated", _("Cần đăng nhập hoặc mã truy cập hợp lệ."))

    @api.exception_handler(AuthorizationError)
    def unauthorized(request, exc):
        return error_response(api, request, 403, "forbidden", _("Vai trò của bạn không có quyền này."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(api, request, 403, "forbidden", str(exc) or _("Vai trò của bạn không có quyền này."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(api, request, 404, "not_found", _("Không tìm thấy hoặc không thuộc địa bàn của bạn."))

    @api.exception_handler(OverflowError)
    def out_of_range(request, exc):
        # SQLite's driver refuses an integer beyond 64 bits (an id or a filter such as ?parent=…) before the
        # query runs; no row can have such an id, so the answer is the same as for any unknown id.
        return error_response(api, request, 404, "not_found", _("Không tìm thấy hoặc không thuộc địa bàn của bạn."))

    @api.exception_handler(Throttled)
    def rate_limited(request, exc: Throttled):
        wait = math.ceil(exc.wait) if exc.wait else None
        response = error_response(
            api, request, 429, "rate_limited", _("Quá nhiều yêu cầu trong thời gian ngắn. Hãy thử lại sau ít phút."),
            {"retry_after": wait},
        )  # fmt: skip
        if wait:
            response["Retry-After"] = str(wait)
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            # Ninja's session auth refuses a write without the CSRF token with an English text.
            return error_response(
                api, request, 403, "csrf_failed", _("Thiếu hoặc sai mã CSRF: hãy tải lại trang rồi thử lại.")
            )
        return error_response(api, request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("Unhandled API error")
        return error_response(api, request, 500, "server_error", _("Lỗi hệ thống. Không có dữ liệu nào bị ghi dở."))


class PageOut(Schema):
    items: list[Any]
    count: int
    page: int
    page_size: int
    pages: int


class PagePagination(PaginationBase):
    """``?page=N&page_size=M`` (at most 200 per page); answers items, count, count_capped, page,
    page_size, pages.

    Counting a province's million households on every page cost more than the page itself, so the
    count stops past `LIST_COUNT_CAP` rows as the web lists do (`core.pagination`): then
    ``count_capped`` is true, ``count`` is the cap (there are more) and ``pages`` is null; the pages
    beyond stay reachable. ``?exact_count=true`` counts everything (slower on large areas)."""

    max_page_size = 200

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=200)
        exact_count: bool = Field(False, description="Count every item even past the cap (slower).")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Items in the list; the cap when count_capped (there are more).")
        count_capped: bool = False
        page: int
        page_size: int
        pages: int | None = Field(description="Number of pages; null when count_capped.")

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        capped = False
        if pagination.exact_count:
            count = _count(queryset)
        else:
            cap = list_count_cap()
            count = _count(queryset, limit=cap + 1)
            if count > cap:
                count, capped = cap, True
        return {
            "items": list(queryset[offset : offset + size]),
            "count": count,
            "count_capped": capped,
            "page": pagination.page,
            "page_size": size,
            "pages": None if capped else ((count + size - 1) // size if count else 0),
        }


def _count(rows, *, limit: int | None = None) -> int:
    """The number of `rows` (a queryset, a list, or an object with ``count()`` and, to stop at
    `limit`, ``count_upto(limit)``), counting at most `limit` when given."""
    if isinstance(rows, (list, tuple)):
        return len(rows) if limit is None else min(len(rows), limit)
    if limit is None:
        return rows.count()
    if hasattr(rows, "count_upto"):
        return rows.count_upto(limit)
    if hasattr(rows, "query"):
        # Unordered: see `CappedPaginator.count` (the list's ORDER BY would make LIMIT walk the index).
        return rows.order_by()[:limit].count()
    return rows.count()
