"""GET/PATCH /api/v1/me: the profile endpoint and optimistic concurrency."""

from __future__ import annotations

import re

import pytest

from accord.accounts.models import User
from accord.core.api.testing import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


def test_get_returns_profile_and_etag(api: ApiClient, user: User) -> None:
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "rep@example.com",
        "full_name": "Riley Rep",
        "time_zone": "UTC",
        "language": "en",
        "theme": "auto",
        "role": "sales-rep",
    }
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag), etag
    assert api.get("/api/v1/me")["ETag"] == etag


def test_if_none_match_gives_304(api: ApiClient) -> None:
    etag = api.get("/api/v1/me")["ETag"]
    response = api.get("/api/v1/me", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert api.get("/api/v1/me", headers={"If-None-Match": '"other"'}).status_code == 200


def test_patch_changes_only_given_fields(api: ApiClient, user: User) -> None:
    before = api.get("/api/v1/me")["ETag"]
    response = api.patch("/api/v1/me", {"time_zone": "Europe/Berlin", "theme": "dark"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["time_zone"], body["theme"], body["full_name"]) == (
        "Europe/Berlin",
        "dark",
        "Riley Rep",
    )
    assert response["ETag"] != before
    assert response["ETag"] == api.get("/api/v1/me")["ETag"]
    user.refresh_from_db()
    assert (user.time_zone, user.theme, user.language) == ("Europe/Berlin", "dark", "en")


def test_patch_with_current_etag_succeeds(api: ApiClient, user: User) -> None:
    etag = api.get("/api/v1/me")["ETag"]
    response = api.patch("/api/v1/me", {"language": "de"}, headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.language == "de"


def test_patch_with_stale_etag_is_412_with_current(api: ApiClient, user: User) -> None:
    stale = api.get("/api/v1/me")["ETag"]
    assert api.patch("/api/v1/me", {"full_name": "Someone Else"}).status_code == 200
    current = api.get("/api/v1/me")["ETag"]

    response = api.patch("/api/v1/me", {"full_name": "Mine"}, headers={"If-Match": stale})
    problem = assert_problem(response, 412, slug="precondition-failed")
    assert response["ETag"] == current
    assert problem["current_etag"] == current
    assert problem["current"]["full_name"] == "Someone Else"
    assert problem["current"]["email"] == user.email
    user.refresh_from_db()
    assert user.full_name == "Someone Else"


def test_if_match_list_and_star(api: ApiClient) -> None:
    etag = api.get("/api/v1/me")["ETag"]
    listed = api.patch("/api/v1/me", {"theme": "light"}, headers={"If-Match": f'"x", {etag}'})
    assert listed.status_code == 200
    star = api.patch("/api/v1/me", {"theme": "dark"}, headers={"If-Match": "*"})
    assert star.status_code == 200


def test_weak_etag_never_matches_a_write(api: ApiClient) -> None:
    etag = api.get("/api/v1/me")["ETag"]
    response = api.patch("/api/v1/me", {"theme": "dark"}, headers={"If-Match": f"W/{etag}"})
    assert_problem(response, 412)


def test_patch_validation_names_each_field(api: ApiClient, user: User) -> None:
    response = api.patch(
        "/api/v1/me", {"time_zone": "Mars/Base", "language": "tlh", "theme": "neon"}
    )
    problem = assert_problem(response, 422, slug="validation-error")
    by_field = {error["field"]: error for error in problem["errors"]}
    assert set(by_field) == {"time_zone", "language", "theme"}
    assert by_field["time_zone"]["message"] == "Mars/Base is not a known time zone."
    assert problem["detail"] == "The request has 3 invalid fields."
    user.refresh_from_db()
    assert (user.time_zone, user.language, user.theme) == ("UTC", "en", "auto")


def test_patch_refuses_unknown_fields_and_nulls(api: ApiClient) -> None:
    problem = assert_problem(api.patch("/api/v1/me", {"email": "x@y.z"}), 422, field="email")
    assert problem["errors"][0]["code"] == "extra_forbidden"
    problem = assert_problem(api.patch("/api/v1/me", {"theme": None}), 422, field="theme")
    assert problem["errors"][0]["code"] == "null"


def test_patch_too_long_name(api: ApiClient) -> None:
    problem = assert_problem(api.patch("/api/v1/me", {"full_name": "x" * 201}), 422)
    assert problem["errors"][0]["field"] == "full_name"
    assert problem["errors"][0]["code"] == "string_too_long"
