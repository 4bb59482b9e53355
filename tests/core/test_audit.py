"""The audit trail: entries in the same transaction, exact diffs, bulk, context, retention."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.utils import timezone
from tests.core.accord_testapp.models import Company, Contact
from tests.core.conftest import World

from accord.core import audit
from accord.core.audit import AuditEntry


def entries_for(obj) -> list[AuditEntry]:
    return list(audit.history_for(obj))


def test_create_entry_lists_every_value(world: World):
    rep, team = world.users["rep"], world.teams["a"]
    acme = Company.objects.create(name="Acme", owner=rep, team=team)
    contact = Contact(
        first_name="Ada",
        email="ada@example.com",
        company=acme,
        score=Decimal("7.5"),
        secret="hunter2",
        owner=rep,
        team=team,
        custom={"tier": "gold", "seats": 12},
    )
    with transaction.atomic():
        contact.save()
        entry = audit.record_create(contact, rep)
    assert entry.verb == "create"
    assert entry.changes == {
        "company_id": [None, acme.pk],
        "custom.seats": [None, 12],
        "custom.tier": [None, "gold"],
        "email": [None, "ada@example.com"],
        "first_name": [None, "Ada"],
        "owner_id": [None, rep.pk],
        "score": [None, "7.50"],
        "team_id": [None, team.pk],
    }
    assert entry.actor == rep
    assert entry.actor_label == "rep@example.com"
    assert entry.origin == "system"
    assert entry.target_type == ContentType.objects.get_for_model(Contact)
    assert entry.target_id == str(contact.pk)
    assert entry.target_repr == "Ada"
    assert entries_for(contact) == [entry]


def test_update_entry_holds_the_exact_field_diff(world: World):
    contact = world.contacts["own"]
    contact.custom = {"tier": "gold", "old": "x"}
    contact.save()
    before = audit.snapshot(contact)
    contact.last_name = "Lovelace"
    contact.score = Decimal("3")
    contact.secret = "changed"  # excluded from the audit
    contact.custom = {"tier": "silver", "new": True}
    contact.save()
    entry = audit.record_update(contact, world.users["rep"], before)
    assert entry is not None
    assert entry.changes == {
        "custom.new": [None, True],
        "custom.old": ["x", None],
        "custom.tier": ["gold", "silver"],
        "last_name": ["", "Lovelace"],
        "score": [None, "3.00"],
    }


def test_update_without_changes_writes_nothing(world: World):
    contact = world.contacts["own"]
    before = audit.snapshot(contact)
    contact.save()
    assert audit.record_update(contact, world.users["rep"], before) is None
    assert AuditEntry.objects.count() == 0


def test_snapshot_is_stable_across_time_zones_and_decimal_places(world: World):
    contact = world.contacts["own"]
    contact.score = Decimal("2.5")
    contact.save()
    fresh = Contact.objects.get(pk=contact.pk)
    assert audit.snapshot(contact) == audit.snapshot(fresh)
    moment = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    berlin = moment.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert audit.json_value(moment) == audit.json_value(berlin) == "2025-03-01T12:00:00+00:00"


def test_delete_entry_keeps_the_last_state(world: World):
    contact = world.contacts["other_team"]
    pk = contact.pk
    with transaction.atomic():
        entry = audit.record_delete(contact, world.users["admin"])
        contact.delete()
    assert entry.verb == "delete"
    assert entry.changes == {
        "first_name": ["other_team", None],
        "owner_id": [world.users["rep_b"].pk, None],
        "team_id": [world.teams["b"].pk, None],
    }
    assert [e.pk for e in audit.history_of(Contact, pk)] == [entry.pk]


def test_a_rolled_back_transaction_leaves_no_entry(world: World):
    contact = world.contacts["own"]

    class Boom(Exception):
        pass

    @transaction.atomic
    def change_then_fail() -> None:
        before = audit.snapshot(contact)
        contact.first_name = "Changed"
        contact.save()
        audit.record_update(contact, world.users["rep"], before)
        raise Boom

    with pytest.raises(Boom):
        change_then_fail()
    assert AuditEntry.objects.count() == 0
    contact.refresh_from_db()
    assert contact.first_name == "own"


def test_origin_context_sets_origin_batch_and_label(world: World):
    contact = world.contacts["own"]
    with audit.origin("import", batch="import:42", actor_label="import #42"):
        assert audit.current().origin == "import"
        with_actor = audit.record(contact, "custom", world.users["rep"], action="tagged")
        without_actor = audit.record(contact, "custom", None, action="tagged")
        with audit.origin("job"):
            nested = audit.record(contact, "custom", None)
    after = audit.record(contact, "custom", None)
    assert (with_actor.origin, with_actor.batch, with_actor.actor_label) == (
        "import",
        "import:42",
        "rep@example.com",
    )
    assert (without_actor.actor, without_actor.actor_label) == (None, "import #42")
    assert (nested.origin, nested.batch, nested.actor_label) == ("job", "import:42", "import #42")
    assert (after.origin, after.batch, after.actor_label) == ("system", "", "system")


def test_unknown_origin_and_verb_are_refused(world: World):
    with pytest.raises(ValueError, match="unknown audit origin"), audit.origin("email"):
        pass
    with pytest.raises(ValueError, match="unknown audit verb"):
        audit.record(world.contacts["own"], "poke", None)


def test_unsaved_records_cannot_be_audited(world: World):
    with pytest.raises(ValueError, match="saved record"):
        audit.record_create(Contact(first_name="x"), None)


def test_bulk_path_writes_one_entry_per_change_in_one_insert_per_chunk(
    world: World, django_assert_num_queries
):
    contacts = list(Contact.objects.order_by("pk"))
    rep = world.users["admin"]
    built = []
    with audit.batch("bulk:1"):  # entries take the context when they are built
        for contact in contacts:
            before = audit.snapshot(contact)
            contact.last_name = f"Bulk {contact.pk}"
            built.append(audit.build_update(contact, rep, before))
    built.append(None)  # skipped
    with django_assert_num_queries(2):
        assert audit.record_bulk(built, batch_size=4) == 6
    rows = list(AuditEntry.objects.order_by("target_id"))
    assert len(rows) == 6
    assert {r.batch for r in rows} == {"bulk:1"}
    assert rows[0].changes == {"last_name": ["", f"Bulk {contacts[0].pk}"]}


def test_request_sets_web_origin_and_request_id(world: World, client: Client):
    from accord.core.audit.middleware import AuditContextMiddleware

    seen = {}

    def view(request):
        seen["context"] = audit.current()
        from django.http import HttpResponse

        return HttpResponse("ok")

    from django.test import RequestFactory

    request = RequestFactory().get("/contacts/")
    request.request_id = "req-1"
    AuditContextMiddleware(view)(request)
    assert seen["context"] == audit.AuditContext(origin="web", request_id="req-1")
    api_request = RequestFactory().post("/api/v1/contacts")
    api_request.request_id = "req-2"
    AuditContextMiddleware(view)(api_request)
    assert seen["context"].origin == "api"
    assert audit.current().origin == "system"


def test_middleware_is_installed_after_the_request_id(settings):
    middleware = settings.MIDDLEWARE
    assert middleware.index("accord.core.audit.middleware.AuditContextMiddleware") > (
        middleware.index("accord.core.middleware.RequestIdMiddleware")
    )


def test_history_is_newest_first_and_selectors_filter(world: World):
    own, other = world.contacts["own"], world.contacts["other_team"]
    rep, admin = world.users["rep"], world.users["admin"]
    first = audit.record(own, "custom", rep, action="first")
    first.at = timezone.now() - dt.timedelta(minutes=5)
    first.save()
    with audit.origin("api"):
        second = audit.record(own, "custom", admin, action="second")
    third = audit.record(other, "custom", admin, action="third")
    assert [e.action for e in audit.history_for(own)] == ["second", "first"]
    assert list(audit.audit_entries(actor_id=admin.pk)) == [third, second]
    assert list(audit.audit_entries(origin="api")) == [second]
    assert list(audit.audit_entries(object_type="accord_testapp.contact", target_id=other.pk)) == [
        third
    ]
    assert list(audit.audit_entries(since=timezone.now() - dt.timedelta(minutes=1))) == [
        third,
        second,
    ]


def test_purge_expired_keeps_recent_entries(world: World, settings):
    contact = world.contacts["own"]
    now = timezone.now()
    old = [audit.record(contact, "custom", None) for _ in range(3)]
    AuditEntry.objects.filter(pk__in=[e.pk for e in old]).update(at=now - dt.timedelta(days=40))
    recent = audit.record(contact, "custom", None)
    settings.ACCORD_AUDIT_RETENTION_DAYS = 0
    assert audit.purge_expired() == 0
    settings.ACCORD_AUDIT_RETENTION_DAYS = 30
    assert audit.purge_expired(chunk_size=2) == 3
    assert list(AuditEntry.objects.all()) == [recent]
    assert audit.purge_expired() == 0


def test_anonymise_target_erases_values_but_keeps_the_shape(world: World):
    contact = world.contacts["own"]
    before = audit.snapshot(contact)
    contact.email = "ada@example.com"
    contact.custom = {"tier": "gold"}
    contact.save()
    update = audit.record_update(contact, world.users["rep"], before)
    merge = audit.record(contact, "merge", None, detail={"merged": {"email": "x@example.com"}})
    untouched = audit.record(world.contacts["same_team"], "custom", None)
    assert audit.anonymise_target(Contact, contact.pk, keep_fields=frozenset({"owner_id"})) == 2
    update.refresh_from_db()
    merge.refresh_from_db()
    untouched.refresh_from_db()
    assert update.changes == {"custom.tier": [None, "[erased]"], "email": ["", "[erased]"]}
    assert update.target_repr == "[erased]"
    assert update.actor == world.users["rep"]
    assert merge.detail == {"erased": True}
    assert untouched.target_repr == "same_team"
