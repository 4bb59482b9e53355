"""Errors of the JSON API as ``application/problem+json`` (RFC 9457).

Every error response of ``/api/v1/`` has the same shape::

    {
      "type": "urn:accord:problem:validation-error",
      "title": "Validation failed",
      "status": 422,
      "detail": "The request has 1 invalid field.",
      "instance": "/api/v1/me",
      "errors": [{"field": "time_zone", "message": "Mars/Base is not a known time zone.",
                  "code": "invalid"}]
    }

Services and adapters raise the exception classes below (or Django's own ``ValidationError``,
``PermissionDenied``, ``Http404`` and ``ObjectDoesNotExist``); :func:`install` registers the
handlers that turn them, ninja's errors and any unhandled exception into problem responses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field as PydanticField

if TYPE_CHECKING:
    from ninja import NinjaAPI

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:accord:problem:"

logger = logging.getLogger("accord.api")


@dataclass(frozen=True)
class FieldError:
    """One invalid input: ``field`` is a dotted path (``emails.0.email``) or None."""

    field: str | None
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "code": self.code}


class Problem(Exception):
    """Base of all API errors. Subclasses set ``status``, ``slug`` and ``title``."""

    status: int = 500
    slug: str = "server-error"
    title: str | Promise = _("Internal server error")

    def __init__(
        self,
        detail: str | Promise | None = None,
        *,
        errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        title: str | Promise | None = None,
    ) -> None:
        self.detail = str(detail) if detail is not None else None
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        if title is not None:
            self.title = title
        super().__init__(self.detail or str(self.title))

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.slug}"

    def body(self, request: HttpRequest | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": str(self.title),
            "status": self.status,
            "detail": self.detail,
            "instance": request.path if request is not None else None,
        }
        if self.errors:
            body["errors"] = [error.as_dict() for error in self.errors]
        body.update(self.extra)
        return body


class BadRequest(Problem):
    """The request is malformed: unparseable JSON, a bad cursor."""

    status = 400
    slug = "bad-request"
    title = _("Bad request")


class NotAuthenticated(Problem):
    status = 401
    slug = "not-authenticated"
    title = _("Authentication required")

    def __init__(self, detail: str | Promise | None = None, *, invalid_token: bool = False) -> None:
        challenge = 'Bearer realm="accord"'
        if invalid_token:
            challenge += ', error="invalid_token"'
        super().__init__(
            detail or _("Send a valid API token as 'Authorization: Bearer <token>'."),
            headers={"WWW-Authenticate": challenge},
        )


class PermissionDenied(Problem):
    status = 403
    slug = "permission-denied"
    title = _("Permission denied")


class NotFound(Problem):
    status = 404
    slug = "not-found"
    title = _("Not found")


class MethodNotAllowed(Problem):
    status = 405
    slug = "method-not-allowed"
    title = _("Method not allowed")


class Conflict(Problem):
    status = 409
    slug = "conflict"
    title = _("Conflict")


class PreconditionFailed(Problem):
    """``If-Match`` names a version that is no longer current (see ``concurrency``)."""

    status = 412
    slug = "precondition-failed"
    title = _("Precondition failed")


class ValidationFailed(Problem):
    status = 422
    slug = "validation-error"
    title = _("Validation failed")

    def __init__(
        self,
        errors: Iterable[FieldError],
        detail: str | Promise | None = None,
        **kwargs: Any,
    ) -> None:
        errors = list(errors)
        if detail is None:
            detail = ngettext(
                "The request has %(count)d invalid field.",
                "The request has %(count)d invalid fields.",
                len(errors),
            ) % {"count": len(errors)}
        super().__init__(detail, errors=errors, **kwargs)


class RateLimited(Problem):
    status = 429
    slug = "rate-limited"
    title = _("Too many requests")

    def __init__(self, retry_after: int, detail: str | Promise | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            detail
            or _("Rate limit exceeded; retry in %(seconds)d seconds.")
            % {"seconds": self.retry_after},
            headers={"Retry-After": str(self.retry_after)},
        )


class ServerError(Problem):
    pass


# --- Schemas for the OpenAPI document ------------------------------------------------------


class ProblemFieldError(Schema):
    field: str | None = PydanticField(description="Dotted path of the input, e.g. emails.0.email")
    message: str
    code: str = PydanticField(description="Machine-readable reason, e.g. missing, invalid")


class ProblemDetails(Schema):
    """An error (RFC 9457), served as application/problem+json."""

    type: str = PydanticField(description="urn:accord:problem:<slug>, e.g. validation-error")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = PydanticField(None, description="The path of the request.")
    errors: list[ProblemFieldError] | None = PydanticField(
        None, description="Per-field errors of a 400 or 422."
    )


def problem_responses(*statuses: int) -> dict[int, type[ProblemDetails]]:
    """``response={200: X, **problem_responses(401, 404)}`` documents the error statuses."""
    return dict.fromkeys(statuses, ProblemDetails)


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """In an OpenAPI document, serve every 4xx/5xx response as application/problem+json."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[:1] in {"4", "5"} and "application/json" in content:
                    content[CONTENT_TYPE] = content.pop("application/json")
    return schema


