from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from accord.contacts import normalize, vcard


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.com/about", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("ada@Mail.Example.org", "mail.example.org"),
        ("http://münchen.example/", "xn--mnchen-3ya.example"),
        ("WWW.EXAMPLE.COM.", "example.com"),
    ],
)
def test_clean_domain(raw: str, expected: str) -> None:
    assert normalize.clean_domain(raw) == expected


@pytest.mark.parametrize("raw", ["", "localhost", "not a domain", "http://", "-bad-.com"])
def test_clean_domain_rejects(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize.clean_domain(raw)


def test_clean_phone_forms() -> None:
    assert normalize.clean_phone("+49 (30) 123-4567") == "+49301234567"
    assert normalize.clean_phone("+1 415.555.0100") == "+14155550100"
    with override_settings(ACCORD_PHONE_REGION="GB"):
        assert normalize.clean_phone("020 7946 0958") == "+442079460958"
    with pytest.raises(ValidationError):
        normalize.clean_phone("+1 555")


def test_clean_email_and_fold() -> None:
    assert normalize.clean_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    with pytest.raises(ValidationError):
        normalize.clean_email("ada@")
    assert normalize.fold("Jürgen-O'Neil") == "jurgenoneil"
    assert normalize.name_key("Zoë", "Saldaña") == "zoe saldana"


def test_suppression_digest_normalises() -> None:
    assert normalize.suppression_digest("email", " ADA@x.example ") == normalize.suppression_digest(
        "email", "ada@x.example"
    )
    assert normalize.suppression_digest("phone", "+49 30 1234567") == normalize.suppression_digest(
        "phone", "+49301234567"
    )


@given(st.text(min_size=0, max_size=300))
def test_vcard_escape_round_trip(value: str) -> None:
    value = value.replace("\r", "")
    assert vcard.unescape(vcard.escape(value)) == value


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=400))
def test_vcard_fold_round_trip(value: str) -> None:
    line = "NOTE:" + vcard.escape(value)
    folded = vcard.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert "".join(vcard.unfold(folded)) == line


def test_vcard_21_quoted_printable() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Müller;Jürgen\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Gr=C3=BC=C3=9Fe aus=20=\r\n"
        "Berlin\r\nTEL;WORK;VOICE:+49 30 1234567\r\nEND:VCARD\r\n"
    )
    [data] = vcard.parse(text)
    assert (data["last_name"], data["first_name"]) == ("Müller", "Jürgen")
    assert data["description"] == "Grüße aus Berlin"
    assert data["phones"] == [{"number": "+49 30 1234567", "kind": "work", "is_primary": False}]
