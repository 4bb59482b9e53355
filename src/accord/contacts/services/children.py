"""Validation and writing of child rows (emails, phones, domains, addresses, social profiles,
tags) shared by the contact and company services.

``clean_*`` functions are pure: they turn raw input (strings or dicts) into lists of plain
dicts and collect errors keyed ``<list>.<index>.<field>`` (``emails.0.email``). The
``write_*`` functions replace a parent's rows with the cleaned lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Lower
from django.utils.translation import gettext

from accord.contacts import normalize
from accord.contacts.models import (
    Address,
    AddressKind,
    EmailKind,
    PhoneKind,
    SocialKind,
    SocialProfile,
    Tag,
)

Errors = dict[str, list[str]]
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_url_validator = URLValidator(schemes=["http", "https"])


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _as_list(name: str, value: Any, errors: Errors) -> list[Any] | None:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    errors[name] = [gettext("Expected a list.")]
    return None


def _choice(value: Any, choices: Iterable[str], default: str) -> str | None:
    value = (value or default) if isinstance(value, str) or value is None else None
    return value if value in set(choices) else None


def clean_emails(value: Any, errors: Errors, *, name: str = "emails") -> list[dict[str, Any]]:
    """``[{"email", "kind", "is_primary"}]`` with exactly one primary (the first flagged, else
    the first); strings are accepted for ``{"email": s}``."""
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = f"{name}.{index}"
        data = {"email": item} if isinstance(item, str) else item
        if not isinstance(data, Mapping):
            errors[key] = [gettext("Expected an email address or an object.")]
            continue
        try:
            email = normalize.clean_email(str(data.get("email") or ""))
        except ValidationError as exc:
            errors[f"{key}.email"] = _messages(exc)
            continue
        kind = _choice(data.get("kind"), EmailKind.values, EmailKind.WORK)
        if kind is None:
            errors[f"{key}.kind"] = [gettext("Not a valid choice.")]
            continue
        if email in seen:
            errors[f"{key}.email"] = [gettext("This address is listed twice.")]
            continue
        seen.add(email)
        result.append({"email": email, "kind": kind, "is_primary": bool(data.get("is_primary"))})
    _one_primary(result, name, errors)
    return result


def clean_phones(
    value: Any, errors: Errors, *, name: str = "phones", default_kind: str = PhoneKind.MOBILE
) -> list[dict[str, Any]]:
    """``[{"number" (E.164), "original", "kind", "is_primary"}]`` with one primary."""
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = f"{name}.{index}"
        data = {"number": item} if isinstance(item, str) else item
        if not isinstance(data, Mapping):
            errors[key] = [gettext("Expected a phone number or an object.")]
            continue
        original = normalize.squash_spaces(str(data.get("original") or data.get("number") or ""))
        try:
            number = normalize.clean_phone(str(data.get("number") or ""))
        except ValidationError as exc:
            errors[f"{key}.number"] = _messages(exc)
            continue
        kind = _choice(data.get("kind"), PhoneKind.values, default_kind)
        if kind is None:
            errors[f"{key}.kind"] = [gettext("Not a valid choice.")]
            continue
        if number in seen:
            errors[f"{key}.number"] = [gettext("This number is listed twice.")]
            continue
        seen.add(number)
        result.append(
            {
                "number": number,
                "original": original[:64],
                "kind": kind,
                "is_primary": bool(data.get("is_primary")),
            }
        )
    _one_primary(result, name, errors)
    return result


def clean_domains(value: Any, errors: Errors, *, name: str = "domains") -> list[dict[str, Any]]:
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = f"{name}.{index}"
        data = {"domain": item} if isinstance(item, str) else item
        if not isinstance(data, Mapping):
            errors[key] = [gettext("Expected a domain or an object.")]
            continue
        try:
            domain = normalize.clean_domain(str(data.get("domain") or ""))
        except ValidationError as exc:
            errors[f"{key}.domain"] = _messages(exc)
            continue
        if domain in seen:
            errors[f"{key}.domain"] = [gettext("This domain is listed twice.")]
            continue
        seen.add(domain)
        result.append({"domain": domain, "is_primary": bool(data.get("is_primary"))})
    _one_primary(result, name, errors)
    return result


def _one_primary(rows: list[dict[str, Any]], name: str, errors: Errors) -> None:
    flagged = [i for i, row in enumerate(rows) if row["is_primary"]]
    if len(flagged) > 1:
        errors[f"{name}.{flagged[1]}.is_primary"] = [gettext("Only one entry can be primary.")]
        return
    if rows and not flagged:
        rows[0]["is_primary"] = True
    rows.sort(key=lambda row: not row["is_primary"])


def with_primary(
    rows: list[dict[str, Any]], value: dict[str, Any] | None, key: str
) -> list[dict[str, Any]]:
    """``rows`` with ``value`` as the primary entry (the ``email``/``phone`` shorthand): an
    equal entry is promoted, else ``value`` replaces the current primary. ``None`` removes the
    primary entry."""
    rest = [dict(row, is_primary=False) for row in rows if not row["is_primary"]]
    if value is None:
        if rest:
            rest[0]["is_primary"] = True
        return rest
    if any(row[key] == value[key] for row in rest):
        # An existing secondary entry is promoted; the old primary stays as a secondary one.
        match = next(row for row in rest if row[key] == value[key])
        old = [dict(row, is_primary=False) for row in rows if row["is_primary"]]
        rest = [row for row in rest if row[key] != value[key]]
        return [dict(match, is_primary=True), *old, *rest]
    return [dict(value, is_primary=True), *rest]


def clean_addresses(value: Any, errors: Errors, *, name: str = "addresses") -> list[dict[str, Any]]:
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[dict[str, Any]] = []
    fields = ("street", "city", "region", "postal_code", "country")
    limits = {"street": 300, "city": 120, "region": 120, "postal_code": 20, "country": 2}
    for index, item in enumerate(items):
        key = f"{name}.{index}"
        if not isinstance(item, Mapping):
            errors[key] = [gettext("Expected an object.")]
            continue
        row: dict[str, Any] = {}
        ok = True
        for field in fields:
            text = normalize.squash_spaces(str(item.get(field) or ""))
            if field == "country":
                text = text.upper()
                if text and not _COUNTRY.match(text):
                    errors[f"{key}.country"] = [
                        gettext("Use a two-letter ISO 3166 country code, e.g. DE.")
                    ]
                    ok = False
            elif len(text) > limits[field]:
                errors[f"{key}.{field}"] = [
                    gettext("At most %(limit)d characters.") % {"limit": limits[field]}
                ]
                ok = False
            row[field] = text
        kind = _choice(item.get("kind"), AddressKind.values, AddressKind.WORK)
        if kind is None:
            errors[f"{key}.kind"] = [gettext("Not a valid choice.")]
            ok = False
        if ok and not any(row[f] for f in fields):
            errors[key] = [gettext("The address is empty.")]
            ok = False
        if ok:
            row["kind"] = kind
            result.append(row)
    return result


def clean_social_profiles(
    value: Any, errors: Errors, *, name: str = "social_profiles"
) -> list[dict[str, Any]]:
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        key = f"{name}.{index}"
        data = {"url": item} if isinstance(item, str) else item
        if not isinstance(data, Mapping):
            errors[key] = [gettext("Expected a URL or an object.")]
            continue
        url = str(data.get("url") or "").strip()
        try:
            _url_validator(url)
        except ValidationError:
            errors[f"{key}.url"] = [gettext("Enter a valid URL starting with https://.")]
            continue
        kind = _choice(data.get("kind"), SocialKind.values, _guess_social(url))
        if kind is None:
            errors[f"{key}.kind"] = [gettext("Not a valid choice.")]
            continue
        result.append({"kind": kind, "url": url[:500]})
    return result


def _guess_social(url: str) -> str:
    host = url.split("//", 1)[-1].split("/", 1)[0].lower()
    for needle, kind in (
        ("linkedin.", SocialKind.LINKEDIN),
        ("twitter.", SocialKind.X),
        ("x.com", SocialKind.X),
        ("facebook.", SocialKind.FACEBOOK),
        ("instagram.", SocialKind.INSTAGRAM),
        ("github.", SocialKind.GITHUB),
        ("youtube.", SocialKind.YOUTUBE),
    ):
        if needle in host:
            return kind
    return SocialKind.OTHER


def clean_tag_names(value: Any, errors: Errors, *, name: str = "tags") -> list[str]:
    """Tag names, stripped, without case-insensitive repeats."""
    items = _as_list(name, value, errors)
    if items is None:
        return []
    result: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        text = normalize.squash_spaces(item) if isinstance(item, str) else ""
        if not text:
            errors[f"{name}.{index}"] = [gettext("Enter a tag name.")]
            continue
        if len(text) > 60:
            errors[f"{name}.{index}"] = [gettext("At most %(limit)d characters.") % {"limit": 60}]
            continue
        if text.lower() not in seen:
            seen.add(text.lower())
            result.append(text)
    return result


def tags_get_or_create(names: Sequence[str]) -> list[Tag]:
    """The tags with these names (case-insensitive), created when missing; in input order."""
    if not names:
        return []
    wanted = {n.lower(): n for n in names}
    existing = {
        t.lname: t for t in Tag.objects.annotate(lname=Lower("name")).filter(lname__in=list(wanted))
    }
    missing = [Tag(name=wanted[key]) for key in wanted if key not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        for tag in Tag.objects.annotate(lname=Lower("name")).filter(
            lname__in=[t.name.lower() for t in missing]
        ):
            existing[tag.lname] = tag
    return [existing[n.lower()] for n in names if n.lower() in existing]


def write_addresses(parent_field: str, parent: Any, rows: list[dict[str, Any]]) -> None:
    Address.objects.filter(**{parent_field: parent}).delete()
    Address.objects.bulk_create(
        [Address(**{parent_field: parent}, position=i, **row) for i, row in enumerate(rows)]
    )


def write_social_profiles(parent_field: str, parent: Any, rows: list[dict[str, Any]]) -> None:
    SocialProfile.objects.filter(**{parent_field: parent}).delete()
    SocialProfile.objects.bulk_create(
        [SocialProfile(**{parent_field: parent}, **row) for row in rows]
    )


def address_dicts(addresses: Iterable[Address]) -> list[dict[str, Any]]:
    return [
        {
            "kind": a.kind,
            "street": a.street,
            "city": a.city,
            "region": a.region,
            "postal_code": a.postal_code,
            "country": a.country,
        }
        for a in addresses
    ]


def social_dicts(profiles: Iterable[SocialProfile]) -> list[dict[str, Any]]:
    return [{"kind": p.kind, "url": p.url} for p in profiles]
