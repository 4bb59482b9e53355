"""once(), retry/cancel/prune services, health, the worker command's options."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.background import sample_jobs

from accord.accounts.models import User
from accord.background import once, seen
from accord.background.health import queue_ready, worker_status
from accord.background.management.commands.worker import Command as WorkerCommand
from accord.background.models import IdempotencyKey, PeriodicRun, WorkerHeartbeat
from accord.background.selectors import error_summary, job_page
from accord.background.services import (
    JOB_CANCELLED_PATH,
    job_cancel,
    job_retry,
    jobs_prune,
)
from accord.background.tasks import Backoff
from accord.background.worker import Worker

pytestmark = pytest.mark.django_db


# --- once -------------------------------------------------------------------------------------


def test_once_lets_the_first_run_through_and_stops_the_next() -> None:
    with once("invoice-sent:7") as first:
        assert first is True
    with once("invoice-sent:7") as second:
        assert second is False

    assert seen("invoice-sent:7") is True
    assert IdempotencyKey.objects.filter(key="invoice-sent:7").count() == 1


def test_once_forgets_the_key_when_the_block_fails() -> None:
    class SmtpDown(Exception):
        pass

    def send() -> None:
        with once("invoice-sent:8") as first:
            assert first is True
            sample_jobs.record_effect_row("invoice-8")
            raise SmtpDown

    with pytest.raises(SmtpDown):
        send()

    assert seen("invoice-sent:8") is False
    assert sample_jobs.effect_count("invoice-8") == 0
    with once("invoice-sent:8") as retried:
        assert retried is True


def test_once_refuses_an_empty_or_overlong_key() -> None:
    with pytest.raises(ValueError, match="1 to 255"), once(""):
        pass
    with pytest.raises(ValueError, match="1 to 255"), once("k" * 256):
        pass


def test_a_job_that_runs_twice_does_its_effect_once(worker: Worker) -> None:
    sample_jobs.effect_once.enqueue("twice")
    sample_jobs.effect_once.enqueue("twice")

    worker.run()

    assert (
        list(DBTaskResult.objects.values_list("status", flat=True))
        == [TaskResultStatus.SUCCESSFUL] * 2
    )
    assert sample_jobs.effect_count("twice") == 1
    job_ids = {str(job_id) for job_id in DBTaskResult.objects.values_list("id", flat=True)}
    key = IdempotencyKey.objects.get(key="sample:twice")
    assert str(key.task_result_id) in job_ids


# --- backoff ----------------------------------------------------------------------------------


def test_backoff_grows_exponentially_up_to_its_maximum() -> None:
    backoff = Backoff(base=30, factor=2, maximum=300, jitter=0)

    assert [backoff.delay(attempt) for attempt in range(1, 7)] == [30, 60, 120, 240, 300, 300]


def test_backoff_jitter_stays_within_its_fraction() -> None:
    backoff = Backoff(base=100, factor=2, maximum=10_000, jitter=0.2)

    delays = [backoff.delay(2) for _ in range(200)]

    assert all(160 <= delay <= 240 for delay in delays)
    assert len(set(delays)) > 1


# --- retry and cancel --------------------------------------------------------------------------


def _failed_job(worker: Worker) -> DBTaskResult:
    sample_jobs.fails_permanently.enqueue("retry me")
    worker.run()
    return DBTaskResult.objects.get(status=TaskResultStatus.FAILED)


def test_retry_puts_a_failed_job_back_with_fresh_attempts(worker: Worker, admin_user: User) -> None:
    failed = _failed_job(worker)

    assert job_retry(job_id=failed.id, actor=admin_user) is True

    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.READY
    assert failed.worker_ids == []
    assert failed.exception_class_path == ""
    assert failed.finished_at is None
    assert job_retry(job_id=failed.id, actor=admin_user) is False  # not failed any more


def test_cancel_marks_a_queued_job_failed_and_leaves_others_alone(
    worker: Worker, admin_user: User
) -> None:
    failed = _failed_job(worker)
    queued = sample_jobs.effect_once.enqueue("cancel me")

    assert job_cancel(job_id=queued.id, actor=admin_user) is True
    assert job_cancel(job_id=failed.id, actor=admin_user) is False

    cancelled = DBTaskResult.objects.get(id=queued.id)
    assert cancelled.status == TaskResultStatus.FAILED
    assert cancelled.exception_class_path == JOB_CANCELLED_PATH
    assert "cancelled by admin@example.com" in cancelled.traceback
    assert error_summary(cancelled.exception_class_path, cancelled.traceback)[0] == ("JobCancelled")
    worker.run()
    assert sample_jobs.effect_count("cancel me") == 0


def test_only_administrators_may_retry_or_cancel(worker: Worker, user: User) -> None:
    failed = _failed_job(worker)
    queued = sample_jobs.effect_once.enqueue("stays")

    with pytest.raises(PermissionDenied):
        job_retry(job_id=failed.id, actor=user)
    with pytest.raises(PermissionDenied):
        job_cancel(job_id=queued.id, actor=user)

    assert DBTaskResult.objects.get(id=failed.id).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(id=queued.id).status == TaskResultStatus.READY


# --- prune ------------------------------------------------------------------------------------


def test_prune_removes_history_older_than_the_retention(worker: Worker) -> None:
    now = timezone.now()
    old = now - timedelta(days=15)
    for label in ("old", "recent"):
        sample_jobs.effect_once.enqueue(label)
    queued_long_ago = sample_jobs.effect_once.enqueue("queued")
    worker.run()  # runs all three
    DBTaskResult.objects.filter(id=queued_long_ago.id).update(
        status=TaskResultStatus.READY, finished_at=None
    )
    DBTaskResult.objects.filter(args_kwargs__args=["old"]).update(finished_at=old)
    IdempotencyKey.objects.filter(key="sample:old").update(created_at=old)
    PeriodicRun.objects.create(name="p", slot=now - timedelta(days=20), created_at=old)
    PeriodicRun.objects.create(name="p", slot=now - timedelta(days=16), created_at=old)
    PeriodicRun.objects.create(name="q", slot=now - timedelta(days=30), created_at=old)
    WorkerHeartbeat.objects.create(
        worker_id="gone", host="h", pid=1, last_seen_at=now - timedelta(days=2)
    )
    WorkerHeartbeat.objects.create(worker_id="here", host="h", pid=2, last_seen_at=now)

    report = jobs_prune(now=now, retention_days=14)

    assert report.as_dict() == {
        "jobs": 1,
        "periodic_runs": 1,
        "idempotency_keys": 1,
        "workers": 1,
    }
    remaining = sorted(
        (job.args_kwargs["args"][0], job.status) for job in DBTaskResult.objects.all()
    )
    assert remaining == [
        ("queued", TaskResultStatus.READY),
        ("recent", TaskResultStatus.SUCCESSFUL),
    ]
    # The latest run of each periodic job stays, so its slot is never enqueued again.
    assert sorted(PeriodicRun.objects.values_list("name", flat=True)) == ["p", "q"]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]


def test_the_housekeeping_job_prunes_with_the_configured_retention(
    worker: Worker, settings
) -> None:
    settings.ACCORD_JOB_RETENTION_DAYS = 3
    sample_jobs.effect_once.enqueue("four days old")
    worker.run()
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=4))
    from accord.background.jobs import jobs_prune as prune_job

    prune_job.enqueue()
    worker.run()

    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("accord.background.jobs.jobs_prune", TaskResultStatus.SUCCESSFUL)
    ]
    assert DBTaskResult.objects.get().return_value == {
        "jobs": 1,
        "periodic_runs": 0,
        "idempotency_keys": 0,
        "workers": 0,
    }


# --- health -----------------------------------------------------------------------------------


def test_queue_ready_and_worker_status() -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="a", host="h1", pid=1, last_seen_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="b", host="h2", pid=2, last_seen_at=now - timedelta(minutes=5)
    )

    status = worker_status(now)

    assert queue_ready() is True
    assert [(w.worker_id, w.alive) for w in status.workers] == [("a", True), ("b", False)]
    assert status.live_count == 1


def test_the_jobs_page_selector_paginates_newest_first() -> None:
    ids = [str(sample_jobs.effect_once.enqueue(f"n{n}").id) for n in range(3)]
    from accord.background import selectors

    first = job_page(tab="queued")
    assert [row.id for row in first.rows] == list(reversed(ids))
    assert first.counts == {"queued": 3, "running": 0, "failed": 0}

    original = selectors.PAGE_SIZE
    selectors.PAGE_SIZE = 2
    try:
        page_one = job_page(tab="queued")
        page_two = job_page(tab="queued", cursor=page_one.next_cursor)
    finally:
        selectors.PAGE_SIZE = original
    assert [row.id for row in page_one.rows] == [ids[2], ids[1]]
    assert [row.id for row in page_two.rows] == [ids[0]]
    assert page_two.next_cursor == ""


# --- the command ------------------------------------------------------------------------------


def test_worker_help_names_every_option() -> None:
    text = WorkerCommand().create_parser("accord", "worker").format_help()

    for option in ("--queue", "--interval", "--batch", "--max-tasks", "--no-scheduler"):
        assert option in text
    assert "heartbeat" in text


def test_worker_command_in_batch_mode_runs_ready_jobs_and_exits() -> None:
    sample_jobs.effect_once.using(queue_name="mail").enqueue("by command")

    call_command("worker", "--batch", "--queue", "mail", "--no-scheduler", "--worker-id", "cmd")

    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.worker_ids == ["cmd"]
    assert not WorkerHeartbeat.objects.exists()


def test_worker_command_refuses_an_unknown_queue() -> None:
    with pytest.raises(CommandError, match="unknown queue"):
        call_command("worker", "--batch", "--queue", "nope")


# --- the testing helper -----------------------------------------------------------------------


def test_run_pending_jobs_runs_delayed_jobs_and_retries_when_asked() -> None:
    from datetime import timedelta

    from accord.background.testing import run_pending_jobs

    sample_jobs.effect_once.using(run_after=timezone.now() + timedelta(days=1)).enqueue("later")
    sample_jobs.always_fails.enqueue("thrice")

    assert run_pending_jobs().ran == 1  # only the failing job is due; it is retried later
    stats = run_pending_jobs(due_now=True)

    assert (stats.succeeded, stats.retried, stats.failed) == (1, 1, 1)
    assert sample_jobs.effect_count("later") == 1
    failed = DBTaskResult.objects.get(task_path=sample_jobs.always_fails.module_path)
    assert (failed.status, len(failed.worker_ids)) == (TaskResultStatus.FAILED, 3)
