"""Domain events of the sales app (payloads are ids and plain values)."""

from __future__ import annotations

from dataclasses import dataclass

from accord.core import events


@dataclass(frozen=True)
class DealStageChanged(events.Event):
    deal_id: int
    from_stage_id: int | None
    to_stage_id: int
    actor_id: int | None


@dataclass(frozen=True)
class DealWon(events.Event):
    deal_id: int
    actor_id: int | None


@dataclass(frozen=True)
class DealLost(events.Event):
    deal_id: int
    lost_reason_id: int | None
    actor_id: int | None


@dataclass(frozen=True)
class DealReopened(events.Event):
    deal_id: int
    stage_id: int
    actor_id: int | None
