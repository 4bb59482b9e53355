"""Domain events: in-transaction handlers, after-commit handlers, rollback."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from accord.core import events


@dataclass(frozen=True)
class ThingHappened(events.Event):
    thing_id: int


@dataclass(frozen=True)
class SpecialThingHappened(ThingHappened):
    pass


class Boom(Exception):
    pass


@pytest.fixture
def received():
    calls: list[tuple[str, object]] = []
    return calls


@pytest.mark.django_db(transaction=True)
def test_after_commit_handlers_run_after_commit_only(received):
    def later(event):
        received.append(("later", event))

    def now(event):
        received.append(("now", event))

    with (
        events.subscribed(ThingHappened, later),
        events.subscribed(ThingHappened, now, on_commit=False),
    ):
        with transaction.atomic():
            events.emit(ThingHappened(1))
            assert received == [("now", ThingHappened(1))]
        assert received == [("now", ThingHappened(1)), ("later", ThingHappened(1))]


@pytest.mark.django_db(transaction=True)
def test_rollback_drops_after_commit_handlers(received):
    def later(event):
        received.append(("later", event))

    @transaction.atomic
    def emit_then_fail() -> None:
        events.emit(ThingHappened(2))
        raise Boom

    with events.subscribed(ThingHappened, later):
        with pytest.raises(Boom):
            emit_then_fail()
        assert received == []


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_runs_at_once(received):
    with events.subscribed(ThingHappened, lambda e: received.append(("later", e))):
        events.emit(ThingHappened(3))
    assert received == [("later", ThingHappened(3))]


def test_in_transaction_handler_failure_propagates(db, received):
    def failing(event):
        raise Boom

    with events.subscribed(ThingHappened, failing, on_commit=False), pytest.raises(Boom):
        events.emit(ThingHappened(4))


@pytest.mark.django_db(transaction=True)
def test_a_failing_after_commit_handler_does_not_stop_the_others(received, caplog):
    def failing(event):
        raise Boom

    def ok(event):
        received.append(("ok", event))

    with (
        events.subscribed(ThingHappened, failing),
        events.subscribed(ThingHappened, ok),
        transaction.atomic(),
    ):
        events.emit(ThingHappened(5))
    assert received == [("ok", ThingHappened(5))]
    assert "after-commit handler" in caplog.text


def test_base_class_handlers_receive_subclass_events_and_subscribe_is_idempotent(db, received):
    def handler(event):
        received.append(("base", event))

    with events.subscribed(ThingHappened, handler, on_commit=False):
        events.subscribe(ThingHappened, handler, on_commit=False)  # again: no-op
        events.emit(SpecialThingHappened(6))
        events.emit(events.RecordCreated("x.y", 1, None))  # other type: not delivered
    assert received == [("base", SpecialThingHappened(6))]
    events.emit(ThingHappened(7))  # unsubscribed by now
    assert received == [("base", SpecialThingHappened(6))]


def test_subscribe_works_as_a_decorator(db, received):
    @events.subscribe(ThingHappened, on_commit=False)
    def handler(event: ThingHappened) -> None:
        received.append(("decorated", event))

    try:
        events.emit(ThingHappened(8))
    finally:
        events.unsubscribe(ThingHappened, handler)
    assert received == [("decorated", ThingHappened(8))]
