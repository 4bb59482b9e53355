"""The periodic scheduler: enqueues each due slot of each periodic job exactly once.

Every worker runs it every few seconds. For each periodic job it computes the current slot
(see ``accord.background.periodic``); when no ``PeriodicRun`` row exists for (name, slot) it
enqueues the job and inserts that row in one transaction. A second scheduler racing for the
same slot fails on the unique constraint and rolls back its enqueue, so however many workers
run, a slot is enqueued once. On PostgreSQL the loser waits on the unique index until the
winner commits; on SQLite writers are serialised by the database lock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.background.models import PeriodicRun
from accord.background.periodic import PeriodicJob, periodic_jobs

logger = logging.getLogger(__name__)


def due_runs(now: datetime | None = None) -> list[tuple[PeriodicJob, datetime]]:
    """The periodic jobs whose current slot has no run yet, with that slot."""
    now = now or timezone.now()
    wanted = [(entry, entry.schedule.last_slot(now)) for entry in periodic_jobs()]
    if not wanted:
        return []
    existing = set(
        PeriodicRun.objects.filter(
            name__in=[entry.name for entry, _ in wanted],
            slot__in={slot for _, slot in wanted},
        ).values_list("name", "slot")
    )
    return [(entry, slot) for entry, slot in wanted if (entry.name, slot) not in existing]


def claim_and_enqueue(entry: PeriodicJob, slot: datetime) -> bool:
    """Enqueue ``entry`` for ``slot`` unless another scheduler did; True if this one did."""
    try:
        with transaction.atomic():
            result = entry.task.enqueue(*entry.args, **entry.kwargs)
            PeriodicRun.objects.create(name=entry.name, slot=slot, task_result_id=result.id)
    except IntegrityError:
        logger.debug("periodic job %s for %s was enqueued by another worker", entry.name, slot)
        return False
    logger.info(
        "enqueued periodic job %s for slot %s",
        entry.name,
        slot.isoformat(),
        extra={"periodic_job": entry.name, "slot": slot.isoformat(), "job_id": result.id},
    )
    return True


def schedule_due(now: datetime | None = None) -> list[str]:
    """Enqueue every due periodic job; the names this call enqueued."""
    enqueued = []
    for entry, slot in due_runs(now):
        if claim_and_enqueue(entry, slot):
            enqueued.append(entry.name)
    return enqueued
