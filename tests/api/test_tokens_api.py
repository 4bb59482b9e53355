"""GET/POST/DELETE /api/v1/tokens."""

from __future__ import annotations

import pytest
from tests.api.conftest import ApiFor, MakeToken

from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import api_token_authenticate
from accord.core.api.testing import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


def test_create_shows_token_once(api: ApiClient, user: User) -> None:
    response = api.post("/api/v1/tokens", {"name": "Reports", "scope": "read"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "prefix", "name", "scope", "created_at", "last_used_at", "expires_at", "revoked_at",
        "token",
    }  # fmt: skip
    assert (body["name"], body["scope"], body["revoked_at"]) == ("Reports", "read", None)
    assert body["token"].startswith(f"acc_{body['prefix']}_")
    assert api_token_authenticate(body["token"]).user == user

    listing = api.get("/api/v1/tokens").json()
    assert body["prefix"] in [item["prefix"] for item in listing["items"]]
    assert all("token" not in item for item in listing["items"])


def test_create_by_session_with_csrf(user: User) -> None:
    client = ApiClient(session_user=user)
    response = client.post("/api/v1/tokens", {"name": "From browser"}, csrf=True)
    assert response.status_code == 201, response.content
    assert ApiToken.objects.get(user=user).name == "From browser"


def test_create_validation(api: ApiClient, user: User) -> None:
    problem = assert_problem(api.post("/api/v1/tokens", {"scope": "root"}), 422, field="scope")
    assert problem["errors"][0]["message"] == "Choose 'read' or 'write'."
    assert_problem(
        api.post("/api/v1/tokens", {"expires_at": "2001-01-01T00:00:00+00:00"}),
        422,
        field="expires_at",
    )
    assert_problem(api.post("/api/v1/tokens", {"expires_at": "soon"}), 422, field="expires_at")
    assert ApiToken.objects.filter(user=user).count() == 1  # only the client's own


def test_list_is_paginated_newest_first(api_for: ApiFor, make_token: MakeToken, user: User) -> None:
    for index in range(4):
        make_token(user, name=f"t{index}")
    client = api_for(user)  # the fifth token, newest
    first = client.get("/api/v1/tokens", query={"limit": 2}).json()
    assert [item["name"] for item in first["items"]] == ["API token", "t3"]
    second = client.get("/api/v1/tokens", query={"limit": 2, "cursor": first["next_cursor"]})
    assert [item["name"] for item in second.json()["items"]] == ["t2", "t1"]
    third = client.get(
        "/api/v1/tokens", query={"limit": 2, "cursor": second.json()["next_cursor"]}
    ).json()
    assert [item["name"] for item in third["items"]] == ["t0"]
    assert third["next_cursor"] is None


def test_list_shows_only_own_tokens(api: ApiClient, make_token: MakeToken, manager: User) -> None:
    make_token(manager, name="manager's")
    names = [item["name"] for item in api.get("/api/v1/tokens").json()["items"]]
    assert "manager's" not in names


def test_revoke_other_users_token_is_404_and_changes_nothing(
    api: ApiClient, make_token: MakeToken, manager: User
) -> None:
    theirs = make_token(manager)
    prefix = theirs.split("_")[1]
    assert_problem(api.delete(f"/api/v1/tokens/{prefix}"), 404, slug="not-found")
    assert ApiToken.objects.get(prefix=prefix).revoked_at is None


def test_revoke_unknown_is_404(api: ApiClient) -> None:
    assert_problem(api.delete("/api/v1/tokens/nothere0"), 404)


def test_revoke_keeps_token_listed_as_revoked(
    api: ApiClient, make_token: MakeToken, user: User
) -> None:
    other = make_token(user, name="old")
    prefix = other.split("_")[1]
    assert api.delete(f"/api/v1/tokens/{prefix}").status_code == 204
    items = {item["prefix"]: item for item in api.get("/api/v1/tokens").json()["items"]}
    assert items[prefix]["revoked_at"] is not None
    assert_problem(ApiClient(token=other).get("/api/v1/me"), 401)
