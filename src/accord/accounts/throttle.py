"""Login throttling: too many failed sign-ins for one email from one address lock it out.

``ACCORD_LOGIN_MAX_FAILURES`` failures (default 5) within ``ACCORD_LOGIN_WINDOW_MINUTES``
(default 15) lock that email + IP pair for ``ACCORD_LOGIN_LOCKOUT_MINUTES`` (default 15).
The counters live in the shared cache (Redis or the database cache table), so every web
process sees the same numbers. A successful sign-in clears them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_MINUTES = 15
DEFAULT_LOCKOUT_MINUTES = 15


def max_failures() -> int:
    return int(getattr(settings, "ACCORD_LOGIN_MAX_FAILURES", DEFAULT_MAX_FAILURES))


def window() -> dt.timedelta:
    minutes = getattr(settings, "ACCORD_LOGIN_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES)
    return dt.timedelta(minutes=int(minutes))


def lockout() -> dt.timedelta:
    minutes = getattr(settings, "ACCORD_LOGIN_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES)
    return dt.timedelta(minutes=int(minutes))


def client_ip(request: HttpRequest) -> str:
    """The client's address as Django sees it (gunicorn applies trusted forwarding headers)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(kind: str, email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()[:40]
    return f"login-throttle:{kind}:{digest}"


@dataclass(frozen=True)
class Lock:
    until: dt.datetime

    @property
    def minutes_left(self) -> int:
        seconds = max(0.0, (self.until - timezone.now()).total_seconds())
        return max(1, int(-(-seconds // 60)))


def locked_until(email: str, ip: str) -> Lock | None:
    """The lock on this email + IP, or None when sign-in may be tried."""
    until = cache.get(_key("lock", email, ip))
    if isinstance(until, dt.datetime) and until > timezone.now():
        return Lock(until)
    return None


def record_failure(email: str, ip: str) -> Lock | None:
    """Count a failed sign-in; returns the new lock when this failure triggers one."""
    now = timezone.now()
    key = _key("fail", email, ip)
    failures = [t for t in cache.get(key, []) if isinstance(t, dt.datetime) and now - t < window()]
    failures.append(now)
    if len(failures) >= max_failures():
        until = now + lockout()
        cache.set(_key("lock", email, ip), until, timeout=int(lockout().total_seconds()) + 1)
        cache.delete(key)
        return Lock(until)
    cache.set(key, failures, timeout=int(window().total_seconds()) + 1)
    return None


def reset(email: str, ip: str) -> None:
    """A successful sign-in clears the failures and any lock of this email + IP."""
    cache.delete_many([_key("fail", email, ip), _key("lock", email, ip)])
