"""Domain events of the contacts app (payloads are ids and plain values)."""

from __future__ import annotations

from dataclasses import dataclass

from accord.core import events


@dataclass(frozen=True)
class ContactLifecycleStageChanged(events.Event):
    contact_id: int
    from_stage: str
    to_stage: str
    actor_id: int | None


@dataclass(frozen=True)
class RecordsMerged(events.Event):
    """``absorbed_ids`` were merged into ``primary_id`` and deleted; related rows of other
    apps were re-pointed before this event."""

    object_type: str
    primary_id: int
    absorbed_ids: tuple[int, ...]
    actor_id: int | None


@dataclass(frozen=True)
class ContactErased(events.Event):
    contact_id: int
    actor_id: int | None


@dataclass(frozen=True)
class RecordsBulkCreated(events.Event):
    object_type: str
    pks: tuple[int, ...]
    actor_id: int | None
    batch: str
