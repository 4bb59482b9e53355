"""Helpers for other apps' tests: run queued jobs in the test's own process and database.

    from accord.background.testing import run_pending_jobs

    def test_reminder_is_sent(db, mailoutbox):
        reminder_schedule(...)              # enqueues with enqueue_on_commit
        run_pending_jobs(due_now=True)      # runs it (and anything it enqueues)
        assert len(mailoutbox) == 1

Jobs enqueued with ``enqueue_on_commit`` inside the test's transaction are already in the
queue table (see ``enqueue_on_commit``), so no ``django_capture_on_commit_callbacks`` is
needed. The periodic scheduler does not run here; call ``scheduler.schedule_due(now)`` for that.
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.background.worker import Worker, WorkerStats


def make_jobs_due() -> int:
    """Make every queued job due now (delayed jobs and retries waiting for their backoff)."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - timedelta(microseconds=1)
    )


def run_pending_jobs(
    *, queues: list[str] | None = None, due_now: bool = False, rounds: int = 10
) -> WorkerStats:
    """Run every ready job (of ``queues``, default all) in this process, like a worker.

    ``due_now`` first makes delayed jobs due. Jobs enqueued by the jobs that run are run too,
    up to ``rounds`` passes (a retrying job gets one attempt per pass when ``due_now``).
    """
    worker = Worker(queues=queues, batch=True, scheduler=False, worker_id="test-run", heartbeat=0)
    for _ in range(rounds):
        if due_now:
            make_jobs_due()
        before = worker.stats.ran
        worker.run()
        if worker.stats.ran == before:
            break
    return worker.stats
