"""Rate limiting of the JSON API, shared by every process through the Django cache.

A fixed window of ``ACCORD_API_RATE_WINDOW`` seconds (60) allows ``ACCORD_API_RATE_LIMIT``
requests (per minute, 600 by default) per client: per API token when the request carries one,
per user for browser sessions, per IP address otherwise. The count lives in the cache
(``CACHES["default"]``: Redis, or the database table), so several app servers share it; the
increment is atomic on both.

Every limited response carries ``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset`` (seconds until the window ends) and ``RateLimit-Policy``; a request over
the limit gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja.throttling import BaseThrottle

CACHE_ALIAS = "default"


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_after: int  # seconds until the window ends
    window: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.remaining)),
            "RateLimit-Reset": str(self.reset_after),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }


def client_key(request: HttpRequest) -> str:
    """Who is counted: the API token, else the signed-in user, else the client address."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "USE_X_FORWARDED_HOST", False):
        # Behind our own proxy (ACCORD_BEHIND_PROXY): the proxy appends the client address.
        address = forwarded.split(",")[-1].strip()
    return f"ip:{address}"


def hit(key: str, *, limit: int, window: int, now: float | None = None) -> RateLimitState:
    """Count one request of ``key`` in the current window and return the state after it."""
    now = time.time() if now is None else now
    window_index = int(now // window)
    reset_after = max(1, int((window_index + 1) * window - now + 0.999))
    cache = caches[CACHE_ALIAS]
    cache_key = f"ratelimit:{key}:{window_index}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = int(cache.incr(cache_key))
    except ValueError:
        # The entry expired between add() and incr(): start the count again.
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return RateLimitState(
        limit=limit, remaining=limit - count, reset_after=reset_after, window=window
    )


class ApiRateLimit(BaseThrottle):
    """A ninja throttle; put one instance in ``NinjaAPI(throttle=...)``.

    Ninja runs throttles after authentication, so ``request.api_token`` / ``request.auth``
    tell who is calling. The state is kept on the request (``request.accord_rate_limit``)
    for :func:`add_rate_limit_headers` and the 429 handler; nothing is kept on the throttle,
    which is shared by the threads of a process.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        limit = int(settings.ACCORD_API_RATE_LIMIT)
        if limit <= 0:
            return True  # 0 switches rate limiting off
        window = int(getattr(settings, "ACCORD_API_RATE_WINDOW", 60))
        state = hit(client_key(request), limit=limit, window=window)
        request.accord_rate_limit = state  # type: ignore[attr-defined]
        return not state.exceeded


def add_rate_limit_headers(
    run: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A ninja "view" decorator that adds the ``RateLimit-*`` headers to every response."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        state: RateLimitState | None = getattr(request, "accord_rate_limit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response

    return wrapper
