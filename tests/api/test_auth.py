"""Authentication of the JSON API: bearer tokens, scopes, browser sessions."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.api.conftest import ApiFor, MakeToken

from accord.accounts.models import ApiToken, User
from accord.core.api.testing import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_challenge(db: None) -> None:
    problem = assert_problem(ApiClient().get("/api/v1/me"), 401, slug="not-authenticated")
    assert problem["instance"] == "/api/v1/me"


def test_challenge_header(db: None) -> None:
    response = ApiClient().get("/api/v1/me")
    assert response["WWW-Authenticate"] == 'Bearer realm="accord"'


def test_garbage_token_is_401_invalid_token(db: None) -> None:
    response = ApiClient(token="acc_nothere0_" + "x" * 40).get("/api/v1/me")
    problem = assert_problem(response, 401)
    assert problem["detail"] == "The API token is not valid."
    assert response["WWW-Authenticate"] == 'Bearer realm="accord", error="invalid_token"'


def test_other_scheme_is_not_a_token(db: None) -> None:
    response = ApiClient(headers={"Authorization": "Basic dXNlcjpwYXNz"}).get("/api/v1/me")
    assert_problem(response, 401)


def test_valid_token_authenticates(api: ApiClient, user: User) -> None:
    response = api.get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == user.email


def test_revoked_token_is_refused_on_the_next_request(
    api_for: ApiFor, make_token: MakeToken, user: User
) -> None:
    plaintext = make_token(user, scope="write")
    client = api_for(token=plaintext)
    assert client.get("/api/v1/me").status_code == 200

    prefix = plaintext.split("_")[1]
    assert client.delete(f"/api/v1/tokens/{prefix}").status_code == 204

    problem = assert_problem(client.get("/api/v1/me"), 401)
    assert problem["detail"] == "The API token has been revoked."


def test_deactivated_user_is_refused_on_the_next_request(api: ApiClient, user: User) -> None:
    assert api.get("/api/v1/me").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    problem = assert_problem(api.get("/api/v1/me"), 401)
    assert problem["detail"] == "The account of this API token is deactivated."


def test_expired_token_is_refused(api_for: ApiFor, user: User) -> None:
    client = api_for(user)
    assert client.get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now())
    problem = assert_problem(client.get("/api/v1/me"), 401)
    assert problem["detail"] == "The API token has expired."


def test_read_token_may_read_but_not_write(read_api: ApiClient, user: User) -> None:
    assert read_api.get("/api/v1/me").status_code == 200
    assert read_api.get("/api/v1/tokens").status_code == 200

    problem = assert_problem(
        read_api.patch("/api/v1/me", {"full_name": "Changed"}), 403, slug="permission-denied"
    )
    assert "write scope" in problem["detail"]
    assert_problem(read_api.post("/api/v1/tokens", {"name": "more"}), 403)
    user.refresh_from_db()
    assert user.full_name == "Riley Rep"
    assert ApiToken.objects.filter(user=user).count() == 1


def test_write_token_may_write(api: ApiClient, user: User) -> None:
    response = api.patch("/api/v1/me", {"full_name": "Changed"})
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.full_name == "Changed"


def test_session_works_for_reads(user: User) -> None:
    response = ApiClient(session_user=user).get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == user.email


def test_session_needs_csrf_token_for_writes(user: User) -> None:
    client = ApiClient(session_user=user)
    problem = assert_problem(client.patch("/api/v1/me", {"full_name": "Changed"}), 403)
    assert "CSRF" in problem["detail"]
    user.refresh_from_db()
    assert user.full_name == "Riley Rep"

    response = client.patch("/api/v1/me", {"full_name": "Changed"}, csrf=True)
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.full_name == "Changed"


def test_deactivated_session_user_is_refused(user: User) -> None:
    client = ApiClient(session_user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_problem(client.get("/api/v1/me"), 401)


def test_bad_token_does_not_fall_back_to_session(user: User) -> None:
    client = ApiClient(token="acc_nothere0_" + "x" * 40, session_user=user)
    assert_problem(client.get("/api/v1/me"), 401)
