"""The page frame: login required, navigation, theme attribute, user menu, messages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accord.accounts.models import User
from accord.core.registry import NavItem, Registry

pytestmark = pytest.mark.django_db


def test_home_requires_login(client: Client) -> None:
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_renders_form(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'type="email"' in html
    assert 'name="password"' in html
    assert "Sign in to Accord" in html


def test_login_with_wrong_password_shows_error(client: Client, user: User) -> None:
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert 'class="alert alert-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_signs_in_and_lands_on_dashboard(client: Client, user: User) -> None:
    from tests.factories import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("theme", ["auto", "light", "dark"])
def test_theme_attribute_follows_preference(user_client: Client, user: User, theme: str) -> None:
    user.theme = theme
    user.save(update_fields=["theme"])
    response = user_client.get(reverse("web:home"))
    assert f'<html lang="en" data-theme="{theme}">' in response.content.decode()


def test_shell_has_csrf_header_search_and_sign_out_form(user_client: Client) -> None:
    response = user_client.get(reverse("web:home"))
    html = response.content.decode()
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]{64}\"\}'", html)
    assert 'id="global-search"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert 'id="palette"' in html
    assert 'id="shortcuts"' in html


def test_navigation_renders_registered_items_and_hides_unresolvable(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.add_nav(
        NavItem(
            key="profile-nav", label="My profile", url_name="web:profile", order=5, shortcut="g x"
        )
    )
    isolated_registry.add_nav(NavItem(key="ghost", label="Ghost app", url_name="ghost:list"))
    isolated_registry.add_nav(
        NavItem(key="secret", label="Secret", url_name="web:search", permission=lambda u: False)
    )
    html = user_client.get(reverse("web:profile")).content.decode()
    assert "My profile" in html
    assert 'data-shortcut="g x"' in html
    assert "Ghost app" not in html
    assert "Secret" not in html
    assert 'class="nav-link is-active"' in html


def test_messages_are_shown_with_dismiss(user_client: Client) -> None:
    response = user_client.post(
        reverse("web:profile"),
        {"full_name": "Riley Rep", "time_zone": "UTC", "language": "en", "theme": "auto"},
        follow=True,
    )
    html = response.content.decode()
    assert 'class="flash flash-success"' in html
    assert "Your profile has been saved." in html
    assert 'aria-label="Dismiss"' in html


def test_user_menu_links_to_api_tokens_only_when_the_page_exists(user_client: Client) -> None:
    html = user_client.get(reverse("web:home")).content.decode()
    try:
        token_list_url = reverse("accounts:token_list")
    except NoReverseMatch:
        assert "API tokens" not in html
    else:
        assert f'href="{token_list_url}"' in html


def test_user_language_is_applied(user_client: Client, user: User) -> None:
    user.language = "de"
    user.save(update_fields=["language"])
    html = user_client.get(reverse("web:home")).content.decode()
    assert '<html lang="de"' in html
    assert "Willkommen zurück, Riley Rep" in html
    assert "Erste Schritte" in html
    assert "Benachrichtigungen" in html


def test_unknown_page_is_a_friendly_404(user_client: Client) -> None:
    response = user_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/"' in html
