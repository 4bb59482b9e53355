"""The "API tokens" settings page: list, create (shown once), revoke."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import TokenError, api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db

TOKEN_IN_PAGE = re.compile(r"acc_[a-z0-9]{8}_[A-Za-z0-9]{40}")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_page_needs_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:token_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_empty_list(user_client: Client) -> None:
    response = user_client.get(reverse("accounts:token_list"))
    assert response.status_code == 200
    assert "You have no API tokens yet." in response.content.decode()


def test_create_shows_token_once(user_client: Client, user: User) -> None:
    url = reverse("accounts:token_list")
    response = user_client.post(url, {"name": "Nightly export", "scope": "write", "expires_in": ""})
    assert response.status_code == 302
    assert response["Location"] == url
    assert ApiToken.objects.filter(user=user).count() == 1
    response = user_client.get(url)
    html = response.content.decode()
    shown = TOKEN_IN_PAGE.findall(html)
    assert len(set(shown)) == 1
    plaintext = shown[0]
    assert "it is shown only this once" in html
    assert "no-store" in response["Cache-Control"]
    token = api_token_authenticate(plaintext)
    assert (token.user, token.name, token.scope, token.expires_at) == (
        user,
        "Nightly export",
        "write",
        None,
    )

    again = user_client.get(url).content.decode()
    assert TOKEN_IN_PAGE.search(again) is None
    assert f"acc_{token.prefix}_…" in again
    assert "Nightly export" in again
    assert user.api_tokens.count() == 1


def test_token_is_not_shown_to_another_session(user_client: Client, user: User) -> None:
    url = reverse("accounts:token_list")
    user_client.post(url, {"name": "mine", "scope": "read", "expires_in": ""})
    other_browser = Client()
    other_browser.force_login(user)
    assert TOKEN_IN_PAGE.search(other_browser.get(url).content.decode()) is None
    assert TOKEN_IN_PAGE.search(user_client.get(url).content.decode()) is not None


def test_create_with_expiry_and_default_name(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("accounts:token_list"), {"name": "", "scope": "read", "expires_in": "30"}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope) == ("API token", "read")
    assert token.expires_at is not None


def test_create_with_bad_input_names_the_field(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("accounts:token_list"), {"name": "x", "scope": "root", "expires_in": "7"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"scope", "expires_in"}
    assert TOKEN_IN_PAGE.search(response.content.decode()) is None
    assert ApiToken.objects.filter(user=user).count() == 0


def test_list_shows_only_own_tokens(user_client: Client, user: User, manager: User) -> None:
    api_token_create(user=user, actor=None, name="mine")
    api_token_create(user=manager, actor=None, name="theirs")
    html = user_client.get(reverse("accounts:token_list")).content.decode()
    assert "mine" in html
    assert "theirs" not in html


def test_revoke(user_client: Client, user: User) -> None:
    created = api_token_create(user=user, actor=None, name="old")
    url = reverse("accounts:token_revoke", args=[created.token.prefix])
    response = user_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:token_list")
    with pytest.raises(TokenError, match="revoked"):
        api_token_authenticate(created.plaintext)
    html = user_client.get(reverse("accounts:token_list")).content.decode()
    assert "Revoked the token" in html
    assert "Revoked" in html


def test_revoke_needs_post(user_client: Client, user: User) -> None:
    created = api_token_create(user=user, actor=None)
    response = user_client.get(reverse("accounts:token_revoke", args=[created.token.prefix]))
    assert response.status_code == 405
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_revoke_someone_elses_token_is_404(user_client: Client, manager: User) -> None:
    created = api_token_create(user=manager, actor=None)
    response = user_client.post(reverse("accounts:token_revoke", args=[created.token.prefix]))
    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None
