"""Personal API tokens: create, list, revoke, and look up for authentication.

A token reads ``acc_<prefix>_<secret>``: ``acc_`` makes leaked tokens easy to find with
grep and secret scanners, the 8-character prefix identifies the token (it is shown in lists
and used to revoke it), the 40-character secret carries ~238 bits of randomness. Only the
SHA-256 hash of the whole token is stored; the plaintext is returned once, by
:func:`api_token_create`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import ApiToken, User
from accord.core import audit

TOKEN_PREFIX = "acc"  # noqa: S105 - not a secret: the marker that starts every token
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits
SCOPES = (ApiToken.SCOPE_READ, ApiToken.SCOPE_WRITE)
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class CreatedToken:
    """The new token row and its plaintext, which is never available again."""

    token: ApiToken
    plaintext: str


class TokenError(Exception):
    """A presented token cannot be used; ``reason`` says why (for the 401 detail)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _index in range(length))


def split_token(plaintext: str) -> tuple[str, str] | None:
    """``acc_<prefix>_<secret>`` -> (prefix, secret), or None if it is not shaped so."""
    parts = plaintext.strip().split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    return prefix, secret


def api_token_create(
    *,
    user: User,
    actor: User | None,
    name: str = "",
    scope: str = ApiToken.SCOPE_READ,
    expires_at: datetime | None = None,
) -> CreatedToken:
    """Create a token for ``user``; ``actor`` is who asks (None for the command line).

    Raises ``ValidationError`` naming ``name``, ``scope`` or ``expires_at``, and
    ``PermissionDenied`` when ``actor`` is another user.
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("You can only create API tokens for yourself."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip() or _("API token")
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = [
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        ]
    if scope not in SCOPES:
        errors["scope"] = [_("Choose 'read' or 'write'.")]
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            errors["expires_at"] = [_("Give the expiry time with a time zone offset.")]
        elif expires_at <= timezone.now():
            errors["expires_at"] = [_("The expiry time must be in the future.")]
    if not user.is_active:
        errors["user"] = [_("This user is deactivated.")]
    if errors:
        raise ValidationError(errors)

    for _attempt in range(5):
        prefix = _random(PREFIX_ALPHABET, PREFIX_LENGTH)
        plaintext = f"{TOKEN_PREFIX}_{prefix}_{_random(SECRET_ALPHABET, SECRET_LENGTH)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    secret_hash=hash_token(plaintext),
                    scope=scope,
                    expires_at=expires_at,
                )
                audit.record_create(token, actor)
        except IntegrityError:  # the prefix is taken: draw again
            continue
        return CreatedToken(token=token, plaintext=plaintext)
    raise RuntimeError("could not draw a free token prefix")  # pragma: no cover


def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke ``token`` now; it is refused from the next request on. Idempotent."""
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied(_("You can only revoke your own API tokens."))
    with transaction.atomic():
        before = audit.snapshot(token)
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if revoked:
            audit.record_update(token, actor, before)
    return token


def api_token_list(*, user: User, include_revoked: bool = True) -> QuerySet[ApiToken]:
    """The tokens of ``user``, newest first."""
    tokens = ApiToken.objects.filter(user=user)
    if not include_revoked:
        tokens = tokens.filter(revoked_at__isnull=True)
    return tokens.order_by("-created_at", "-id")


def api_token_get(*, user: User, prefix: str) -> ApiToken:
    """The token of ``user`` with ``prefix``; ``ApiToken.DoesNotExist`` otherwise."""
    return ApiToken.objects.get(user=user, prefix=prefix)


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken:
    """The usable token ``plaintext`` names, with its user loaded; ``TokenError`` otherwise.

    Checked on every request (no cache): a revoked or expired token and a deactivated
    user's token are refused at once. ``last_used_at`` is written at most once a minute.
    """
    parts = split_token(plaintext)
    if parts is None:
        raise TokenError(_("The API token is malformed; it looks like acc_<prefix>_<secret>."))
    prefix, _secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(plaintext)):
        raise TokenError(_("The API token is not valid."))
    now = now or timezone.now()
    if token.revoked_at is not None:
        raise TokenError(_("The API token has been revoked."))
    if token.is_expired(now):
        raise TokenError(_("The API token has expired."))
    if not token.user.is_active:
        raise TokenError(_("The account of this API token is deactivated."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
            pk=token.pk,
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
