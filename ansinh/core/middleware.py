"""Request id propagation, security headers, the reader's language and compressed responses."""

import logging
import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation

from .context import new_request_id, request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give each request an id (kept from X-Request-ID when well-formed) for logs and audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


# Everything is served from this origin (assets are vendored), so the policy can be strict.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and a few headers Django does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages with citizens' data must not be kept by shared browsers or proxies.
            response.setdefault("Cache-Control", "private, no-store")
        return response


class LanguageMiddleware:
    """Vietnamese unless the user chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with
    English Windows would get English pages; here only the user's explicit choice counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", code)
        return response


# Types that are compressed already (an xlsx or docx is a zip) or gain nothing from gzip.
_COMPRESSED_TYPES = re.compile(
    r"^(application/(vnd\.openxmlformats|zip|gzip|x-gzip|pdf|octet-stream)|image/(?!svg)|font/|audio/|video/)"
)


class CompressionMiddleware(GZipMiddleware):
    """Pages, fragments, JSON and csv exports gzip-compressed for browsers that accept it (decision 0038).

    Offices and phones on slow links download a province officer's household list (about 75 kB of HTML)
    as a tenth of that. Django's `GZipMiddleware` does the work, with its "Heal the Breach" mitigation
    (a random-length gzip header field, so response sizes do not tell a guessed secret); the CSRF
    token is masked afresh in every response and the session cookie is ``SameSite=Lax``, so a
    cross-site page cannot make the many credentialed requests BREACH needs. Not compressed: bodies
    already compressed (xlsx, docx and zip downloads, images, fonts), where gzip costs CPU for nothing.
    """

    def process_response(self, request, response):
        if _COMPRESSED_TYPES.match(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
