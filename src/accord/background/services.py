"""Writes of the background app: retry, cancel, prune."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.background.exceptions import JobCancelled
from accord.background.models import IdempotencyKey, PeriodicRun, WorkerHeartbeat
from accord.background.policy import require_manage_jobs

logger = logging.getLogger(__name__)

JOB_CANCELLED_PATH = f"{JobCancelled.__module__}.{JobCancelled.__qualname__}"
DELETE_BATCH = 1000
# Heartbeat rows of workers gone for this long are removed (their jobs were reaped long ago).
STALE_WORKER_AGE = timedelta(days=1)


def job_retry(*, job_id: uuid.UUID | str, actor: Any) -> bool:
    """Put a failed job back in the queue with a fresh set of attempts. False if not failed."""
    require_manage_jobs(actor)
    updated = DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now(),
        worker_ids=[],
        started_at=None,
        finished_at=None,
        exception_class_path="",
        traceback="",
        return_value=None,
    )
    if updated:
        logger.info(
            "job %s retried by %s",
            job_id,
            getattr(actor, "email", actor),
            extra={"job_id": str(job_id), "actor": getattr(actor, "pk", None)},
        )
    return bool(updated)


def job_cancel(*, job_id: uuid.UUID | str, actor: Any) -> bool:
    """Cancel a queued job: it is marked failed with ``JobCancelled``. False if not queued."""
    require_manage_jobs(actor)
    now = timezone.now()
    who = getattr(actor, "email", "") or str(actor)
    updated = DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.READY).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=JOB_CANCELLED_PATH,
        traceback=f"{JOB_CANCELLED_PATH}: cancelled by {who} at {now.isoformat()}\n",
        return_value=None,
    )
    if updated:
        logger.info(
            "job %s cancelled by %s",
            job_id,
            who,
            extra={"job_id": str(job_id), "actor": getattr(actor, "pk", None)},
        )
    return bool(updated)


def _delete_in_batches(queryset: QuerySet[Any], model: Any) -> int:
    """Delete in short transactions, so a large backlog never holds a long lock."""
    deleted = 0
    while True:
        keys = list(queryset.values_list("pk", flat=True)[:DELETE_BATCH])
        if not keys:
            return deleted
        count, _ = model.objects.filter(pk__in=keys).delete()
        deleted += count


@dataclass(frozen=True)
class PruneReport:
    jobs: int
    periodic_runs: int
    idempotency_keys: int
    workers: int

    def as_dict(self) -> dict[str, int]:
        return {
            "jobs": self.jobs,
            "periodic_runs": self.periodic_runs,
            "idempotency_keys": self.idempotency_keys,
            "workers": self.workers,
        }


def jobs_prune(*, now: datetime | None = None, retention_days: int | None = None) -> PruneReport:
    """Remove finished jobs, periodic runs and idempotency keys older than the retention.

    ``retention_days`` defaults to ``ACCORD_JOB_RETENTION_DAYS`` (14); 0 keeps everything.
    The latest run of each periodic job is kept, so its slot is never enqueued again.
    """
    now = now or timezone.now()
    days = settings.ACCORD_JOB_RETENTION_DAYS if retention_days is None else retention_days
    workers = _delete_in_batches(
        WorkerHeartbeat.objects.filter(last_seen_at__lt=now - STALE_WORKER_AGE), WorkerHeartbeat
    )
    if days <= 0:
        return PruneReport(jobs=0, periodic_runs=0, idempotency_keys=0, workers=workers)
    cutoff = now - timedelta(days=days)
    jobs = _delete_in_batches(
        DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=cutoff,
        ),
        DBTaskResult,
    )
    periodic_runs = 0
    latest = PeriodicRun.objects.values("name").annotate(last=Max("slot"))
    for name, last in latest.values_list("name", "last"):
        periodic_runs += _delete_in_batches(
            PeriodicRun.objects.filter(name=name, slot__lt=last, created_at__lt=cutoff),
            PeriodicRun,
        )
    keys = _delete_in_batches(IdempotencyKey.objects.filter(created_at__lt=cutoff), IdempotencyKey)
    report = PruneReport(
        jobs=jobs, periodic_runs=periodic_runs, idempotency_keys=keys, workers=workers
    )
    logger.info("pruned background job history: %s", report.as_dict())
    return report
