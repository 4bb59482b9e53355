"""accord token: create, list and revoke personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import (
    SCOPES,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from accord.core import audit


def _user(email: str) -> User:
    try:
        return User.objects.get(email__iexact=email.strip())
    except User.DoesNotExist:
        raise CommandError(f"--user: no user with the email {email!r}") from None


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"--{field.replace('_', '-')}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Manage personal API tokens (Authorization: Bearer <token>). "
        "`token create` prints only the new token on standard output, so a script can "
        "capture it (TOKEN=$(accord token create --user me@example.com --scope write)); "
        "it is shown only this once and stored hashed. `token list` shows a user's tokens; "
        "`token revoke PREFIX` refuses a token from the next request on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create", help="Create a token and print it (once).", description="Create a token."
        )
        create.add_argument("--user", required=True, metavar="EMAIL", help="Owner's email.")
        create.add_argument(
            "--scope",
            choices=SCOPES,
            default=ApiToken.SCOPE_READ,
            help="read (GET only) or write (everything the user may do). Default: read.",
        )
        create.add_argument("--name", default="", help="What the token is for, e.g. 'backup'.")
        create.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            metavar="DAYS",
            help="Expire the token after DAYS days (default: never).",
        )

        listing = actions.add_parser(
            "list", help="List a user's tokens.", description="List a user's tokens."
        )
        listing.add_argument("--user", required=True, metavar="EMAIL", help="Owner's email.")

        revoke = actions.add_parser(
            "revoke", help="Revoke a token by its prefix.", description="Revoke a token."
        )
        revoke.add_argument(
            "prefix", metavar="PREFIX", help="The 8 characters after acc_ (see `token list`)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with audit.origin("cli", actor_label="cli:token"):
            if action == "create":
                self._create(options)
            elif action == "list":
                self._list(options)
            else:
                self._revoke(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        expires_at = None
        days = options["expires_in_days"]
        if days is not None:
            if days < 1:
                raise CommandError("--expires-in-days: give a whole number of days, 1 or more")
            expires_at = timezone.now() + timedelta(days=days)
        try:
            created = api_token_create(
                user=user,
                actor=None,
                name=options["name"],
                scope=options["scope"],
                expires_at=expires_at,
            )
        except ValidationError as exc:
            raise CommandError(_validation_message(exc)) from None
        self.stdout.write(created.plaintext)
        self.stderr.write(
            f"Created {created.token.scope} token {created.token.prefix} "
            f"({created.token.name}) for {user.email}. It is shown only this once."
        )

    def _list(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        tokens = list(api_token_list(user=user))
        if not tokens:
            self.stdout.write(f"{user.email} has no API tokens.")
            return
        self.stdout.write(
            f"{'PREFIX':<10} {'SCOPE':<6} {'STATE':<8} {'CREATED':<17} {'LAST USED':<17} NAME"
        )
        now = timezone.now()
        for token in tokens:
            state = (
                "revoked" if token.is_revoked else "expired" if token.is_expired(now) else "active"
            )
            last_used = (
                token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
            )
            self.stdout.write(
                f"{token.prefix:<10} {token.scope:<6} {state:<8} "
                f"{token.created_at.strftime('%Y-%m-%d %H:%M'):<17} {last_used:<17} {token.name}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip()
        if prefix.startswith("acc_"):
            prefix = prefix.split("_")[1] if prefix.count("_") >= 1 else prefix
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"PREFIX: no API token with the prefix {prefix!r}")
        already = token.is_revoked
        api_token_revoke(token=token, actor=None)
        if already:
            self.stdout.write(f"Token {prefix} of {token.user.email} was already revoked.")
        else:
            self.stdout.write(f"Revoked token {prefix} of {token.user.email}.")
