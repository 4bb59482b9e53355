"""Domain events: how one app reacts to another's changes without importing it.

Events are frozen dataclasses named for what happened (``DealStageChanged``). Services
``emit()`` them after writing; other apps ``subscribe()`` from their ``AppConfig.ready()``.
No Django signals, no ``save()`` overrides (ARCHITECTURE.md).

Two kinds of handler:

- ``on_commit=True`` (the default): runs after the surrounding transaction commits (at once
  when there is none), so it never sees a change that is rolled back. Use it for side effects:
  enqueue a job, send a webhook, reindex search. A failing handler is logged and does not stop
  the others; the change is already committed.
- ``on_commit=False``: runs synchronously inside the service's transaction, before ``emit``
  returns. Use it for writes that must commit or roll back with the change (a timeline row, a
  counter). An exception propagates to the service and rolls the whole change back.

Handlers of a base class also receive its subclasses' events. Handlers run in subscription
order. Keep payloads small and JSON-friendly (ids, not model instances), so an after-commit
handler can hand them to a job unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, overload

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Event:
    """Base class of domain events (optional; any class works as an event type)."""


@dataclass(frozen=True)
class RecordCreated(Event):
    object_type: str  # "contacts.contact"
    pk: Any
    actor_id: int | None


@dataclass(frozen=True)
class RecordUpdated(Event):
    object_type: str
    pk: Any
    actor_id: int | None
    # {field: [before, after]}, the same diff as the audit entry
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordDeleted(Event):
    object_type: str
    pk: Any
    actor_id: int | None


@dataclass(frozen=True)
class RecordsBulkUpdated(Event):
    """One event for a bulk update, instead of one per row."""

    object_type: str
    pks: tuple[Any, ...]
    actor_id: int | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _Subscription:
    event_type: type
    handler: Handler
    on_commit: bool


_subscriptions: list[_Subscription] = []


@overload
def subscribe[E](
    event_type: type[E], handler: None = None, *, on_commit: bool = True
) -> Callable[[Callable[[E], None]], Callable[[E], None]]: ...


@overload
def subscribe[E](
    event_type: type[E], handler: Callable[[E], None], *, on_commit: bool = True
) -> Callable[[E], None]: ...


def subscribe[E](
    event_type: type[E], handler: Callable[[E], None] | None = None, *, on_commit: bool = True
) -> Any:
    """Register ``handler`` for ``event_type`` (and its subclasses). Usable as a decorator.

    Subscribing the same handler twice to the same type is a no-op, so ``ready()`` can run again.
    """

    def register(func: Callable[[E], None]) -> Callable[[E], None]:
        subscription = _Subscription(event_type, func, on_commit)
        if subscription not in _subscriptions:
            _subscriptions.append(subscription)
        return func

    return register if handler is None else register(handler)


def unsubscribe(event_type: type, handler: Handler) -> None:
    _subscriptions[:] = [
        s for s in _subscriptions if not (s.event_type is event_type and s.handler == handler)
    ]


@contextmanager
def subscribed[E](
    event_type: type[E], handler: Callable[[E], None], *, on_commit: bool = True
) -> Iterator[None]:
    """Subscribe for the duration of a block (tests, one-off scripts)."""
    subscribe(event_type, handler, on_commit=on_commit)
    try:
        yield
    finally:
        unsubscribe(event_type, handler)


def _run_after_commit(handler: Handler, event: Any) -> None:
    try:
        handler(event)
    except Exception:
        logger.exception("after-commit handler %r failed for %r", handler, event)


def emit(event: Any, *, using: str | None = None) -> None:
    """Dispatch ``event``: in-transaction handlers now, after-commit handlers on commit."""
    for subscription in list(_subscriptions):
        if not isinstance(event, subscription.event_type):
            continue
        if subscription.on_commit:
            transaction.on_commit(
                partial(_run_after_commit, subscription.handler, event), using=using
            )
        else:
            subscription.handler(event)
