"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350): a small parser and serialiser, no dependency.

- :func:`parse` reads any number of cards (3.0, 4.0, and the common 2.1 forms) into plain
  dicts shaped like a contact create payload (``first_name``, ``emails``, ``phones``,
  ``addresses``, ``tags``, ``social_profiles``...) plus ``company_name`` from ``ORG``.
  Lines are unfolded, values unescaped, structured values (``N``, ``ADR``) split on
  unescaped ``;``. Properties it does not know are ignored.
- :func:`serialize` writes contacts as cards of the chosen version, escaping ``\\ , ; \\n``
  and folding lines at 75 octets (never inside a UTF-8 character), CRLF line ends.

Pure functions: the import service (``contact_vcard_import``) sends each parsed dict through
``contact_create``, so imported cards get the same validation as any other contact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

VERSIONS = ("3.0", "4.0")
CRLF = "\r\n"
_FOLD_AT = 75

_PHONE_TYPES_IN = {
    "cell": "mobile",
    "mobile": "mobile",
    "iphone": "mobile",
    "work": "work",
    "home": "home",
    "fax": "fax",
}
_EMAIL_TYPES_IN = {"work": "work", "home": "personal", "personal": "personal"}
_ADR_TYPES_IN = {"work": "work", "home": "home", "postal": "other", "billing": "billing"}
_PHONE_TYPES_OUT = {"mobile": "cell", "work": "work", "home": "home", "fax": "fax"}
_EMAIL_TYPES_OUT = {"work": "work", "personal": "home"}
_ADR_TYPES_OUT = {"work": "work", "home": "home"}


class VCardError(ValueError):
    """The text is not a vCard (no BEGIN:VCARD ... END:VCARD)."""


