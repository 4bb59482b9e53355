"""Services for a user's own preferences: name, time zone, language and theme.

The profile page, the theme switch in the user menu and (later) the API all write through
these functions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accord.accounts.models import User, validate_time_zone

THEMES = ("auto", "light", "dark")


def _check_self(*, user: User, actor: User) -> None:
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own preferences."))


def user_profile_update(
    *,
    user: User,
    actor: User,
    full_name: str,
    time_zone: str,
    language: str,
    theme: str,
) -> User:
    """Validate and save the profile fields; raises ``ValidationError`` naming each field."""
    _check_self(user=user, actor=actor)
    errors: dict[str, list[str]] = {}
    full_name = full_name.strip()
    if len(full_name) > 200:
        errors["full_name"] = [_("The name is longer than 200 characters.")]
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = list(exc.messages)
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = [_("Choose one of the offered languages.")]
    if theme not in THEMES:
        errors["theme"] = [_("Choose system, light or dark.")]
    if errors:
        raise ValidationError(errors)
    user.full_name = full_name
    user.time_zone = time_zone
    user.language = language
    user.theme = theme
    user.save(update_fields=["full_name", "time_zone", "language", "theme"])
    return user


def user_theme_set(*, user: User, actor: User, theme: str) -> User:
    """Switch the colour theme (``auto`` follows the operating system)."""
    _check_self(user=user, actor=actor)
    if theme not in THEMES:
        raise ValidationError({"theme": [_("Choose system, light or dark.")]})
    if user.theme != theme:
        user.theme = theme
        user.save(update_fields=["theme"])
    return user
