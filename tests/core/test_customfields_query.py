"""Filtering and sorting by custom fields: the same results on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from tests.core.accord_testapp.models import Company, Contact
from tests.core.conftest import COMPANY, CONTACT, Define

from accord.core import customfields

OPTIONS = [{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}]
TAGS = [{"value": "vip", "label": "VIP"}, {"value": "partner", "label": "Partner"}]

ROWS: dict[str, dict[str, Any]] = {
    "ann": {
        "nickname": "Annie",
        "seats": 9,
        "arr": "1200.50",
        "deal": "EUR 80",
        "since": "2024-12-31",
        "seen": "2025-01-01T09:00:00+00:00",
        "active": True,
        "tier": "gold",
        "tags": ["vip", "partner"],
        "site": "https://ann.example",
    },
    "bob": {
        "nickname": "bobby",
        "seats": 10,
        "arr": "99.99",
        "deal": "USD 100.5",
        "since": "2025-01-02",
        "seen": "2025-01-01T10:30:00+01:00",
        "active": False,
        "tier": "silver",
        "tags": ["partner"],
    },
    "cy": {
        "nickname": "Cyrus",
        "seats": 2.5,
        "arr": "1200.5",
        "deal": "7",
        "since": "2025-01-10",
        "seen": "2024-06-30T23:59:59Z",
        "active": True,
        "tier": "gold",
    },
    "dee": {},
}


@pytest.fixture
def rows(define: Define, db: None) -> dict[str, Contact]:
    define("nickname", "text")
    define("seats", "number")
    define("arr", "decimal")
    define("deal", "currency", currency="EUR")
    define("since", "date")
    define("seen", "datetime")
    define("active", "boolean")
    define("tier", "single_select", options=OPTIONS)
    define("tags", "multi_select", options=TAGS)
    define("site", "url")
    return {
        name: Contact.objects.create(
            first_name=name, custom=customfields.clean_values(CONTACT, values)
        )
        for name, values in ROWS.items()
    }


def names(condition) -> list[str]:
    return sorted(Contact.objects.filter(condition).values_list("first_name", flat=True))


FILTERS = [
    ("nickname", "eq", "Annie", ["ann"]),
    ("nickname", "ne", "Annie", ["bob", "cy", "dee"]),
    ("nickname", "contains", "BB", ["bob"]),
    ("nickname", "startswith", "cy", ["cy"]),
    ("nickname", "in", ["Annie", "Cyrus", "Zed"], ["ann", "cy"]),
    ("nickname", "isnull", True, ["dee"]),
    ("nickname", "isnull", "false", ["ann", "bob", "cy"]),
    ("seats", "gt", 9, ["bob"]),
    ("seats", "gte", "9", ["ann", "bob"]),
    ("seats", "lt", 3, ["cy"]),
    ("seats", "eq", 2.5, ["cy"]),
    ("seats", "in", [2.5, 10], ["bob", "cy"]),
    ("arr", "eq", "1200.5", ["ann", "cy"]),
    ("arr", "gt", "100", ["ann", "cy"]),
    ("arr", "lte", 99.99, ["bob"]),
    ("deal", "gt", 50, ["ann", "bob"]),
    ("deal", "lt", "80.01", ["ann", "cy"]),
    ("since", "gte", "2025-01-02", ["bob", "cy"]),
    ("since", "lt", "2025-01-01", ["ann"]),
    ("seen", "gt", "2025-01-01T09:00:00Z", ["bob"]),
    ("seen", "lte", "2025-01-01T11:00:00+02:00", ["ann", "cy"]),
    ("active", "eq", True, ["ann", "cy"]),
    ("active", "eq", "no", ["bob"]),
    ("active", "ne", True, ["bob", "dee"]),
    ("tier", "eq", "Gold", ["ann", "cy"]),
    ("tier", "ne", "gold", ["bob", "dee"]),
    ("tier", "in", ["silver"], ["bob"]),
    ("tags", "contains", "partner", ["ann", "bob"]),
    ("tags", "contains", "vip", ["ann"]),
    ("tags", "in", ["vip", "partner"], ["ann", "bob"]),
    ("tags", "isnull", True, ["cy", "dee"]),
    ("site", "contains", "ann.", ["ann"]),
]


@pytest.mark.parametrize(("key", "op", "value", "expected"), FILTERS)
def test_filter_q(rows, key: str, op: str, value: Any, expected: list[str]):
    assert names(customfields.filter_q(CONTACT, key, op, value)) == expected


FILTER_ERRORS = [
    ("nope", "eq", "x", "Unknown field."),
    ("seats", "contains", "1", "The operator contains does not apply to this field."),
    ("tags", "eq", "vip", "The operator eq does not apply to this field."),
    ("nickname", "gt", "a", "The operator gt does not apply to this field."),
    ("seats", "like", "1", "Unknown operator like."),
    ("seats", "gt", "lots", "Enter a number."),
    ("since", "gt", "soon", "Enter a date as YYYY-MM-DD."),
    ("tier", "eq", "bronze", "Select a valid choice: bronze is not one of the options."),
    ("seats", "eq", "", "Enter a value to filter by."),
]


@pytest.mark.parametrize(("key", "op", "value", "message"), FILTER_ERRORS)
def test_bad_filters_are_refused(rows, key: str, op: str, value: Any, message: str):
    with pytest.raises(ValidationError) as excinfo:
        customfields.filter_q(CONTACT, key, op, value)
    assert excinfo.value.message_dict == {f"custom.{key}": [message]}


def test_archived_fields_cannot_be_filtered(rows, field_admin):
    definition = customfields.definitions_for(CONTACT)[0]
    customfields.custom_field_archive(actor=field_admin, definition=definition)
    with pytest.raises(ValidationError) as excinfo:
        customfields.filter_q(CONTACT, definition.key, "eq", "x")
    assert excinfo.value.message_dict == {f"custom.{definition.key}": ["Unknown field."]}


SORTS = [
    ("seats", False, ["cy", "ann", "bob", "dee"]),
    ("seats", True, ["bob", "ann", "cy", "dee"]),
    ("arr", False, ["bob", "ann", "cy", "dee"]),
    ("deal", True, ["bob", "ann", "cy", "dee"]),
    ("since", True, ["cy", "bob", "ann", "dee"]),
    ("seen", False, ["cy", "ann", "bob", "dee"]),
    ("active", False, ["bob", "ann", "cy", "dee"]),
    ("tier", True, ["bob", "ann", "cy", "dee"]),
]


@pytest.mark.parametrize(("key", "descending", "expected"), SORTS)
def test_order_by_sorts_by_type_with_empty_values_last(rows, key, descending, expected):
    ordered = Contact.objects.order_by(
        customfields.order_by(CONTACT, key, descending=descending), "first_name"
    )
    assert [c.first_name for c in ordered] == expected


def test_sort_expression_can_be_annotated_for_keyset_pagination(rows):
    values = (
        Contact.objects.annotate(sort=customfields.sort_expression(CONTACT, "seats"))
        .filter(sort__isnull=False)
        .order_by("sort")
        .values_list("first_name", "sort")
    )
    assert [(name, float(value)) for name, value in values] == [
        ("cy", 2.5),
        ("ann", 9.0),
        ("bob", 10.0),
    ]


def test_filter_through_a_relation(define: Define, db: None):
    define("segment", "text", object_type=COMPANY)
    big = Company.objects.create(name="Big", custom={"segment": "enterprise"})
    small = Company.objects.create(name="Small", custom={"segment": "smb"})
    Contact.objects.create(first_name="in-big", company=big)
    Contact.objects.create(first_name="in-small", company=small)
    condition = customfields.filter_q(
        COMPANY, "segment", "eq", "enterprise", field="company__custom"
    )
    assert names(condition) == ["in-big"]


def test_expression_index_matches_the_filter(rows, django_assert_num_queries):
    definition = next(d for d in customfields.definitions_for(CONTACT) if d.key == "seats")
    if connection.vendor == "postgresql":
        # the test's own rows still have deferred FK checks pending in this transaction
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    customfields.create_index(definition, Contact)
    customfields.create_index(definition, Contact)  # idempotent
    try:
        queryset = Contact.objects.filter(customfields.filter_q(CONTACT, "seats", "gt", 9))
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " ".join(str(row) for row in cursor.fetchall())
            else:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = " ".join(row[0] for row in cursor.fetchall())
        assert customfields.index_name(definition, Contact) in plan
        assert names(customfields.filter_q(CONTACT, "seats", "gt", 9)) == ["bob"]
    finally:
        customfields.drop_index(definition, Contact)