# --- low level -------------------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    """Physical lines to logical lines: a line starting with a space or tab continues the
    previous one (RFC 6350 3.2); also joins quoted-printable soft breaks (2.1)."""
    lines: list[str] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif (
            lines
            and lines[-1].endswith("=")
            and "QUOTED-PRINTABLE" in lines[-1].split(":", 1)[0].upper()
        ):
            lines[-1] = lines[-1][:-1] + raw
        else:
            lines.append(raw)
    return [line for line in lines if line.strip()]


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def unescape(value: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append("\n" if nxt in ("n", "N") else nxt)
        else:
            out.append(char)
    return "".join(out)


def split_unescaped(value: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is not escaped with a backslash (values stay escaped)."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def fold(line: str) -> str:
    """Fold a logical line into physical lines of at most 75 octets (CRLF + space)."""
    if len(line.encode()) <= _FOLD_AT:
        return line
    pieces: list[str] = []
    current = ""
    size = 0
    limit = _FOLD_AT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, _FOLD_AT - 1  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


@dataclass
class Property:
    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""  # still escaped

    @property
    def types(self) -> set[str]:
        return {t.lower() for t in self.params.get("TYPE", [])}

    @property
    def preferred(self) -> bool:
        return "pref" in self.types or bool(self.params.get("PREF"))

    def text(self) -> str:
        return unescape(self.value).strip()

    def components(self) -> list[str]:
        return [unescape(part).strip() for part in split_unescaped(self.value, ";")]


def parse_line(line: str) -> Property:
    """``item1.EMAIL;TYPE=work,pref:ada@example.com`` -> Property."""
    in_quotes = False
    colon = -1
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            colon = index
            break
    if colon < 0:
        raise VCardError(f"not a content line: {line[:40]!r}")
    head, value = line[:colon], line[colon + 1 :]
    parts = split_unescaped(head, ";")
    name = parts[0].rsplit(".", 1)[-1].upper()
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        if "=" in part:
            key, raw = part.split("=", 1)
            values = [v.strip('"') for v in raw.split(",")]
            params.setdefault(key.upper(), []).extend(values)
        elif part:  # vCard 2.1 bare type: TEL;WORK;VOICE:...
            params.setdefault("TYPE", []).append(part)
    if "QUOTED-PRINTABLE" in [v.upper() for v in params.get("ENCODING", [])]:
        value = _decode_quoted_printable(value, (params.get("CHARSET") or ["utf-8"])[0])
    return Property(name=name, params=params, value=value)


def _decode_quoted_printable(value: str, charset: str) -> str:
    import quopri

    try:
        return quopri.decodestring(value.encode("ascii", "replace")).decode(charset, "replace")
    except LookupError:
        return quopri.decodestring(value.encode("ascii", "replace")).decode("utf-8", "replace")


def iter_cards(text: str) -> Iterator[list[Property]]:
    """The properties of each card in ``text``."""
    current: list[Property] | None = None
    found = False
    for line in unfold(text.lstrip("\ufeff")):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            current = []
            continue
        if upper == "END:VCARD":
            if current is not None:
                found = True
                yield current
            current = None
            continue
        if current is not None:
            try:
                current.append(parse_line(line))
            except VCardError:
                continue
    if not found:
        raise VCardError("no vCard found (BEGIN:VCARD ... END:VCARD)")


# --- reading -------------------------------------------------------------------------------


def _kind(prop: Property, table: dict[str, str], default: str) -> str:
    for value in sorted(prop.types):
        if value in table:
            return table[value]
    return default


def _tel_value(prop: Property) -> str:
    value = prop.text()
    if value.lower().startswith("tel:"):
        value = value[4:].split(";", 1)[0]
    return value


def card_to_data(props: list[Property]) -> dict[str, Any]:
    """One card as a contact payload (plus ``company_name``, ``version``)."""
    data: dict[str, Any] = {}
    emails: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    socials: list[dict[str, Any]] = []
    tags: list[str] = []
    full_name = ""
    for prop in props:
        name = prop.name
        if name == "VERSION":
            data["version"] = prop.text()
        elif name == "N":
            parts = [*prop.components(), "", "", "", "", ""][:5]
            data["last_name"], data["first_name"], data["middle_name"] = (
                parts[0],
                parts[1],
                parts[2],
            )
            data["prefix"], data["suffix"] = parts[3], parts[4]
        elif name == "FN":
            full_name = prop.text()
        elif name == "EMAIL":
            emails.append(
                {
                    "email": prop.text(),
                    "kind": _kind(prop, _EMAIL_TYPES_IN, "work"),
                    "is_primary": prop.preferred,
                }
            )
        elif name == "TEL":
            phones.append(
                {
                    "number": _tel_value(prop),
                    "kind": _kind(prop, _PHONE_TYPES_IN, "mobile"),
                    "is_primary": prop.preferred,
                }
            )
        elif name == "ADR":
            parts = [*prop.components(), "", "", "", "", "", "", ""][:7]
            pobox, extended, street, city, region, postal_code, country = parts
            street = ", ".join(p for p in (pobox, extended, street) if p)
            if len(country) != 2:
                region = ", ".join(p for p in (region, country) if p)
                country = ""
            addresses.append(
                {
                    "kind": _kind(prop, _ADR_TYPES_IN, "work"),
                    "street": street,
                    "city": city,
                    "region": region,
                    "postal_code": postal_code,
                    "country": country.upper(),
                }
            )
        elif name == "ORG":
            data["company_name"] = prop.components()[0]
            if len(prop.components()) > 1 and prop.components()[1]:
                data["department"] = prop.components()[1]
        elif name == "TITLE":
            data["job_title"] = prop.text()
        elif name == "NOTE":
            data["description"] = prop.text()
        elif name == "BDAY":
            data["birthday"] = _date(prop.text())
        elif name == "CATEGORIES":
            tags.extend(
                c for c in (unescape(p).strip() for p in split_unescaped(prop.value, ",")) if c
            )
        elif name in ("URL", "X-SOCIALPROFILE"):
            url = prop.text()
            if url:
                socials.append({"url": url})
    if not (data.get("first_name") or data.get("last_name")) and full_name:
        first, _, last = full_name.rpartition(" ")
        data["first_name"], data["last_name"] = (first, last) if first else (last, "")
    if emails:
        data["emails"] = emails
    if phones:
        data["phones"] = phones
    if addresses:
        data["addresses"] = addresses
    if socials:
        data["social_profiles"] = socials
    if tags:
        data["tags"] = tags
    return {k: v for k, v in data.items() if v not in ("", None)}


def _date(value: str) -> str | None:
    """``1990-01-31``, ``19900131`` -> ``1990-01-31``; year-less dates are dropped."""
    digits = value.replace("-", "")[:8]
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return None


def parse(text: str) -> list[dict[str, Any]]:
    """Every card of ``text`` as a contact payload. Raises VCardError without any card."""
    return [card_to_data(props) for props in iter_cards(text)]


# --- writing -------------------------------------------------------------------------------


def _line(name: str, value: str, params: Iterable[str] = ()) -> str:
    head = ";".join([name, *params])
    return fold(f"{head}:{value}")


def _types(version: str, values: list[str], pref: bool) -> list[str]:
    params = []
    if version == "4.0":
        if values:
            params.append("TYPE=" + ",".join(values))
        if pref:
            params.append("PREF=1")
    else:
        if pref:
            values = [*values, "pref"]
        if values:
            params.append("TYPE=" + ",".join(v.upper() for v in values))
    return params


def contact_card(contact: Any, version: str = "4.0") -> str:
    """One contact as a vCard (emails/phones/addresses/social_profiles/tags prefetched
    when serialising many)."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {VERSIONS}")
    lines = ["BEGIN:VCARD", f"VERSION:{version}", "PRODID:-//Accord//Accord CRM//EN"]
    lines.append(f"UID:urn:accord:contact:{contact.pk}")
    n = [contact.last_name, contact.first_name, contact.middle_name, contact.prefix, contact.suffix]
    lines.append(_line("N", ";".join(escape(p or "") for p in n)))
    lines.append(_line("FN", escape(contact.formal_name or contact.display_name)))
    company = getattr(contact, "company", None)
    if company is not None or contact.department:
        org = [escape(company.name if company is not None else "")]
        if contact.department:
            org.append(escape(contact.department))
        lines.append(_line("ORG", ";".join(org)))
    if contact.job_title:
        lines.append(_line("TITLE", escape(contact.job_title)))
    for email in contact.emails.all():
        kind = _EMAIL_TYPES_OUT.get(email.kind)
        values = ([] if version == "4.0" else ["internet"]) + ([kind] if kind else [])
        lines.append(_line("EMAIL", escape(email.email), _types(version, values, email.is_primary)))
    for phone in contact.phones.all():
        kind = _PHONE_TYPES_OUT.get(phone.kind)
        values = [kind] if kind else []
        if version == "4.0":
            params = ["VALUE=uri", *_types(version, values, phone.is_primary)]
            lines.append(_line("TEL", f"tel:{phone.number}", params))
        else:
            lines.append(
                _line("TEL", escape(phone.number), _types(version, values, phone.is_primary))
            )
    for address in contact.addresses.all():
        kind = _ADR_TYPES_OUT.get(address.kind)
        parts = ["", "", address.street, address.city, address.region, address.postal_code]
        parts.append(address.country)
        lines.append(
            _line(
                "ADR",
                ";".join(escape(p) for p in parts),
                _types(version, [kind] if kind else [], False),
            )
        )
    for profile in contact.social_profiles.all():
        lines.append(_line("URL", profile.url if version == "4.0" else escape(profile.url)))
    tags = [t.name for t in contact.tags.all()]
    if tags:
        lines.append(_line("CATEGORIES", ",".join(escape(t) for t in tags)))
    if contact.birthday:
        value = contact.birthday.strftime("%Y%m%d" if version == "4.0" else "%Y-%m-%d")
        lines.append(_line("BDAY", value))
    if contact.description:
        lines.append(_line("NOTE", escape(contact.description)))
    if contact.updated_at:
        lines.append(_line("REV", contact.updated_at.strftime("%Y%m%dT%H%M%SZ")))
    lines.append("END:VCARD")
    return CRLF.join(lines) + CRLF


def serialize(contacts: Iterable[Any], version: str = "4.0") -> str:
    return "".join(contact_card(contact, version) for contact in contacts)
