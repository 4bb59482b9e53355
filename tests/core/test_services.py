"""The generic write path: policy first, validation, save, audit and event in one transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.core.accord_testapp.models import Company, Contact, Note
from tests.core.conftest import CONTACT, Define, World

from accord.core import audit, events, services
from accord.core.audit import AuditEntry
from accord.core.policy import NotFound

EDITABLE = {"first_name", "last_name", "email", "company_id", "score", "owner_id", "custom"}


def state() -> list[tuple]:
    """Everything the tests could change, to prove a denied call changed nothing."""
    return [
        *Contact.objects.order_by("pk").values_list(
            "pk", "first_name", "last_name", "email", "company_id", "score", "custom", "owner_id"
        ),
        ("audit", AuditEntry.objects.count()),
    ]


@pytest.fixture
def seen():
    received: list[object] = []

    def handler(event: object) -> None:
        received.append(event)

    record_events = (
        events.RecordCreated,
        events.RecordUpdated,
        events.RecordDeleted,
        events.RecordsBulkUpdated,
    )
    for event_type in record_events:
        events.subscribe(event_type, handler, on_commit=False)
    yield received
    for event_type in record_events:
        events.unsubscribe(event_type, handler)


# --- update --------------------------------------------------------------------------------


def test_update_fields_saves_audits_and_emits(world: World, define: Define, seen):
    define("tier", "single_select", options=["gold", "silver"])
    rep = world.users["rep"]
    contact = world.contacts["same_team"]
    acme = Company.objects.create(name="Acme", owner=rep, team=world.teams["a"])
    with audit.origin("api", request_id="r-1"):
        result = services.update_fields(
            contact,
            rep,
            {
                "last_name": "Lovelace",
                "company_id": acme.pk,
                "score": "4.5",
                "custom": {"tier": "gold"},
            },
            allowed=EDITABLE,
        )
    assert result is contact
    contact.refresh_from_db()
    assert (contact.last_name, contact.company_id, contact.score, contact.custom) == (
        "Lovelace",
        acme.pk,
        Decimal("4.50"),
        {"tier": "gold"},
    )
    [entry] = audit.history_for(contact)
    expected_changes = {
        "company_id": [None, acme.pk],
        "custom.tier": [None, "gold"],
        "last_name": ["", "Lovelace"],
        "score": [None, "4.50"],
    }
    assert entry.changes == expected_changes
    assert (entry.verb, entry.origin, entry.request_id, entry.actor) == (
        "update",
        "api",
        "r-1",
        rep,
    )
    assert seen == [events.RecordUpdated(CONTACT, contact.pk, rep.pk, expected_changes)]


def test_update_with_no_real_change_writes_no_entry_and_no_event(world: World, seen):
    contact = world.contacts["own"]
    services.update_fields(contact, world.users["rep"], {"first_name": "own"}, allowed=EDITABLE)
    assert AuditEntry.objects.count() == 0
    assert seen == []


def test_update_reloads_the_record_so_stale_copies_do_not_overwrite(world: World):
    stale = Contact.objects.get(pk=world.contacts["own"].pk)
    Contact.objects.filter(pk=stale.pk).update(last_name="Newer")
    stale.email = "unsaved@example.com"  # not passed in changes: dropped
    services.update_fields(stale, world.users["rep"], {"first_name": "Ada"}, allowed=EDITABLE)
    fresh = Contact.objects.get(pk=stale.pk)
    assert (fresh.first_name, fresh.last_name, fresh.email) == ("Ada", "Newer", "")


@pytest.mark.parametrize(
    ("who", "record", "error"),
    [
        ("rep", "other_team", NotFound),
        ("read_only", "own", PermissionDenied),
        ("inactive", "own", NotFound),
        ("marketer", "own_no_team", NotFound),
    ],
)
def test_denied_updates_change_nothing(world: World, who, record, error, seen):
    before = state()
    with pytest.raises(error):
        services.update_fields(
            world.contacts[record], world.users[who], {"first_name": "Hacked"}, allowed=EDITABLE
        )
    assert state() == before
    assert seen == []


def test_foreign_ids_outside_the_scope_are_refused_like_missing_ones(world: World):
    rep = world.users["rep"]
    theirs = Company.objects.create(
        name="Theirs", owner=world.users["rep_b"], team=world.teams["b"]
    )
    before = state()
    for company_id in (theirs.pk, 10**9):
        with pytest.raises(ValidationError) as excinfo:
            services.update_fields(
                world.contacts["own"], rep, {"company_id": company_id}, allowed=EDITABLE
            )
        assert excinfo.value.message_dict == {"company_id": ["No such record."]}
    with pytest.raises(ValidationError) as excinfo:
        services.update_fields(world.contacts["own"], rep, {"company": theirs}, allowed={"company"})
    assert excinfo.value.message_dict == {"company": ["No such record."]}
    assert state() == before


def test_all_input_errors_are_reported_together_and_nothing_changes(world: World, define):
    define("seats", "number")
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.update_fields(
            world.contacts["own"],
            world.users["rep"],
            {
                "email": "not-an-email",
                "secret": "x",
                "nope": 1,
                "score": "abc",
                "first_name": "",
                "custom": {"seats": "many"},
            },
            allowed=EDITABLE,
        )
    assert excinfo.value.message_dict == {
        "custom.seats": ["Enter a number."],
        "email": ["Enter a valid email address."],
        "first_name": ["This field cannot be blank."],
        "nope": ["Unknown field."],
        "score": ["“abc” value must be a decimal number."],
        "secret": ["This field cannot be changed here."],
    }
    assert state() == before


def test_only_changed_fields_are_validated(world: World):
    contact = world.contacts["own"]
    Contact.objects.filter(pk=contact.pk).update(email="legacy-invalid")
    services.update_fields(contact, world.users["rep"], {"last_name": "Fine"}, allowed=EDITABLE)
    contact.refresh_from_db()
    assert (contact.last_name, contact.email) == ("Fine", "legacy-invalid")


def test_a_failure_after_the_service_rolls_everything_back(world: World, seen):
    contact = world.contacts["own"]

    @transaction.atomic
    def update_then_fail() -> None:
        services.update_fields(contact, world.users["rep"], {"first_name": "X"}, allowed=EDITABLE)
        raise RuntimeError("later step failed")

    before = state()
    with pytest.raises(RuntimeError):
        update_then_fail()
    assert state() == before


# --- create --------------------------------------------------------------------------------


def test_create_record_defaults_owner_and_team_and_audits(world: World, define, seen):
    define("tier", "single_select", options=["gold", "silver"], default="silver")
    rep = world.users["rep"]
    contact = services.create_record(
        Contact, rep, {"first_name": "New", "email": "NEW@example.com"}, allowed=EDITABLE
    )
    assert (contact.owner_id, contact.team_id, contact.custom) == (
        rep.pk,
        world.teams["a"].pk,
        {"tier": "silver"},
    )
    [entry] = audit.history_for(contact)
    assert entry.verb == "create"
    assert entry.changes == {
        "custom.tier": [None, "silver"],
        "email": [None, "NEW@example.com"],
        "first_name": [None, "New"],
        "owner_id": [None, rep.pk],
        "team_id": [None, world.teams["a"].pk],
    }
    assert seen == [events.RecordCreated(CONTACT, contact.pk, rep.pk)]


def test_create_outside_the_edit_scope_is_denied(world: World):
    before = state()
    with pytest.raises(PermissionDenied):
        services.create_record(
            Contact, world.users["read_only"], {"first_name": "x"}, allowed=EDITABLE
        )
    with pytest.raises(PermissionDenied):
        services.create_record(
            Contact,
            world.users["rep"],
            {"first_name": "x", "owner_id": world.users["rep_b"].pk},
            allowed=EDITABLE,
            defaults={"team": world.teams["b"]},
        )
    assert state() == before


def test_create_reports_required_custom_fields(world: World, define):
    define("region", "text", required=True)
    with pytest.raises(ValidationError) as excinfo:
        services.create_record(Contact, world.users["rep"], {"first_name": "x"}, allowed=EDITABLE)
    assert excinfo.value.message_dict == {"custom.region": ["This field is required."]}


def test_custom_is_refused_when_not_allowed_or_not_supported(world: World):
    with pytest.raises(ValidationError) as excinfo:
        services.update_fields(
            world.contacts["own"], world.users["rep"], {"custom": {}}, allowed={"first_name"}
        )
    assert excinfo.value.message_dict == {"custom": ["This field cannot be changed here."]}
    note = Note.objects.create(contact=world.contacts["own"], body="hi")
    with pytest.raises(ValidationError) as excinfo:
        services.update_fields(note, world.users["rep"], {"custom": {}}, allowed={"body", "custom"})
    assert excinfo.value.message_dict == {"custom": ["This record type has no custom fields."]}


# --- delete --------------------------------------------------------------------------------


def test_delete_record_audits_the_last_state(world: World, seen):
    contact = world.contacts["own"]
    pk = contact.pk
    services.delete_record(contact, world.users["rep"])
    assert not Contact.objects.filter(pk=pk).exists()
    [entry] = audit.history_of(Contact, pk)
    assert entry.verb == "delete"
    assert entry.changes["first_name"] == ["own", None]
    assert seen == [events.RecordDeleted(CONTACT, pk, world.users["rep"].pk)]


def test_delete_denied_changes_nothing(world: World):
    before = state()
    with pytest.raises(PermissionDenied):
        services.delete_record(world.contacts["same_team"], world.users["rep"])
    with pytest.raises(NotFound):
        services.delete_record(world.contacts["other_team"], world.users["rep"])
    assert state() == before


def test_delete_of_a_protected_record_is_a_validation_error(world: World):
    rep = world.users["rep"]
    acme = Company.objects.create(name="Acme", owner=rep, team=world.teams["a"])
    Contact.objects.filter(pk=world.contacts["own"].pk).update(company=acme)
    with pytest.raises(ValidationError) as excinfo:
        services.delete_record(acme, rep)
    assert excinfo.value.messages == ["This record is still used by 1 other records."]
    assert Company.objects.filter(pk=acme.pk).exists()
    assert AuditEntry.objects.count() == 0


# --- bulk ----------------------------------------------------------------------------------


def test_bulk_update_changes_only_editable_records_in_one_batch(world: World, define, seen):
    define("tier", "single_select", options=["gold", "silver"])
    rep = world.users["rep"]
    count = services.bulk_update_fields(
        Contact.objects.all(),
        rep,
        {"last_name": "Bulk", "custom": {"tier": "gold"}},
        allowed=EDITABLE,
        chunk_size=2,
    )
    assert count == 3
    changed = set(Contact.objects.filter(last_name="Bulk").values_list("first_name", flat=True))
    assert changed == {"own", "same_team", "own_no_team"}
    assert Contact.objects.get(first_name="other_team").last_name == ""
    entries = list(audit.audit_entries(object_type=CONTACT).order_by("target_id"))
    assert len(entries) == 3
    assert len({e.batch for e in entries}) == 1
    assert entries[0].batch.startswith("bulk:")
    assert entries[0].changes == {"custom.tier": [None, "gold"], "last_name": ["", "Bulk"]}
    [event] = seen
    assert isinstance(event, events.RecordsBulkUpdated)
    assert sorted(event.pks) == sorted(world.contacts[n].pk for n in changed)
    assert event.fields == ("custom", "last_name")


def test_bulk_update_needs_the_capability(world: World):
    before = state()
    with pytest.raises(PermissionDenied):
        services.bulk_update_fields(
            Contact.objects.all(), world.users["support"], {"last_name": "x"}, allowed=EDITABLE
        )
    assert state() == before


def test_bulk_update_is_all_or_nothing_with_errors_per_record(world: World):
    own, same = world.contacts["own"], world.contacts["same_team"]
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        services.bulk_update_fields(
            Contact.objects.filter(pk__in=[own.pk, same.pk]),
            world.users["rep"],
            {"first_name": ""},
            allowed=EDITABLE,
        )
    assert excinfo.value.message_dict == {
        f"records.{own.pk}.first_name": ["This field cannot be blank."],
        f"records.{same.pk}.first_name": ["This field cannot be blank."],
    }
    assert state() == before


def test_bulk_update_refuses_one_unique_value_for_many_records(world: World, define):
    define("account_no", "text", unique=True)
    with pytest.raises(ValidationError) as excinfo:
        services.bulk_update_fields(
            Contact.objects.all(),
            world.users["rep"],
            {"custom": {"account_no": "A"}},
            allowed=EDITABLE,
        )
    assert excinfo.value.message_dict == {
        "custom": ["A unique field cannot be set on several records at once."]
    }


def test_bulk_update_checks_foreign_ids_once(world: World):
    rep = world.users["rep"]
    theirs = Company.objects.create(
        name="Theirs", owner=world.users["rep_b"], team=world.teams["b"]
    )
    editable = ("own", "same_team", "own_no_team")
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as excinfo:
        services.bulk_update_fields(
            Contact.objects.all(), rep, {"company_id": theirs.pk}, allowed=EDITABLE
        )
    assert excinfo.value.message_dict == {
        f"records.{world.contacts[name].pk}.company_id": ["No such record."] for name in editable
    }
    company_lookups = [q for q in queries.captured_queries if "accord_testapp_company" in q["sql"]]
    assert len(company_lookups) == 1
