"""Composition root of the JSON API: mounts each app's router under /api/v1/.

Every operation, unless it says otherwise, is authenticated by a personal API token
(``Authorization: Bearer``) or the browser session, rate limited, and answers errors as
``application/problem+json``. A domain app adds its endpoints by defining ``router`` in its
``api.py`` and being mounted below.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

import accord
from accord.accounts.api import router as accounts_router
from accord.accounts.api_customfields import router as customfields_router
from accord.accounts.auth import BearerTokenAuth, SessionAuth
from accord.contacts.api import companies_router as contacts_companies_router
from accord.contacts.api import router as contacts_router
from accord.contacts.api import search_router as contacts_search_router
from accord.core.api import problems
from accord.core.api.ratelimit import ApiRateLimit, add_rate_limit_headers
from accord.sales.api import router as sales_router

DESCRIPTION = """\
The JSON API of Accord.

**Authentication**: `Authorization: Bearer acc_<prefix>_<secret>` with a personal API token
(create one under *Settings → API tokens* or with `accord token create`), or the browser
session (send the `X-CSRFToken` header on unsafe methods). Read tokens may only read.

**Errors** are `application/problem+json` (RFC 9457) with per-field `errors`.
**Lists** are cursor-paginated: follow `next_cursor`. **Rate limit**: see the `RateLimit-*`
headers; over the limit you get 429 with `Retry-After`. **Concurrency**: send the `ETag` of
your read as `If-Match` on writes to get 412 instead of overwriting someone else's change.
"""


class AccordNinjaAPI(NinjaAPI):
    """NinjaAPI whose 405 answers are problems too, and whose schema says problem+json."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problems.use_problem_media_type(schema)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problem_on_405(pattern.callback)
        return urls


def _problem_on_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            problems.CONTENT_TYPE
        ):
            allowed = response.get("Allow", "")
            problem = problems.MethodNotAllowed(
                _("Use one of: %(methods)s.") % {"methods": allowed},
                headers={"Allow": allowed},
            )
            return problems.problem_response(request, problem)
        return response

    return wrapper


api = AccordNinjaAPI(
    title="Accord API",
    version=accord.__version__,
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    throttle=[ApiRateLimit()],
    docs=Swagger(settings={"persistAuthorization": True, "tryItOutEnabled": False}),
)
problems.install(api)
api.add_decorator(add_rate_limit_headers, mode="view")

api.add_router("/", accounts_router)
api.add_router("/", contacts_router)
api.add_router("/", contacts_companies_router)
api.add_router("/", contacts_search_router)
api.add_router("/", customfields_router)
api.add_router("/", sales_router)


def not_found(request: HttpRequest, path: str = "") -> HttpResponseBase:
    """Any other URL under /api/: a 404 problem, not the HTML error page."""
    return problems.problem_response(
        request, problems.NotFound(_("There is no API endpoint at this address."))
    )
