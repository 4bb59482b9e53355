"""Creating users from the command line (``accord createuser``, ``accord demo``).

``core`` imports no domain app, so the accounts models are looked up through Django's app
registry (``get_user_model()``, ``apps.get_model("accounts", ...)``), the way
``django.contrib.auth``'s own commands do.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

MANAGER_ROLE = "manager"
ADMIN_ROLE = "admin"


class UserInputError(ValueError):
    """Input that names the field it is about, e.g. ``--role: ...``."""


def generate_password() -> str:
    """A random password of 16 URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def role_slugs() -> list[str]:
    Role = apps.get_model("accounts", "Role")
    return list(Role.objects.order_by("slug").values_list("slug", flat=True))


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise UserInputError(f"--email: {email!r} is not a valid email address") from None
    return email


def create_user(
    *,
    email: str,
    role: str,
    teams: Sequence[str] = (),
    full_name: str = "",
    password: str | None = None,
    validate: bool = True,
    time_zone: str = "",
    language: str = "",
) -> Any:
    """Create an active user with ``role`` (a slug) in ``teams`` (names; created if missing).

    Users with the manager role manage the given teams; users with the admin role may also use
    Django's admin site. With ``validate``, the password must pass the configured password
    validators. Raises ``UserInputError`` naming the offending option; writes nothing then.
    """
    User = get_user_model()
    Role = apps.get_model("accounts", "Role")
    Team = apps.get_model("accounts", "Team")
    Membership = apps.get_model("accounts", "Membership")

    email = normalise_email(email)
    role_object = Role.objects.filter(slug=role).first()
    if role_object is None:
        raise UserInputError(
            f"--role: unknown role {role!r}; valid roles are: {', '.join(role_slugs())}"
        )
    team_names = [name.strip() for name in teams]
    if any(not name for name in team_names):
        raise UserInputError("--team: a team name cannot be empty")
    if User.objects.filter(email__iexact=email).exists():
        raise UserInputError(f"--email: a user with email {email} already exists")
    if password is not None and validate:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise UserInputError("password: " + " ".join(exc.messages)) from None

    extra: dict[str, Any] = {"full_name": full_name.strip(), "role": role_object}
    if time_zone:
        extra["time_zone"] = time_zone
    if language:
        extra["language"] = language
    if role == ADMIN_ROLE:
        extra.update(is_staff=True, is_superuser=True)
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, **extra)
        for name in team_names:
            team, _created = Team.objects.get_or_create(name=name)
            Membership.objects.create(user=user, team=team, is_manager=role == MANAGER_ROLE)
    return user
