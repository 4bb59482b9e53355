from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accord.accounts.models import User
from accord.contacts import vcard
from accord.contacts.models import Company, Contact
from accord.contacts.services import contact_vcard_export, contact_vcard_import

V3 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Lovelace;Ada;Augusta;Lady;\r\n"
    "FN:Lady Ada Augusta Lovelace\r\n"
    "ORG:Analytical Engines\\, Ltd;Research\r\n"
    "TITLE:Countess\r\n"
    "EMAIL;TYPE=INTERNET,WORK:ada@engines.example\r\n"
    "EMAIL;TYPE=INTERNET,HOME,PREF:ADA@home.example\r\n"
    "TEL;TYPE=CELL:+44 20 7946 0958\r\n"
    "item1.ADR;TYPE=HOME:;;12 St James\\'s Square;London;;SW1Y 4JH;GB\r\n"
    "NOTE:First programmer\\nPoet's daughter\\; mathematician\r\n"
    "CATEGORIES:VIP,Science\r\n"
    "BDAY:1815-12-10\r\n"
    "URL:https://www.linkedin.com/in/ada\r\n"
    "END:VCARD\r\n"
)

V4_FOLDED = (
    "BEGIN:VCARD\nVERSION:4.0\nFN:Grace Hopper\n"
    "TEL;VALUE=uri;TYPE=work;PREF=1:tel:+1-415-555-0100\n"
    "NOTE:A very long note that goes on and on and on so that it has to be fol\n"
    " ded by the writer\n"
    "END:VCARD\n"
)


def test_parse_v3() -> None:
    [data] = vcard.parse(V3)
    assert data["first_name"] == "Ada"
    assert data["last_name"] == "Lovelace"
    assert data["middle_name"] == "Augusta"
    assert data["prefix"] == "Lady"
    assert data["company_name"] == "Analytical Engines, Ltd"
    assert data["department"] == "Research"
    assert data["emails"] == [
        {"email": "ada@engines.example", "kind": "work", "is_primary": False},
        {"email": "ADA@home.example", "kind": "personal", "is_primary": True},
    ]
    assert data["phones"] == [{"number": "+44 20 7946 0958", "kind": "mobile", "is_primary": False}]
    assert data["addresses"] == [
        {
            "kind": "home",
            "street": "12 St James's Square",
            "city": "London",
            "region": "",
            "postal_code": "SW1Y 4JH",
            "country": "GB",
        }
    ]
    assert data["description"] == "First programmer\nPoet's daughter; mathematician"
    assert data["tags"] == ["VIP", "Science"]
    assert data["birthday"] == "1815-12-10"
    assert data["social_profiles"] == [{"url": "https://www.linkedin.com/in/ada"}]


def test_parse_v4_folded_and_fn_only() -> None:
    [data] = vcard.parse(V4_FOLDED)
    assert (data["first_name"], data["last_name"]) == ("Grace", "Hopper")
    assert data["phones"] == [{"number": "+1-415-555-0100", "kind": "work", "is_primary": True}]
    assert data["description"].endswith("has to be folded by the writer")


def test_parse_rejects_non_vcard() -> None:
    with pytest.raises(vcard.VCardError):
        vcard.parse("hello")


def test_fold_never_splits_utf8_and_limits_octets() -> None:
    line = "NOTE:" + "ü" * 100
    folded = vcard.fold(line)
    physical = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in physical)
    assert vcard.unfold(folded) == [line]


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_import_export_round_trip(rep: User, version: str) -> None:
    [imported] = contact_vcard_import(text=V3, actor=rep)
    contact = Contact.objects.get(pk=imported.pk)
    assert contact.email == "ada@home.example"
    assert contact.phone == "+442079460958"
    assert contact.company is not None
    assert contact.company.name == "Analytical Engines, Ltd"
    assert contact.birthday == dt.date(1815, 12, 10)
    text = contact_vcard_export(ids=[contact.pk], actor=rep, version=version)
    assert f"VERSION:{version}\r\n" in text
    assert "ORG:Analytical Engines\\, Ltd;Research\r\n" in text
    [again] = vcard.parse(text)
    again.pop("version")
    company = again.pop("company_name")
    assert company == "Analytical Engines, Ltd"
    for key in ("first_name", "last_name", "middle_name", "prefix", "job_title", "description"):
        assert again[key] == getattr(contact, key)
    assert [(e["email"], e["kind"], e["is_primary"]) for e in again["emails"]] == [
        ("ada@home.example", "personal", True),
        ("ada@engines.example", "work", False),
    ]
    assert [(p["kind"], p["is_primary"]) for p in again["phones"]] == [("mobile", True)]
    assert again["addresses"][0]["street"] == "12 St James's Square"
    assert sorted(again["tags"]) == ["Science", "VIP"]
    assert again["birthday"] == "1815-12-10"
    # Importing the export again links to the same company and creates an equal contact.
    [copy] = contact_vcard_import(text=text, actor=rep)
    assert Company.objects.count() == 1
    assert copy.company_id == contact.company_id
    assert copy.email == contact.email


@pytest.mark.django_db
def test_import_errors_keyed_by_card(rep: User) -> None:
    bad = V3 + V3.replace("ada@engines.example", "not-an-email")
    with pytest.raises(ValidationError) as exc:
        contact_vcard_import(text=bad, actor=rep)
    assert list(exc.value.message_dict) == ["cards.1.emails.0.email"]
    assert Contact.objects.count() == 0


def test_escape_round_trip() -> None:
    value: Any = "a,b;c\\d\ne"
    assert vcard.unescape(vcard.escape(value)) == value
