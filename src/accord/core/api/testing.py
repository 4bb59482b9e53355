"""A test client for the JSON API.

    client = ApiClient(token=plaintext)            # Authorization: Bearer <token>
    response = client.get("/api/v1/me")
    assert response.status_code == 200, response.content
    data = response.json()

    response = client.patch("/api/v1/me", {"time_zone": "Mars/Base"})
    problem = assert_problem(response, 422, field="time_zone")

Bodies are sent as JSON; ``ApiClient(session_user=user)`` signs in with a browser session
instead (with ``enforce_csrf_checks`` so the CSRF rule is tested too; ``csrf=True`` on a call
sends a valid CSRF token).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.utils.crypto import get_random_string

from accord.core.api.problems import CONTENT_TYPE, TYPE_PREFIX

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


class ApiClient:
    def __init__(
        self,
        token: str | None = None,
        *,
        session_user: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.token = token
        self.headers = dict(headers or {})
        if session_user is not None:
            self.client.force_login(session_user)

    def _headers(self, extra: dict[str, str] | None, csrf: bool) -> dict[str, str]:
        headers = dict(self.headers)
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if csrf:
            # Django accepts the unmasked secret in the header as well as a masked token.
            secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
            self.client.cookies["csrftoken"] = secret
            headers["X-CSRFToken"] = secret
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        csrf: bool = False,
        raw_body: str | bytes | None = None,
    ) -> TestResponse:
        body: str | bytes = ""
        if raw_body is not None:
            body = raw_body
        elif data is not None:
            body = json.dumps(data)
        return self.client.generic(
            method.upper(),
            path,
            data=body,
            content_type="application/json",
            headers=self._headers(headers, csrf),
            QUERY_STRING=urlencode(query or {}, doseq=True),
        )

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, data, **kwargs)

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, data, **kwargs)

    def put(self, path: str, data: Any = None, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, data, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)


def assert_problem(
    response: TestResponse,
    status: int,
    *,
    slug: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body.

    ``slug`` checks ``type`` (``urn:accord:problem:<slug>``); ``field`` checks that one of
    ``errors`` names that field.
    """
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"] == CONTENT_TYPE, response["Content-Type"]
    body: dict[str, Any] = json.loads(response.content)
    missing = PROBLEM_KEYS - body.keys()
    assert not missing, f"problem lacks {missing}: {body}"
    assert body["status"] == status, body
    assert isinstance(body["title"], str), body
    assert body["title"], body
    assert body["type"].startswith(TYPE_PREFIX), body
    if slug is not None:
        assert body["type"] == f"{TYPE_PREFIX}{slug}", body
    for error in body.get("errors", []):
        assert set(error) == {"field", "message", "code"}, error
    if field is not None:
        fields = [error["field"] for error in body.get("errors", [])]
        assert field in fields, f"no error names {field!r}: {body}"
    return body
