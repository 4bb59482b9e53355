"""The job worker run by ``accord worker``.

One process runs, in its main thread, the queue loop: claim the next ready job (a row lock
on PostgreSQL, ``SKIP LOCKED``; an exclusive transaction on SQLite), run it, record the
outcome. A failing job whose retry policy allows another attempt goes back to the queue (the
same row, status READY, ``run_after`` = now + backoff), so the row's ``worker_ids`` list
counts the attempts, as ``django.tasks`` defines them.

A housekeeping thread, every ``ACCORD_WORKER_HEARTBEAT_SECONDS``:

- refreshes this worker's ``WorkerHeartbeat`` row (also while a long job runs);
- runs the periodic scheduler (``accord.background.scheduler``);
- runs the reaper: a job left RUNNING by a worker whose heartbeat is older than
  ``ACCORD_WORKER_TIMEOUT_SECONDS`` goes back to the queue (or fails if that was its last
  attempt), so a killed worker's job is picked up by another.

Every state change of a job row is a conditional update (status and start time unchanged),
so a worker and a reaper never overwrite each other's decision.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.tasks.base import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from accord.background.exceptions import PermanentJobError, WorkerLost
from accord.background.models import WorkerHeartbeat
from accord.background.scheduler import schedule_due
from accord.background.tasks import JobContext, RetryPolicy, _current_job, retry_policy

logger = logging.getLogger(__name__)

WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def heartbeat_seconds() -> float:
    return float(getattr(settings, "ACCORD_WORKER_HEARTBEAT_SECONDS", 5))


def worker_timeout() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "ACCORD_WORKER_TIMEOUT_SECONDS", 60)))


def refresh_connection() -> None:
    """Drop a broken or expired database connection (Django does this per request).

    Never inside a transaction: that is a caller's transaction (a test), not ours to close.
    """
    if not connection.in_atomic_block:
        close_old_connections()


def new_worker_id() -> str:
    host = socket.gethostname().split(".")[0][:32] or "worker"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def policy_for(db_result: DBTaskResult) -> RetryPolicy:
    """The retry policy of a job row's task (importing its module registers the policy)."""
    with contextlib.suppress(ImportError, SuspiciousOperation, ValueError):
        db_result.task  # noqa: B018 - imports the task's module
    return retry_policy(db_result.task_path)


