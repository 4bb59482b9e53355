"""Health of the job queue, for ``/readyz`` and the jobs page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError
from django.utils import timezone

from accord.background.worker import worker_timeout


def queue_ready() -> bool:
    """True when the job queue table can be read (it is in the database)."""
    from django_tasks_db.models import DBTaskResult

    try:
        list(DBTaskResult.objects.order_by().values_list("id", flat=True)[:1])
    except DatabaseError:
        return False
    return True


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    host: str
    pid: int
    queues: str
    started_at: datetime
    last_seen_at: datetime
    current_task_id: str | None
    alive: bool


@dataclass(frozen=True)
class WorkerStatus:
    workers: list[WorkerInfo]

    @property
    def live(self) -> list[WorkerInfo]:
        return [worker for worker in self.workers if worker.alive]

    @property
    def live_count(self) -> int:
        return len(self.live)


def worker_status(now: datetime | None = None) -> WorkerStatus:
    """Every worker with a heartbeat row; ``alive`` when seen within the worker timeout."""
    from accord.background.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - worker_timeout()
    return WorkerStatus(
        workers=[
            WorkerInfo(
                worker_id=row.worker_id,
                host=row.host,
                pid=row.pid,
                queues=row.queues,
                started_at=row.started_at,
                last_seen_at=row.last_seen_at,
                current_task_id=str(row.current_task_id) if row.current_task_id else None,
                alive=row.last_seen_at >= cutoff,
            )
            for row in WorkerHeartbeat.objects.order_by("started_at", "worker_id")
        ]
    )
