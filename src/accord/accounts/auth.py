"""Authentication of the JSON API: personal API tokens and browser sessions.

``NinjaAPI(auth=[BearerTokenAuth(), SessionAuth()])``: a request with
``Authorization: Bearer acc_...`` is authenticated by its token only (a bad token is a 401,
never a fall-back to the session); otherwise the browser session is used, with Django's CSRF
check on unsafe methods. Either way ``request.auth`` is the user and ``request.api_token``
the token (None for sessions).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from accord.accounts.models import User
from accord.accounts.tokens import TokenError, api_token_authenticate
from accord.core.api.problems import NotAuthenticated, PermissionDenied

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer acc_<prefix>_<secret>``; read tokens may only read."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _sep, credentials = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, credentials.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            api_token = api_token_authenticate(token)
        except TokenError as exc:
            raise NotAuthenticated(exc.reason, invalid_token=True) from exc
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise PermissionDenied(
                _("This API token may only read; create a token with the write scope.")
            )
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check that returns the reason instead of rendering the failure page."""

    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def csrf_failure_reason(request: HttpRequest) -> str | None:
    """Why the request fails Django's CSRF check, or None if it passes (safe methods do)."""
    check = _CsrfCheck(_no_response)
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    check.process_request(request)
    reason = check.process_view(request, _no_response, (), {})
    return str(reason) if reason is not None else None


def _no_response(request: HttpRequest) -> Any:
    return None


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF token required on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # a 401, not a CSRF error, for a request without a session
        if not getattr(request, "_ninja_csrf_exempt", False):
            reason = csrf_failure_reason(request)
            if reason is not None:
                raise HttpError(
                    403,
                    _("CSRF check failed (%(reason)s): send the X-CSRFToken header.")
                    % {"reason": reason},
                )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            request.api_token = None  # type: ignore[attr-defined]
            assert isinstance(user, User)
            return user
        return None
