"""API authentication: the browser session (with CSRF) or a personal bearer token."""

import hashlib
import hmac
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken
from .ratelimit import charge, client_ip, ip_limit, token_limit

TOKEN_PREFIX_LENGTH = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ansinh_<prefix>_<secret>``; a revoked, expired or forged token is refused.

    Every bearer request, valid or not, is counted against its client address, and a valid one also
    against its token (settings ``ANSINH_API_RATE_*``); over either budget the answer is 429.
    """

    def authenticate(self, request, token: str):
        charge(ip_limit(), client_ip(request))
        parts = token.split("_")
        if len(parts) != 3 or parts[0] != "ansinh" or len(parts[1]) != TOKEN_PREFIX_LENGTH:
            return None
        api_token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
        if api_token is None or not hmac.compare_digest(api_token.secret_hash, hash_secret(parts[2])):
            return None
        if not api_token.is_usable() or not api_token.user.is_active:
            return None
        charge(token_limit(), api_token.prefix)
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
            # Touch at most every five minutes: a busy integration must not write on every call.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuthCsrf(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token.

    Without a signed-in session there is nothing to protect, so the request is simply not
    authenticated here (401 from the API, not a misleading CSRF 403).
    """

    csrf = True

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


# The token first: an integration sending a bearer token must not be refused for lacking the CSRF
# token that only browser sessions carry (a browser never adds an Authorization header by itself).
api_auth = [TokenAuth(), SessionAuthCsrf()]
