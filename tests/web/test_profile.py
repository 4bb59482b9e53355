"""The profile page and the theme switch write through accounts.preferences."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.accounts.preferences import user_profile_update, user_theme_set

pytestmark = pytest.mark.django_db


def test_profile_page_shows_current_values(user_client: Client, user: User) -> None:
    response = user_client.get(reverse("web:profile"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "full_name": "Riley Rep",
        "time_zone": "UTC",
        "language": "en",
        "theme": "auto",
    }
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in response.content.decode()


def test_profile_save(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("web:profile"),
        {
            "full_name": "  Riley Q. Rep ",
            "time_zone": "Europe/Berlin",
            "language": "de",
            "theme": "dark",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:profile")
    user.refresh_from_db()
    assert (user.full_name, user.time_zone, user.language, user.theme) == (
        "Riley Q. Rep",
        "Europe/Berlin",
        "de",
        "dark",
    )


def test_profile_bad_time_zone_is_an_error_next_to_the_field(
    user_client: Client, user: User
) -> None:
    response = user_client.post(
        reverse("web:profile"),
        {"full_name": "Riley Rep", "time_zone": "Mars/Olympus", "language": "en", "theme": "light"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "time_zone": ["Select a valid choice. Mars/Olympus is not one of the available choices."]
    }
    html = response.content.decode()
    assert '<ul class="field-errors" id="id_time_zone_error">' in html
    user.refresh_from_db()
    assert (user.time_zone, user.theme) == ("UTC", "auto")


def test_profile_htmx_post_renders_only_the_form(user_client: Client) -> None:
    response = user_client.post(
        reverse("web:profile"),
        {"full_name": "", "time_zone": "Nowhere", "language": "xx", "theme": "pink"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<form method="post"')
    assert set(response.context["form"].errors) == {"time_zone", "language", "theme"}


def test_service_rejects_unknown_time_zone(user: User) -> None:
    with pytest.raises(ValidationError) as caught:
        user_profile_update(
            user=user,
            actor=user,
            full_name="X",
            time_zone="Mars/Olympus",
            language="en",
            theme="auto",
        )
    assert caught.value.message_dict == {"time_zone": ["Mars/Olympus is not a known time zone."]}
    user.refresh_from_db()
    assert user.full_name == "Riley Rep"


def test_service_only_changes_own_preferences(user: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        user_theme_set(user=user, actor=admin_user, theme="dark")
    user.refresh_from_db()
    assert user.theme == "auto"


def test_theme_switch_persists(user_client: Client, user: User) -> None:
    response = user_client.post(
        reverse("web:profile_theme"), {"theme": "dark"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.theme == "dark"
    html = user_client.get(reverse("web:home")).content.decode()
    assert 'data-theme="dark"' in html


def test_theme_switch_rejects_unknown_theme(user_client: Client, user: User) -> None:
    response = user_client.post(reverse("web:profile_theme"), {"theme": "pink"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.theme == "auto"


def test_theme_switch_without_js_redirects_back_safely(user_client: Client) -> None:
    response = user_client.post(
        reverse("web:profile_theme"), {"theme": "light", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_change_page(user_client: Client) -> None:
    response = user_client.get(reverse("web:password_change"))
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()


def test_password_change_wrong_old_password_error_next_to_field(user_client: Client) -> None:
    response = user_client.post(
        reverse("web:password_change"),
        {
            "old_password": "nope",
            "new_password1": "a-much-longer-pass-42",
            "new_password2": "a-much-longer-pass-42",
        },
    )
    assert response.status_code == 200
    assert '<ul class="field-errors" id="id_old_password_error">' in response.content.decode()
