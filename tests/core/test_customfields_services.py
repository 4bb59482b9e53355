"""Custom field definitions: create, update with value conversion, archive, restore, reorder."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.core.accord_testapp.models import Contact
from tests.core.conftest import COMPANY, CONTACT, Define, World

from accord.core import audit, customfields, events
from accord.core.audit import AuditEntry
from accord.core.customfields import CustomFieldDefinition


def field_errors(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    return excinfo.value.message_dict


def test_create_audits_and_announces(field_admin, db):
    seen: list[object] = []
    with events.subscribed(customfields.CustomFieldsChanged, seen.append, on_commit=False):
        definition = customfields.custom_field_create(
            actor=field_admin,
            object_type=CONTACT,
            key="tier",
            label="Tier",
            field_type="single_select",
            options=["Gold", {"value": "silver", "label": "Silver"}],
            default="gold",
        )
    assert definition.options == [
        {"value": "Gold", "label": "Gold"},
        {"value": "silver", "label": "Silver"},
    ]
    assert definition.default == "Gold"
    assert definition.order == 0
    [entry] = audit.history_for(definition)
    assert entry.verb == "create"
    assert entry.changes["key"] == [None, "tier"]
    assert seen == [customfields.CustomFieldsChanged(CONTACT, "tier", field_admin.pk)]
    second = customfields.custom_field_create(
        actor=field_admin, object_type=CONTACT, key="b", label="B", field_type="text"
    )
    assert second.order == 1


def test_only_settings_managers_define_fields(world: World):
    for who in ("manager", "rep", "read_only"):
        with pytest.raises(PermissionDenied):
            customfields.custom_field_create(
                actor=world.users[who], object_type=CONTACT, key="x", label="X", field_type="text"
            )
    assert CustomFieldDefinition.objects.count() == 0


BAD_DEFINITIONS = [
    (
        {"key": "Bad Key"},
        {"key": ["Use lower-case letters, digits and underscores, starting with a letter."]},
    ),
    ({"field_type": "colour"}, {"field_type": ["Value 'colour' is not a valid choice."]}),
    ({"label": ""}, {"label": ["This field cannot be blank."]}),
    ({"field_type": "single_select"}, {"options": ["A select field needs options."]}),
    ({"options": ["a"]}, {"options": ["Only select fields have options."]}),
    (
        {"field_type": "single_select", "options": ["a", "A"]},
        {"options.1": ["Duplicate option A."]},
    ),
    (
        {"field_type": "multi_select", "options": ["a,b"]},
        {"options.0": ["An option value needs 1 to 100 characters and no comma."]},
    ),
    (
        {"field_type": "boolean", "unique": True},
        {"unique": ["Values of this type cannot be unique."]},
    ),
    ({"field_type": "number", "default": "many"}, {"default": ["Enter a number."]}),
    ({"unique": True, "default": "x"}, {"default": ["A unique field cannot have a default."]}),
    (
        {"field_type": "currency", "currency": "euro"},
        {"currency": ["Enter a three-letter currency code (ISO 4217)."]},
    ),
    ({"currency": "EUR"}, {"currency": ["Only currency fields have a currency."]}),
    ({"object_type": "accounts.team"}, {"object_type": ["This record type has no custom fields."]}),
    ({"object_type": "nope"}, {"object_type": ["This record type has no custom fields."]}),
]


@pytest.mark.parametrize(("overrides", "errors"), BAD_DEFINITIONS)
def test_bad_definitions_are_refused_with_keyed_errors(field_admin, db, overrides, errors):
    arguments = {
        "actor": field_admin,
        "object_type": CONTACT,
        "key": "value",
        "label": "Value",
        "field_type": "text",
        **overrides,
    }
    assert field_errors(customfields.custom_field_create, **arguments) == errors
    assert CustomFieldDefinition.objects.count() == 0


def test_currency_fields_get_the_default_currency(field_admin, db, settings):
    settings.ACCORD_DEFAULT_CURRENCY = "EUR"
    definition = customfields.custom_field_create(
        actor=field_admin, object_type=CONTACT, key="arr", label="ARR", field_type="currency"
    )
    assert definition.currency == "EUR"


def test_keys_are_never_reused_even_when_archived(define: Define, field_admin):
    tier = define("tier", "text")
    assert field_errors(define, key="tier", field_type="text") == {
        "key": ["A field with this key exists."]
    }
    customfields.custom_field_archive(actor=field_admin, definition=tier)
    assert field_errors(define, key="tier", field_type="text") == {
        "key": ["An archived field has this key: restore it instead."]
    }
    define("tier", "text", object_type=COMPANY)  # another type may use it


def test_type_change_converts_values_and_audits_each_record(
    define: Define, world: World, field_admin
):
    seats = define("seats", "text")
    own, other = world.contacts["own"], world.contacts["other_team"]
    own.custom = {"seats": "12"}
    own.save()
    other.custom = {"seats": "3.5"}
    other.save()
    updated = customfields.custom_field_update(
        actor=field_admin, definition=seats, field_type="number", label="Seats (count)"
    )
    assert updated.field_type == "number"
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.custom, other.custom) == ({"seats": 12}, {"seats": 3.5})
    assert [e.changes for e in audit.history_for(own)] == [{"custom.seats": ["12", 12]}]
    [definition_entry] = audit.history_for(seats)[:1]
    assert definition_entry.changes == {
        "field_type": ["text", "number"],
        "label": ["Seats", "Seats (count)"],
    }
    assert customfields.filter_q(CONTACT, "seats", "gt", 4) is not None
    assert list(Contact.objects.filter(customfields.filter_q(CONTACT, "seats", "gt", 4))) == [own]


def test_type_change_is_refused_when_values_do_not_convert(
    define: Define, world: World, field_admin
):
    seats = define("seats", "text")
    for name, value in (("own", "12"), ("same_team", "a dozen"), ("no_team", "few")):
        contact = world.contacts[name]
        contact.custom = {"seats": value}
        contact.save()
    before = list(Contact.objects.order_by("pk").values_list("custom", flat=True))
    entries = AuditEntry.objects.count()
    errors = field_errors(
        customfields.custom_field_update, actor=field_admin, definition=seats, field_type="number"
    )
    same, no_team = world.contacts["same_team"].pk, world.contacts["no_team"].pk
    assert errors == {
        "field_type": [
            "2 existing values do not fit the new settings (for example "
            f"#{same}: 'a dozen'; #{no_team}: 'few'). Change or clear them first."
        ]
    }
    assert list(Contact.objects.order_by("pk").values_list("custom", flat=True)) == before
    seats.refresh_from_db()
    assert seats.field_type == "text"
    assert AuditEntry.objects.count() == entries


def test_removing_an_option_in_use_is_refused(define: Define, world: World, field_admin):
    tier = define("tier", "single_select", options=["gold", "silver"])
    contact = world.contacts["own"]
    contact.custom = {"tier": "silver"}
    contact.save()
    errors = field_errors(
        customfields.custom_field_update, actor=field_admin, definition=tier, options=["gold"]
    )
    assert list(errors) == ["field_type"]
    assert "1 existing values do not fit" in errors["field_type"][0]
    customfields.custom_field_update(
        actor=field_admin, definition=tier, options=["gold", {"value": "silver", "label": "Argent"}]
    )
    tier.refresh_from_db()
    assert tier.options[1] == {"value": "silver", "label": "Argent"}


def test_unique_is_refused_while_duplicates_exist(define: Define, world: World, field_admin):
    account = define("account_no", "text")
    for name in ("own", "other_team"):
        world.contacts[name].custom = {"account_no": "A-1"}
        world.contacts[name].save()
    assert field_errors(
        customfields.custom_field_update, actor=field_admin, definition=account, unique=True
    ) == {"unique": ["1 values are used by more than one record; make them unique first."]}
    world.contacts["own"].custom = {"account_no": "A-2"}
    world.contacts["own"].save()
    assert customfields.custom_field_update(
        actor=field_admin, definition=account, unique=True
    ).unique


def test_key_and_type_of_record_cannot_change(define: Define, field_admin):
    tier = define("tier", "text")
    assert field_errors(
        customfields.custom_field_update,
        actor=field_admin,
        definition=tier,
        key="x",
        object_type=COMPANY,
    ) == {
        "key": ["This setting cannot be changed."],
        "object_type": ["This setting cannot be changed."],
    }


def test_archive_and_restore_are_audited_and_idempotent(define: Define, field_admin):
    tier = define("tier", "text")
    archived = customfields.custom_field_archive(actor=field_admin, definition=tier)
    assert archived.is_archived
    assert customfields.custom_field_archive(actor=field_admin, definition=tier).archived_at == (
        archived.archived_at
    )
    assert customfields.definitions_for(CONTACT) == []
    assert field_errors(
        customfields.custom_field_update, actor=field_admin, definition=tier, label="X"
    ) == {"__all__": ["Restore the field before changing it."]}
    restored = customfields.custom_field_restore(actor=field_admin, definition=tier)
    assert not restored.is_archived
    verbs = [e.verb for e in audit.history_for(tier)]
    assert verbs == ["restore", "update", "create"]


def test_reorder(define: Define, field_admin):
    define("a", "text"), define("b", "text")
    c = define("c", "text")
    customfields.custom_field_reorder(actor=field_admin, object_type=CONTACT, keys=["c", "a", "b"])
    assert [d.key for d in customfields.definitions_for(CONTACT)] == ["c", "a", "b"]
    assert audit.history_for(c)[0].changes == {"order": [2, 0]}
    assert field_errors(
        customfields.custom_field_reorder, actor=field_admin, object_type=CONTACT, keys=["z"]
    ) == {"keys": ["Unknown fields: z."]}
