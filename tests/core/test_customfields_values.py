"""Custom field values: every type's cleaning, required, unique, defaults, archived fields."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.core.accord_testapp.models import Contact
from tests.core.conftest import CONTACT, Define, World

from accord.core import customfields

OPTIONS = [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]
TAGS = [
    {"value": "vip", "label": "VIP"},
    {"value": "partner", "label": "Partner"},
    {"value": "press", "label": "Press"},
]


def clean(values: dict[str, Any], instance: Contact | None = None) -> dict[str, Any]:
    return customfields.clean_values(CONTACT, values, instance)


def errors_of(values: dict[str, Any], instance: Contact | None = None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        clean(values, instance)
    return excinfo.value.message_dict


GOOD = [
    ("text", {}, "  Hello  ", "Hello"),
    ("text", {}, 42, "42"),
    ("long_text", {}, "line 1\nline 2", "line 1\nline 2"),
    ("number", {}, 5, 5),
    ("number", {}, "5", 5),
    ("number", {}, "2.50", 2.5),
    ("number", {}, 1.25, 1.25),
    ("number", {}, Decimal("-3"), -3),
    ("decimal", {}, "1234.50", "1234.50"),
    ("decimal", {}, 3, "3"),
    ("decimal", {}, 0.1, "0.1"),
    ("currency", {"currency": "EUR"}, "99.90", {"amount": "99.90", "currency": "EUR"}),
    ("currency", {"currency": "EUR"}, 10, {"amount": "10", "currency": "EUR"}),
    ("currency", {"currency": "EUR"}, "USD 1,250.00", {"amount": "1250.00", "currency": "USD"}),
    ("currency", {"currency": "EUR"}, "12 gbp", {"amount": "12", "currency": "GBP"}),
    (
        "currency",
        {"currency": "EUR"},
        {"amount": "5.5", "currency": "chf"},
        {"amount": "5.5", "currency": "CHF"},
    ),
    ("date", {}, "2025-03-31", "2025-03-31"),
    ("date", {}, dt.date(2025, 1, 2), "2025-01-02"),
    ("datetime", {}, "2025-03-31T14:05:09+02:00", "2025-03-31T12:05:09Z"),
    ("datetime", {}, "2025-03-31T12:05:09.123Z", "2025-03-31T12:05:09Z"),
    ("datetime", {}, dt.datetime(2025, 1, 1, 9, 30, tzinfo=dt.UTC), "2025-01-01T09:30:00Z"),
    ("boolean", {}, True, True),
    ("boolean", {}, "yes", True),
    ("boolean", {}, "FALSE", False),
    ("boolean", {}, 0, False),
    ("single_select", {"options": OPTIONS}, "gold", "gold"),
    ("single_select", {"options": OPTIONS}, "Silver", "silver"),
    ("multi_select", {"options": TAGS}, ["press", "vip", "press"], ["vip", "press"]),
    ("multi_select", {"options": TAGS}, "Partner, vip", ["vip", "partner"]),
    ("url", {}, "https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("url", {}, "www.example.com", "https://www.example.com"),
    ("email", {}, " Ada@Example.COM ", "ada@example.com"),
    ("phone", {}, "+49 30 1234567", "+49301234567"),
    ("phone", {}, "+1 (415) 555-0100", "+14155550100"),
]


@pytest.mark.parametrize(("field_type", "options", "raw", "stored"), GOOD)
def test_good_values_are_stored_canonically(
    define: Define, field_type: str, options: dict[str, Any], raw: Any, stored: Any
):
    define("value", field_type, **options)
    assert clean({"value": raw}) == {"value": stored}


BAD = [
    ("text", {}, "x" * 256, "Enter at most 255 characters (it has 256)."),
    ("text", {}, ["a"], "Enter text."),
    ("long_text", {}, "x" * 10_001, "Enter at most 10000 characters (it has 10001)."),
    ("number", {}, "five", "Enter a number."),
    ("number", {}, True, "Enter a number."),
    ("number", {}, float("nan"), "Enter a number."),
    ("number", {}, "1e20", "Enter a number smaller than 10^18."),
    ("decimal", {}, "1.12345678901", "Enter at most 10 decimal places."),
    ("decimal", {}, "abc", "Enter a number."),
    (
        "currency",
        {"currency": "EUR"},
        "12.50 EURO",
        "Enter an amount, optionally with a currency code.",
    ),
    (
        "currency",
        {"currency": "EUR"},
        {"amount": "1", "currency": "E1"},
        "Enter a three-letter currency code (ISO 4217).",
    ),
    (
        "currency",
        {"currency": "EUR"},
        {"value": "1"},
        'Enter {"amount": "12.50", "currency": "EUR"}.',
    ),
    ("currency", {"currency": "EUR"}, "1.23456", "Enter at most 4 decimal places."),
    ("date", {}, "31/03/2025", "Enter a date as YYYY-MM-DD."),
    ("date", {}, "2025-02-30", "Enter a date as YYYY-MM-DD."),
    ("datetime", {}, "yesterday", "Enter a date and time as YYYY-MM-DDTHH:MM with a UTC offset."),
    ("boolean", {}, "maybe", "Enter true or false."),
    ("boolean", {}, 2, "Enter true or false."),
    (
        "single_select",
        {"options": OPTIONS},
        "bronze",
        "Select a valid choice: bronze is not one of the options.",
    ),
    ("single_select", {"options": OPTIONS}, ["gold"], "Select a valid choice."),
    (
        "multi_select",
        {"options": TAGS},
        ["vip", "nope"],
        "Select a valid choice: nope is not one of the options.",
    ),
    ("multi_select", {"options": TAGS}, 5, "Enter a list of options."),
    ("url", {}, "not a url", "Enter a valid URL."),
    ("url", {}, "ftp://example.com", "Enter a valid URL."),
    ("email", {}, "ada@", "Enter a valid email address."),
    ("phone", {}, "12", "Enter a phone number in international format, like +49 30 1234567."),
    (
        "phone",
        {},
        "030 1234567",
        "Enter a phone number in international format, like +49 30 1234567.",
    ),
]


@pytest.mark.parametrize(("field_type", "options", "raw", "message"), BAD)
def test_bad_values_are_refused_with_a_keyed_message(
    define: Define, field_type: str, options: dict[str, Any], raw: Any, message: str
):
    define("value", field_type, **options)
    assert errors_of({"value": raw}) == {"custom.value": [message]}


def test_naive_datetimes_are_read_in_the_current_time_zone(define: Define):
    define("when", "datetime")
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert clean({"when": "2025-07-01T10:00"}) == {"when": "2025-07-01T08:00:00Z"}


def test_phone_numbers_without_prefix_use_the_configured_region(define: Define, settings):
    define("phone", "phone")
    settings.ACCORD_PHONE_REGION = "DE"
    assert clean({"phone": "030 1234567"}) == {"phone": "+49301234567"}


def test_empty_values_clear_and_unknown_or_many_errors_are_reported_together(
    define: Define, world: World
):
    define("tier", "single_select", options=OPTIONS)
    define("seats", "number")
    contact = world.contacts["own"]
    contact.custom = {"tier": "gold", "seats": 3}
    contact.save()
    assert clean({"tier": "", "seats": None}, contact) == {}
    assert errors_of({"nope": 1, "seats": "x", "tier": "bronze"}, contact) == {
        "custom.nope": ["Unknown field."],
        "custom.seats": ["Enter a number."],
        "custom.tier": ["Select a valid choice: bronze is not one of the options."],
    }
    with pytest.raises(ValidationError) as excinfo:
        clean(["tier"])  # type: ignore[arg-type]
    assert excinfo.value.message_dict == {"custom": ["Enter an object of field keys and values."]}


def test_update_changes_only_the_given_keys(define: Define, world: World):
    define("tier", "single_select", options=OPTIONS)
    define("seats", "number")
    contact = world.contacts["own"]
    contact.custom = {"tier": "gold", "seats": 3}
    contact.save()
    assert clean({"seats": 4}, contact) == {"tier": "gold", "seats": 4}


def test_required_on_create_and_when_cleared_but_not_for_other_edits(define: Define, world: World):
    define("region", "text", required=True)
    assert errors_of({}) == {"custom.region": ["This field is required."]}
    assert errors_of({"region": "  "}) == {"custom.region": ["This field is required."]}
    assert clean({"region": "EMEA"}) == {"region": "EMEA"}
    legacy = world.contacts["own"]  # created before the field existed
    define("other", "text")
    assert clean({"other": "x"}, legacy) == {"other": "x"}
    assert errors_of({"region": ""}, legacy) == {"custom.region": ["This field is required."]}


def test_defaults_fill_missing_values_on_create_only(define: Define, world: World):
    define("tier", "single_select", options=OPTIONS, default="Silver")
    define("newsletter", "boolean", default="yes")
    assert clean({}) == {"tier": "silver", "newsletter": True}
    assert clean({"tier": "gold"}) == {"tier": "gold", "newsletter": True}
    assert clean({"tier": None}) == {"newsletter": True}  # explicitly empty stays empty
    assert clean({}, world.contacts["own"]) == {}


def test_unique_values_are_checked_against_other_records(define: Define, world: World):
    define("account_no", "text", unique=True)
    define("amount", "decimal", unique=True)
    own, other = world.contacts["own"], world.contacts["other_team"]
    other.custom = {"account_no": "A-1", "amount": "10.50"}
    other.save()
    message = ["Another record already has this value."]
    assert errors_of({"account_no": "A-1"}) == {"custom.account_no": message}
    assert errors_of({"amount": "10.5"}) == {"custom.amount": message}
    assert errors_of({"account_no": "A-1"}, own) == {"custom.account_no": message}
    assert clean({"account_no": "a-1"}, own) == {"account_no": "a-1"}
    # the record itself keeps its value
    assert clean({"account_no": "A-1", "amount": "10.500"}, other) == {
        "account_no": "A-1",
        "amount": "10.500",
    }
    assert customfields.clean_values(CONTACT, {"account_no": "A-1"}, check_unique=False) == {
        "account_no": "A-1"
    }


def test_taken_values_checks_a_whole_batch_in_one_query(
    define: Define, world: World, django_assert_num_queries
):
    definition = define("seats", "number", unique=True)
    world.contacts["own"].custom = {"seats": 5}
    world.contacts["own"].save()
    world.contacts["no_team"].custom = {"seats": 7.5}
    world.contacts["no_team"].save()
    with django_assert_num_queries(1):
        taken = customfields.taken_values(CONTACT, definition, [5, 6, 7.5, None])
    assert taken == {5, 7.5}


def test_archived_fields_keep_their_values_and_refuse_input(
    define: Define, world: World, field_admin
):
    tier = define("tier", "single_select", options=OPTIONS)
    define("seats", "number")
    contact = world.contacts["own"]
    contact.custom = clean({"tier": "gold", "seats": 2})
    contact.save()
    customfields.custom_field_archive(actor=field_admin, definition=tier)
    assert errors_of({"tier": "silver"}, contact) == {"custom.tier": ["This field is archived."]}
    assert clean({"seats": 3}, contact) == {"tier": "gold", "seats": 3}
    assert clean({}) == {}  # no default, no required check for archived fields
    definitions = customfields.definitions_for(CONTACT, include_archived=True)
    assert customfields.visible_values(contact.custom, definitions) == {"seats": 2}
    customfields.custom_field_restore(actor=field_admin, definition=tier)
    contact.refresh_from_db()
    assert customfields.visible_values(contact.custom, customfields.definitions_for(CONTACT)) == {
        "tier": "gold",
        "seats": 2,
    }