def _exception_path(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def reap_lost_tasks(now: datetime | None = None, *, timeout: timedelta | None = None) -> list[str]:
    """Put back in the queue the jobs whose worker stopped sending heartbeats.

    A job is lost when it is RUNNING, started more than ``timeout`` ago, and the worker that
    claimed it last has no heartbeat newer than ``timeout``. It goes back to READY when it has
    attempts left, else it fails with ``WorkerLost``. Returns the ids of the jobs reaped.
    """
    now = now or timezone.now()
    cutoff = now - (timeout or worker_timeout())
    live = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    reaped = []
    candidates = DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by()
    for db_result in candidates.only("id", "worker_ids", "started_at", "task_path"):
        last_worker = db_result.worker_ids[-1] if db_result.worker_ids else ""
        if last_worker in live:
            continue
        attempts = len(db_result.worker_ids)
        policy = policy_for(db_result)
        message = (
            f"{WORKER_LOST_PATH}: worker {last_worker or '?'} stopped sending heartbeats "
            f"while running attempt {attempts} of {policy.max_attempts}; "
            f"reaped at {now.isoformat()}\n"
        )
        changes: dict[str, Any] = {
            "exception_class_path": WORKER_LOST_PATH,
            "traceback": message,
            "return_value": None,
        }
        if attempts < policy.max_attempts:
            changes.update(status=TaskResultStatus.READY, run_after=now, finished_at=None)
        else:
            changes.update(status=TaskResultStatus.FAILED, finished_at=now)
        updated = DBTaskResult.objects.filter(
            id=db_result.id, status=TaskResultStatus.RUNNING, started_at=db_result.started_at
        ).update(**changes)
        if updated:
            reaped.append(str(db_result.id))
            logger.warning(
                "job %s (%s) was lost with worker %s: %s",
                db_result.id,
                db_result.task_path,
                last_worker,
                "re-queued" if changes["status"] == TaskResultStatus.READY else "failed",
                extra={"job_id": str(db_result.id), "worker_id": last_worker},
            )
    return reaped


@dataclass
class WorkerStats:
    ran: int = 0
    succeeded: int = 0
    retried: int = 0
    failed: int = 0


class Worker:
    """Runs jobs of the given queues (all queues when ``queues`` is empty)."""

    def __init__(
        self,
        *,
        queues: list[str] | None = None,
        interval: float = 1.0,
        batch: bool = False,
        max_tasks: int | None = None,
        worker_id: str = "",
        backend_name: str = "default",
        scheduler: bool = True,
        heartbeat: float | None = None,
    ) -> None:
        self.queues = [queue for queue in (queues or []) if queue and queue != "*"]
        self.interval = interval
        self.batch = batch
        self.max_tasks = max_tasks
        self.worker_id = worker_id or new_worker_id()
        self.backend_name = backend_name
        self.scheduler = scheduler
        self.heartbeat = heartbeat if heartbeat is not None else heartbeat_seconds()
        self.stats = WorkerStats()
        self.current_task_id: uuid.UUID | None = None
        self._stopping = threading.Event()
        self._housekeeper: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        """First SIGTERM/SIGINT: finish the current job, then stop. Second: stop now."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping.is_set():
            logger.warning("%s again: interrupting the current job", signal.strsignal(signum))
            raise KeyboardInterrupt
        logger.info(
            "%s: stopping after the current job (send again to stop now)",
            signal.strsignal(signum),
        )
        self._stopping.set()

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self) -> WorkerStats:
        """Process jobs until stopped (or, in batch mode, until none is ready)."""
        logger.info(
            "worker %s started (queues: %s)",
            self.worker_id,
            ",".join(self.queues) or "all",
            extra={"worker_id": self.worker_id},
        )
        self._stopping.clear()
        self.beat()
        try:
            self.housekeeping()
            if not self.batch:
                self._housekeeper = threading.Thread(
                    target=self._housekeeping_loop, name="accord-housekeeping", daemon=True
                )
                self._housekeeper.start()
            self._loop()
        finally:
            self._stopping.set()
            if self._housekeeper is not None:
                self._housekeeper.join(timeout=max(self.heartbeat, 1) * 2)
            self._sign_off()
        logger.info(
            "worker %s stopped: %d jobs run, %d succeeded, %d retried, %d failed",
            self.worker_id,
            self.stats.ran,
            self.stats.succeeded,
            self.stats.retried,
            self.stats.failed,
            extra={"worker_id": self.worker_id},
        )
        return self.stats

    def _loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            refresh_connection()
            try:
                db_result = self.claim_next()
            except DatabaseError as exc:
                if isinstance(exc, OperationalError) and is_locked_database_exception(exc):
                    continue
                if self.batch or connection.in_atomic_block:
                    raise  # a script or a test: report, do not wait for the database to heal
                failures += 1
                wait = min(30.0, max(self.interval, 0.5) * 2 ** min(failures, 6))
                logger.warning("cannot read the job queue (%s); retrying in %.0fs", exc, wait)
                connection.close()
                self._stopping.wait(wait)
                continue
            failures = 0
            if db_result is None:
                if self.batch:
                    return
                self._stopping.wait(self.interval)
                continue
            self.run_task(db_result)
            if self.max_tasks is not None and self.stats.ran >= self.max_tasks:
                return

    # --- heartbeat and housekeeping --------------------------------------------------------

    def beat(self) -> None:
        now = timezone.now()
        updated = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
            last_seen_at=now, current_task_id=self.current_task_id
        )
        if not updated:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "host": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "queues": ",".join(self.queues)[:255],
                    "last_seen_at": now,
                    "current_task_id": self.current_task_id,
                },
            )

    def housekeeping(self) -> None:
        """One round of scheduler and reaper (the heartbeat is written by the caller)."""
        if self.scheduler:
            schedule_due()
        reap_lost_tasks()

    def _housekeeping_loop(self) -> None:
        try:
            while not self._stopping.wait(self.heartbeat):
                try:
                    refresh_connection()
                    self.beat()
                    self.housekeeping()
                except Exception:
                    logger.exception("worker housekeeping failed; trying again")
                    connection.close()
        finally:
            connection.close()

    def _sign_off(self) -> None:
        try:
            refresh_connection()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            logger.warning("could not remove the heartbeat of worker %s", self.worker_id)

    # --- jobs ------------------------------------------------------------------------------

    def claim_next(self) -> DBTaskResult | None:
        """Mark the next ready job RUNNING for this worker and return it."""
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if self.queues:
            ready = ready.filter(queue_name__in=self.queues)
        with exclusive_transaction(ready.db):
            db_result = ready.get_locked()
            if db_result is not None:
                db_result.claim(self.worker_id)
        return db_result

    def run_task(self, db_result: DBTaskResult) -> None:
        """Run a claimed job and record success, a retry or a failure."""
        started = time.monotonic()
        self.current_task_id = db_result.id
        policy = policy_for(db_result)
        context = JobContext(
            id=str(db_result.id),
            task_path=db_result.task_path,
            attempt=len(db_result.worker_ids),
            max_attempts=policy.max_attempts,
            worker_id=self.worker_id,
        )
        token = _current_job.set(context)
        outcome = "failed"
        try:
            try:
                task = db_result.task
                task_result = db_result.task_result
                backend_type = type(task.get_backend())
            except (ImportError, SuspiciousOperation, ValueError) as exc:
                outcome = self._finish_failure(db_result, exc, retry=False)
                return
            task_started.send(sender=backend_type, task_result=task_result)
            try:
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
                outcome = self._finish_success(db_result, value)
            except (KeyboardInterrupt, SystemExit):
                self._requeue_interrupted(db_result)
                outcome = "interrupted"
                raise
            except Exception as exc:
                retry = not isinstance(exc, PermanentJobError) and (
                    context.attempt < policy.max_attempts
                )
                outcome = self._finish_failure(db_result, exc, retry=retry, policy=policy)
            if outcome in {"succeeded", "failed"}:
                task_finished.send(sender=backend_type, task_result=db_result.task_result)
        finally:
            _current_job.reset(token)
            self.current_task_id = None
            self.stats.ran += 1
            log = logger.warning if outcome in {"failed", "retried"} else logger.info
            log(
                "job %s %s %s (attempt %d of %d) in %.3fs",
                db_result.task_path,
                db_result.id,
                outcome,
                context.attempt,
                context.max_attempts,
                time.monotonic() - started,
                extra={
                    "job_id": str(db_result.id),
                    "task_path": db_result.task_path,
                    "queue": db_result.queue_name,
                    "attempt": context.attempt,
                    "outcome": outcome,
                    "worker_id": self.worker_id,
                },
            )

    def _still_mine(self, db_result: DBTaskResult) -> Any:
        return DBTaskResult.objects.filter(
            id=db_result.id, status=TaskResultStatus.RUNNING, started_at=db_result.started_at
        )

    def _finish_success(self, db_result: DBTaskResult, value: Any) -> str:
        try:
            value = normalize_json(value)
            changes = {
                "status": TaskResultStatus.SUCCESSFUL,
                "finished_at": timezone.now(),
                "return_value": value,
                "exception_class_path": "",
                "traceback": "",
            }
            updated = self._still_mine(db_result).update(**changes)
        except (TypeError, ValueError) as exc:
            # The return value cannot be stored as JSON: a bug in the job, not transient.
            return self._finish_failure(db_result, exc, retry=False)
        if not updated:
            logger.warning("job %s finished after it was reaped; result dropped", db_result.id)
            return "superseded"
        for name, value_ in changes.items():
            setattr(db_result, name, value_)
        self.stats.succeeded += 1
        return "succeeded"

    def _finish_failure(
        self,
        db_result: DBTaskResult,
        exc: BaseException,
        *,
        retry: bool,
        policy: RetryPolicy | None = None,
    ) -> str:
        import traceback as traceback_module

        now = timezone.now()
        changes: dict[str, Any] = {
            "exception_class_path": _exception_path(exc),
            "traceback": "".join(traceback_module.format_exception(exc)),
            "return_value": None,
        }
        if retry and policy is not None:
            delay = policy.backoff.delay(len(db_result.worker_ids))
            changes.update(
                status=TaskResultStatus.READY,
                run_after=now + timedelta(seconds=delay),
                finished_at=None,
            )
        else:
            changes.update(status=TaskResultStatus.FAILED, finished_at=now)
        if not self._still_mine(db_result).update(**changes):
            logger.warning("job %s failed after it was reaped; error dropped", db_result.id)
            return "superseded"
        for name, value in changes.items():
            setattr(db_result, name, value)
        if changes["status"] == TaskResultStatus.READY:
            self.stats.retried += 1
            return "retried"
        self.stats.failed += 1
        return "failed"

    def _requeue_interrupted(self, db_result: DBTaskResult) -> None:
        """The worker is being stopped mid-job: give the job back to the queue."""
        try:
            self._still_mine(db_result).update(
                status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None
            )
        except DatabaseError:
            logger.warning("could not re-queue interrupted job %s", db_result.id)
