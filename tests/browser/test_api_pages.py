"""API tokens page and API docs in a real browser (Playwright + Debian's Chromium)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.test_shell import sign_in
from tests.factories import UserFactory

from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import TokenError, api_token_authenticate, api_token_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKEN_RE = re.compile(r"^acc_[a-z0-9]{8}_[A-Za-z0-9]{40}$")


@pytest.fixture
def grace(transactional_db: None) -> User:
    user = UserFactory(role="sales-rep", email="grace@example.com", full_name="Grace Hopper")
    api_token_create(user=user, actor=None, name="Nightly export", scope="read")
    return user


def test_create_copy_and_revoke_a_token(
    page: Any, grace: User, screenshot: Callable[..., Path]
) -> None:
    sign_in(page, grace)
    page.goto("/accounts/tokens/")
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Nightly export")).to_be_visible()

    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()

    shown = page.locator("#created-token")
    expect(shown).to_be_visible()
    plaintext = shown.input_value()
    assert TOKEN_RE.match(plaintext), plaintext
    token = api_token_authenticate(plaintext)
    assert (token.name, token.scope) == ("CRM sync", "write")
    screenshot(page, "api-tokens")

    page.reload()  # a reload shows the form again, never the token
    expect(page.locator("#created-token")).to_have_count(0)
    assert plaintext not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#token-{token.prefix}").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("it no longer works")).to_be_visible()
    expect(page.locator(f"#token-{token.prefix}").get_by_text("Revoked")).to_be_visible()
    with pytest.raises(TokenError):
        api_token_authenticate(plaintext)
    assert ApiToken.objects.filter(user=grace, revoked_at__isnull=True).count() == 1
    assert page.js_errors == []


def test_api_docs_load_only_from_this_server(page: Any, live_server: Any, grace: User) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, grace)
    page.goto("/api/v1/docs")
    expect(page.get_by_text("/api/v1/me").first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Accord API"))).to_be_visible()
    foreign = [url for url in requested if not url.startswith(live_server.url)]
    assert foreign == []
    assert f"{live_server.url}/api/v1/openapi.json" in requested
    assert page.js_errors == []
