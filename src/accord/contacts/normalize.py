"""Normalisation of emails, phone numbers, domains and names (pure functions, no database).

Used by the services, the duplicate finder, the suppression list, vCard and imports, so a
value is compared in the same form everywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

_SPACES = re.compile(r"\s+")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Free-mail domains: a shared domain says nothing about the company.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
    }
)


def clean_email(value: str) -> str:
    """The email lower-cased and stripped; ValidationError when it is not an address."""
    email = (value or "").strip().lower()
    if not email:
        raise ValidationError(gettext("Enter an email address."), code="required")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(gettext("Enter a valid email address."), code="invalid") from exc
    return email


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def default_region() -> str | None:
    return getattr(settings, "ACCORD_PHONE_REGION", None) or None


def clean_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 (``+4930123456``); ValidationError when it cannot be parsed.

    A number without ``+`` is read in ``region`` (default ``ACCORD_PHONE_REGION``).
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(gettext("Enter a phone number."), code="required")
    try:
        parsed = phonenumbers.parse(raw, region or default_region())
    except phonenumbers.NumberParseException as exc:
        if not raw.startswith("+") and not (region or default_region()):
            raise ValidationError(
                gettext("Start the number with + and the country code (no default region set)."),
                code="invalid",
            ) from exc
        raise ValidationError(gettext("Enter a valid phone number."), code="invalid") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(gettext("Enter a valid phone number."), code="invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_domain(value: str) -> str:
    """A bare lower-case host name from a domain, URL or email (``https://www.Acme.com/x`` ->
    ``acme.com``); ValidationError when it is not one."""
    raw = (value or "").strip().lower()
    if "@" in raw and "/" not in raw:
        raw = raw.rsplit("@", 1)[-1]
    raw = urlsplit(raw).hostname or "" if "//" in raw else raw.split("/", 1)[0]
    raw = raw.removeprefix("www.").rstrip(".")
    with contextlib.suppress(UnicodeError):
        raw = raw.encode("idna").decode("ascii")
    if not _DOMAIN.match(raw):
        raise ValidationError(gettext("Enter a valid domain, e.g. example.com."), code="invalid")
    return raw


def fold(value: str) -> str:
    """Lower-case ASCII letters and digits only (``Jürgen-O'Neil`` -> ``jurgenoneil``)."""
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("", text.lower())


def name_key(first_name: str, last_name: str) -> str:
    """A name in a comparable form: folded first and last name, space-separated."""
    return f"{fold(first_name)} {fold(last_name)}".strip()


def suppression_digest(kind: str, value: str) -> str:
    """SHA-256 of a normalised email (lower-cased) or phone (E.164 digits)."""
    normalised = value.strip().lower() if kind == "email" else re.sub(r"[^\d+]", "", value)
    return hashlib.sha256(f"{kind}:{normalised}".encode()).hexdigest()


def squash_spaces(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()
