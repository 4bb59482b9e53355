"""Chainable conditions on deals, no side effects."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from accord.sales.models import Stage, StageKind


def stalled_q(now: dt.datetime | None = None) -> Q:
    """Open deals longer in their stage than its ``rotting_days`` (one small query for the
    stages that rot; the condition is an OR per such stage, using the (stage,
    stage_entered_at) index)."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for pk, days in Stage.objects.filter(
        kind=StageKind.OPEN, rotting_days__isnull=False
    ).values_list("pk", "rotting_days"):
        condition |= Q(stage_id=pk, stage_entered_at__lt=now - dt.timedelta(days=days or 0))
    return Q(status=StageKind.OPEN) & condition


def is_stalled(stage: Stage, entered_at: dt.datetime, now: dt.datetime) -> bool:
    return (
        stage.kind == StageKind.OPEN
        and stage.rotting_days is not None
        and entered_at < now - dt.timedelta(days=stage.rotting_days)
    )
