"""Browser sessions: the per-session record, listing and revocation.

``UserSessionMiddleware`` keeps one ``UserSession`` row per signed-in session (device, IP,
last seen, written at most once a minute). Revoking deletes the session from Django's session
store, so the next request with that cookie is anonymous, in every process. Ending *all* of a
user's sessions also bumps ``User.session_generation``, which changes the hash Django checks
on every request, so even a session without a row (signed in before this existed) ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import User, UserSession
from accord.core import audit

LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
USER_AGENT_MAX = 300


def _session_store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def _delete_session(session_key: str) -> None:
    _session_store(session_key).delete(session_key)


def user_session_list(*, user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-last_seen_at", "-id")


def user_session_revoke(*, actor: User, session: UserSession) -> None:
    """End one session of the actor (or, for administrators, of anyone)."""
    if session.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You can only end your own sessions."))
    with transaction.atomic():
        _delete_session(session.session_key)
        audit.record(
            session.user,
            audit.Verb.CUSTOM,
            actor,
            action="user.session_revoked",
            detail={"ip_address": session.ip_address, "device": session.user_agent},
        )
        session.delete()


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` except ``keep_session_key``; returns how many rows ended.

    Without ``keep_session_key`` the session generation is bumped too, so sessions the
    middleware never recorded end as well. Callers check permissions and write audit entries.
    """
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        _delete_session(key)
    sessions.delete()
    if not keep_session_key:
        User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        user.refresh_from_db(fields=["session_generation"])
    return len(keys)


def user_sessions_end_others(*, user: User, current_session_key: str | None) -> int:
    """The user ends every session but the one they are using."""
    with transaction.atomic():
        count = user_sessions_end(user=user, keep_session_key=current_session_key or "-")
        audit.record(
            user,
            audit.Verb.CUSTOM,
            user,
            action="user.other_sessions_revoked",
            detail={"sessions": count},
        )
    return count


def _device(request: HttpRequest) -> str:
    return str(request.headers.get("User-Agent", ""))[:USER_AGENT_MAX]


def _ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


SEEN_SESSION_KEY = "_accord_seen"


def touch(request: HttpRequest, user: Any) -> None:
    """Create or refresh the record of the request's session.

    The time of the last refresh is kept in the session itself, so most requests cost no
    query at all; the row is written at most once a minute per session.
    """
    session = getattr(request, "session", None)
    if session is None or not user.is_authenticated or not session.session_key:
        return
    now = timezone.now()
    key = session.session_key
    seen = session.get(SEEN_SESSION_KEY)
    if (
        isinstance(seen, list)
        and len(seen) == 2
        and seen[0] == key
        and isinstance(seen[1], int | float)
        and now.timestamp() - seen[1] < LAST_SEEN_RESOLUTION.total_seconds()
    ):
        return
    session[SEEN_SESSION_KEY] = [key, now.timestamp()]
    updated = UserSession.objects.filter(
        session_key=key, user_id=user.pk, last_seen_at__lte=now - LAST_SEEN_RESOLUTION
    ).update(last_seen_at=now, ip_address=_ip(request))
    if updated:
        return
    if UserSession.objects.filter(session_key=key).exists():
        return
    UserSession.objects.get_or_create(
        session_key=key,
        defaults={
            "user_id": user.pk,
            "ip_address": _ip(request),
            "user_agent": _device(request),
            "created_at": now,
            "last_seen_at": now,
        },
    )


class UserSessionMiddleware:
    """Records each signed-in session (after ``AuthenticationMiddleware``).

    Runs after the view, so a sign-in (which cycles the session key) records the new key.
    Requests authenticated by an API token have no signed-in session and are not recorded.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and HASH_SESSION_KEY in session
            and session.session_key
        ):
            touch(request, user)
        return response
