"""Request limits for the API's bearer tokens: one budget per token and one per client address.

A fixed window counter in Django's cache (``cache.add`` then ``cache.incr``, both atomic in every
shipped backend). The address budget is charged before the token is even looked up, so guessing
tokens from one address is throttled as well as a runaway integration. The default cache is
per-process memory: with several worker processes each one counts alone (the limit is then per
process); point ``CACHES["default"]`` at a shared cache to make it global.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from ninja.errors import Throttled


@dataclass(frozen=True)
class Limit:
    scope: str  # "token" or "ip"
    requests: int  # allowed per window; 0 turns the limit off
    window: int  # seconds


class RateLimited(Throttled):
    """Too many requests in the current window; ``wait`` is the number of seconds until it ends."""

    def __init__(self, *, limit: Limit, wait: float):
        super().__init__(wait=wait)
        self.limit = limit


def token_limit() -> Limit:
    return Limit("token", settings.ANSINH_API_RATE_PER_TOKEN, settings.ANSINH_API_RATE_WINDOW)


def ip_limit() -> Limit:
    return Limit("ip", settings.ANSINH_API_RATE_PER_IP, settings.ANSINH_API_RATE_WINDOW)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is written by the client unless a trusted proxy rewrites it, and a
    # forged header would let one client spread itself over as many budgets as it likes.
    return request.META.get("REMOTE_ADDR") or "unknown"


def charge(limit: Limit, ident: str, *, now: float | None = None) -> None:
    """Count one request against `ident`'s budget; raise RateLimited once the window's budget is spent."""
    if limit.requests <= 0:
        return
    now = time.time() if now is None else now
    window_index = int(now // limit.window)
    key = f"ansinh:ratelimit:{limit.scope}:{ident}:{window_index}"
    cache.add(key, 0, timeout=limit.window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: start the window again
        cache.set(key, 1, timeout=limit.window + 1)
        used = 1
    if used > limit.requests:
        raise RateLimited(limit=limit, wait=max(1, math.ceil((window_index + 1) * limit.window - now)))
