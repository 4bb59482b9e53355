"""Sets the audit origin per request: ``api`` under ``/api/``, ``web`` everywhere else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accord.core.audit.context import origin

API_PREFIX = "/api/"


class AuditContextMiddleware:
    """Wraps each request in ``audit.origin("web" | "api", request_id=request.request_id)``.

    The request id is the one ``RequestIdMiddleware`` gave the request (it must come first),
    so a log line, an error report and an audit entry can be matched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(getattr(request, "request_id", "") or "")
        name = "api" if request.path_info.startswith(API_PREFIX) else "web"
        with origin(name, request_id=request_id, batch=""):
            return self.get_response(request)