# --- Converting errors ---------------------------------------------------------------------


def field_path(parts: Sequence[Any]) -> str:
    """``("emails", 0, "email")`` -> ``"emails.0.email"``."""
    return ".".join(str(part) for part in parts)


def errors_from_django(exc: DjangoValidationError, prefix: str = "") -> list[FieldError]:
    """Flatten a Django ``ValidationError`` (``message_dict`` or a list) into field errors."""
    result: list[FieldError] = []
    if hasattr(exc, "error_dict"):
        for name, field_errors in exc.error_dict.items():
            field: str | None = None if name == NON_FIELD_ERRORS else f"{prefix}{name}"
            for error in field_errors:
                for message in error:
                    result.append(FieldError(field, str(message), error.code or "invalid"))
    else:
        for error in exc.error_list:
            for message in error:
                result.append(
                    FieldError(prefix.rstrip(".") or None, str(message), error.code or "invalid")
                )
    return result


def errors_from_ninja(exc: NinjaValidationError) -> list[FieldError]:
    """Ninja/pydantic errors carry ``loc = (source, [param,] *path)``."""
    result: list[FieldError] = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        # loc[0] is the source (body, query, path, ...). A body schema is one parameter
        # (named ``payload`` by convention) whose name is dropped too, unless it is all there is.
        body = bool(loc) and loc[0] == "body" and len(loc) > 2
        path = loc[2:] if body else loc[1:]
        message = str(error.get("msg", "Invalid value"))
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        result.append(FieldError(field_path(path) or None, message, str(error.get("type", ""))))
    return result


def problem_response(request: HttpRequest | None, problem: Problem) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem.body(request), cls=DjangoJSONEncoder),
        status=problem.status,
        content_type=CONTENT_TYPE,
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def install(api: NinjaAPI) -> None:
    """Make every error of ``api`` a problem response."""

    def on_problem(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    def on_ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        return problem_response(request, ValidationFailed(errors_from_ninja(exc)))

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DjangoValidationError)
        return problem_response(request, ValidationFailed(errors_from_django(exc)))

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(request, NotAuthenticated())

    def on_permission(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) if str(exc) and str(exc) != "Forbidden" else None
        return problem_response(
            request,
            PermissionDenied(detail or _("You may not do this.")),
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(request, NotFound(_("No such resource.")))

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, Throttled)
        state = getattr(request, "accord_rate_limit", None)
        retry_after = state.reset_after if state is not None else int(exc.wait or 60)
        return problem_response(request, RateLimited(retry_after))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        problem_class: type[Problem] = {
            400: BadRequest,
            401: NotAuthenticated,
            403: PermissionDenied,
            404: NotFound,
            405: MethodNotAllowed,
            409: Conflict,
            412: PreconditionFailed,
        }.get(exc.status_code, Problem)
        if problem_class is NotAuthenticated:
            return problem_response(request, NotAuthenticated())
        problem = problem_class(exc.message)
        problem.status = exc.status_code
        return problem_response(request, problem)

    def on_unhandled(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.error(
            "Unhandled exception in %s %s",
            request.method,
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        return problem_response(
            request, ServerError(_("An unexpected error occurred; it has been logged."))
        )

    api.add_exception_handler(Problem, on_problem)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(DjangoPermissionDenied, on_permission)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Exception, on_unhandled)
