"""Custom fields in HTML forms and in the API schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from pydantic import ValidationError as PydanticError
from tests.core.conftest import CONTACT, Define

from accord.core import customfields


@pytest.fixture
def fields(define: Define, field_admin):
    define("nickname", "text", required=True, help_text="What friends say")
    define("seats", "number")
    define("arr", "currency", currency="EUR")
    define("since", "date")
    define("seen", "datetime")
    define("active", "boolean")
    define("tier", "single_select", options=[{"value": "gold", "label": "Gold"}])
    define("tags", "multi_select", options=["vip", "press"])
    define("site", "url")
    define("mail", "email")
    define("phone", "phone")
    old = define("old", "text")
    customfields.custom_field_archive(actor=field_admin, definition=old)
    return customfields.definitions_for(CONTACT, include_archived=True)


def test_form_fields_by_type(fields):
    form_fields = customfields.form_fields(CONTACT)
    assert list(form_fields) == [
        "custom_nickname",
        "custom_seats",
        "custom_arr",
        "custom_since",
        "custom_seen",
        "custom_active",
        "custom_tier",
        "custom_tags",
        "custom_site",
        "custom_mail",
        "custom_phone",
    ]
    kinds = {name: type(field) for name, field in form_fields.items()}
    assert kinds == {
        "custom_nickname": forms.CharField,
        "custom_seats": forms.DecimalField,
        "custom_arr": forms.CharField,
        "custom_since": forms.DateField,
        "custom_seen": forms.DateTimeField,
        "custom_active": forms.NullBooleanField,
        "custom_tier": forms.ChoiceField,
        "custom_tags": forms.MultipleChoiceField,
        "custom_site": forms.URLField,
        "custom_mail": forms.EmailField,
        "custom_phone": forms.CharField,
    }
    nickname = form_fields["custom_nickname"]
    assert (nickname.label, nickname.help_text, nickname.required) == (
        "Nickname",
        "What friends say",
        True,
    )
    assert form_fields["custom_tier"].choices == [("", "---------"), ("gold", "Gold")]


def test_a_form_round_trip_goes_through_clean_values(fields):
    form_class = type("ContactForm", (forms.Form,), customfields.form_fields(CONTACT))
    form = form_class(
        data={
            "custom_nickname": "Ada",
            "custom_seats": "3",
            "custom_arr": "1200.50",
            "custom_since": "2025-01-31",
            "custom_seen": "2025-01-31T10:15",
            "custom_active": "true",
            "custom_tier": "gold",
            "custom_tags": ["press", "vip"],
            "custom_site": "example.com",
            "custom_mail": "ADA@example.com",
            "custom_phone": "+44 20 7946 0958",
        }
    )
    assert form.is_valid(), form.errors
    values = customfields.values_from_form(form.cleaned_data, fields)
    stored = customfields.clean_values(CONTACT, values)
    assert stored == {
        "nickname": "Ada",
        "seats": 3,
        "arr": {"amount": "1200.50", "currency": "EUR"},
        "since": "2025-01-31",
        "seen": "2025-01-31T10:15:00Z",
        "active": True,
        "tier": "gold",
        "tags": ["vip", "press"],
        "site": "https://example.com",
        "mail": "ada@example.com",
        "phone": "+442079460958",
    }
    initial = customfields.form_initial({**stored, "old": "kept"}, fields)
    assert initial["custom_arr"] == "1200.50 EUR"
    assert initial["custom_seen"] == dt.datetime(2025, 1, 31, 10, 15, tzinfo=dt.UTC)
    assert "custom_old" not in initial


def test_service_errors_map_to_form_fields(fields):
    with pytest.raises(ValidationError) as excinfo:
        customfields.clean_values(CONTACT, {"seats": "x"})
    assert customfields.form_errors(excinfo.value) == {
        "custom_nickname": ["This field is required."],
        "custom_seats": ["Enter a number."],
    }


def test_json_schema_per_type(fields):
    by_key = {d.key: d for d in fields}
    assert customfields.json_schema(by_key["tier"]) == {
        "anyOf": [{"type": "string", "enum": ["gold"], "title": "Tier"}, {"type": "null"}],
        "title": "Tier",
    }
    assert customfields.json_schema(by_key["since"])["anyOf"][0]["format"] == "date"
    assert customfields.json_schema(by_key["tags"])["anyOf"][0]["items"]["enum"] == ["vip", "press"]


def test_inject_openapi_fills_marked_properties(fields):
    document = {
        "components": {
            "schemas": {
                "ContactOut": {
                    "properties": {
                        "id": {"type": "integer"},
                        "custom": {"type": "object", **customfields.custom_schema_extra(CONTACT)},
                    }
                }
            }
        }
    }
    customfields.inject_openapi(document)
    custom = document["components"]["schemas"]["ContactOut"]["properties"]["custom"]
    assert custom["type"] == "object"
    assert custom["additionalProperties"] is False
    assert list(custom["properties"]) == [d.key for d in fields if not d.is_archived]
    assert document["components"]["schemas"]["ContactOut"]["properties"]["id"] == {
        "type": "integer"
    }


def test_api_schema_validates_shapes(fields):
    schema = customfields.api_schema(CONTACT)
    value = schema.model_validate({"tier": "gold", "since": "2025-01-01", "tags": ["vip"]})
    assert value.model_dump(exclude_none=True) == {
        "since": dt.date(2025, 1, 1),
        "tier": "gold",
        "tags": ["vip"],
    }
    with pytest.raises(PydanticError):
        schema.model_validate({"tier": "bronze"})
    assert "old" not in schema.model_fields


def test_definition_payload(fields):
    tier = next(d for d in fields if d.key == "tier")
    payload = customfields.definition_payload(tier)
    assert {k: payload[k] for k in ("key", "label", "field_type", "required", "archived_at")} == {
        "key": "tier",
        "label": "Tier",
        "field_type": "single_select",
        "required": False,
        "archived_at": None,
    }
    assert payload["options"] == [{"value": "gold", "label": "Gold"}]
