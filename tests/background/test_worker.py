"""The worker loop, retries with backoff, enqueue-on-commit and the reaper (in-process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.background import sample_jobs

from accord.background import enqueue_on_commit
from accord.background.models import WorkerHeartbeat
from accord.background.worker import WORKER_LOST_PATH, Worker, reap_lost_tasks

pytestmark = pytest.mark.django_db


def only_job(task_path: str) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=task_path)


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_enqueues_nothing_when_the_transaction_rolls_back() -> None:
    class Abort(Exception):
        pass

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            enqueue_on_commit(sample_jobs.effect_once, "rolled-back")
            raise Abort

    with pytest.raises(Abort):
        enqueue_then_fail()

    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_enqueues_once_when_the_transaction_commits() -> None:
    with transaction.atomic():
        enqueue_on_commit(sample_jobs.effect_once, "committed")

    job = only_job(sample_jobs.effect_once.module_path)
    assert job.status == TaskResultStatus.READY
    assert job.args_kwargs == {"args": ["committed"], "kwargs": {}}
    assert job.queue_name == "default"


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_commit_outside_a_transaction_enqueues_at_once() -> None:
    enqueue_on_commit(sample_jobs.effect_once, "autocommit")

    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_a_job_runs_once_and_records_its_return_value(worker: Worker) -> None:
    sample_jobs.effect_once.enqueue("quick")

    stats = worker.run()

    job = only_job(sample_jobs.effect_once.module_path)
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == "quick"
    assert job.worker_ids == ["test-worker"]
    assert job.finished_at is not None
    assert sample_jobs.effect_count("quick") == 1
    assert (stats.ran, stats.succeeded, stats.retried, stats.failed) == (1, 1, 0, 0)


def test_the_running_job_knows_its_attempt_number(worker: Worker) -> None:
    sample_jobs.report_attempt.enqueue()

    worker.run()

    assert only_job(sample_jobs.report_attempt.module_path).return_value == {
        "attempt": 1,
        "max_attempts": 5,
    }


def test_a_failing_job_is_retried_with_exponential_backoff_then_fails(
    worker: Worker, make_due: Callable[[], int]
) -> None:
    sample_jobs.always_fails.enqueue("x")
    path = sample_jobs.always_fails.module_path

    # Attempt 1 fails: back in the queue 60 s later (base 60, no jitter).
    before = timezone.now()
    worker.run()
    after = timezone.now()
    job = only_job(path)
    assert job.status == TaskResultStatus.READY
    assert job.worker_ids == ["test-worker"]
    assert before + timedelta(seconds=60) <= job.run_after <= after + timedelta(seconds=60)
    assert job.exception_class_path == "builtins.RuntimeError"
    assert "RuntimeError: boom x" in job.traceback
    assert job.finished_at is None

    # Not due yet: a batch run does nothing.
    assert worker.run().ran == 1  # cumulative: still only the first attempt

    # Attempt 2 fails: 120 s (factor 2).
    assert make_due() == 1
    before = timezone.now()
    worker.run()
    after = timezone.now()
    job = only_job(path)
    assert job.status == TaskResultStatus.READY
    assert len(job.worker_ids) == 2
    assert before + timedelta(seconds=120) <= job.run_after <= after + timedelta(seconds=120)

    # Attempt 3 of 3 fails: the job is failed, with its error kept.
    assert make_due() == 1
    stats = worker.run()
    job = only_job(path)
    assert job.status == TaskResultStatus.FAILED
    assert job.worker_ids == ["test-worker"] * 3
    assert job.exception_class_path == "builtins.RuntimeError"
    assert "boom x" in job.traceback
    assert job.finished_at is not None
    assert (stats.ran, stats.succeeded, stats.retried, stats.failed) == (3, 0, 2, 1)
    assert make_due() == 0


def test_a_permanent_error_fails_the_job_without_retrying(worker: Worker) -> None:
    sample_jobs.fails_permanently.enqueue("contact 7")

    worker.run()

    job = only_job(sample_jobs.fails_permanently.module_path)
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "accord.background.exceptions.PermanentJobError"
    assert len(job.worker_ids) == 1


def test_a_plain_django_task_is_not_retried(worker: Worker) -> None:
    sample_jobs.plain_task_fails.enqueue()

    worker.run()

    job = only_job(sample_jobs.plain_task_fails.module_path)
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "builtins.ValueError"


def test_a_job_whose_function_is_gone_fails_without_retrying(worker: Worker) -> None:
    sample_jobs.effect_once.enqueue("renamed")
    DBTaskResult.objects.update(task_path="tests.background.sample_jobs.no_such_job")

    worker.run()

    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "builtins.ImportError"


def test_a_worker_only_takes_jobs_of_its_queues(db: None) -> None:
    sample_jobs.effect_once.using(queue_name="mail").enqueue("mail")
    sample_jobs.effect_once.enqueue("default")
    mail_worker = Worker(queues=["mail"], batch=True, scheduler=False, worker_id="mail")

    mail_worker.run()

    statuses = dict(DBTaskResult.objects.values_list("queue_name", "status"))
    assert statuses == {"mail": TaskResultStatus.SUCCESSFUL, "default": TaskResultStatus.READY}


def test_the_worker_keeps_a_heartbeat_while_it_runs_and_removes_it_on_stop(
    worker: Worker,
) -> None:
    seen: list[list[str]] = []

    def look() -> None:
        seen.append(list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)))

    worker.beat()
    look()
    worker.run()
    look()

    assert seen == [["test-worker"], []]


def _running_job(worker_id: str, started_ago: timedelta, attempts: int = 1) -> DBTaskResult:
    result = sample_jobs.effect_once.enqueue(f"lost-{worker_id}")
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started_ago,
        worker_ids=[f"earlier-{n}" for n in range(attempts - 1)] + [worker_id],
    )
    return DBTaskResult.objects.get(id=result.id)


def test_the_reaper_requeues_a_job_whose_worker_heartbeat_is_stale(db: None) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="dead", host="h", pid=1, last_seen_at=now - timedelta(minutes=5)
    )
    WorkerHeartbeat.objects.create(worker_id="alive", host="h", pid=2, last_seen_at=now)
    lost = _running_job("dead", started_ago=timedelta(minutes=6))
    busy = _running_job("alive", started_ago=timedelta(minutes=6))
    vanished = _running_job("no-heartbeat-row", started_ago=timedelta(minutes=6))
    just_started = _running_job("dead", started_ago=timedelta(seconds=5))

    reaped = reap_lost_tasks(now, timeout=timedelta(seconds=60))

    assert sorted(reaped) == sorted([str(lost.id), str(vanished.id)])
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY
    assert lost.run_after == now
    assert lost.exception_class_path == WORKER_LOST_PATH
    assert lost.worker_ids == ["dead"]  # the lost attempt counts
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING
    just_started.refresh_from_db()
    assert just_started.status == TaskResultStatus.RUNNING
    assert reap_lost_tasks(now, timeout=timedelta(seconds=60)) == []


def test_the_reaper_fails_a_lost_job_that_had_no_attempt_left(db: None) -> None:
    lost = _running_job("dead", started_ago=timedelta(minutes=10), attempts=5)

    assert reap_lost_tasks(timeout=timedelta(seconds=60)) == [str(lost.id)]

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == WORKER_LOST_PATH
    assert lost.finished_at is not None


def test_a_reaped_job_is_run_by_the_next_worker_and_its_effect_happens_once(
    worker: Worker,
) -> None:
    lost = _running_job("dead", started_ago=timedelta(minutes=10))
    reap_lost_tasks(timeout=timedelta(seconds=60))

    worker.run()

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.SUCCESSFUL
    assert lost.worker_ids == ["dead", "test-worker"]
    assert sample_jobs.effect_count("lost-dead") == 1


def test_a_late_result_from_a_reaped_worker_does_not_overwrite_the_new_run(
    worker: Worker,
) -> None:
    sample_jobs.effect_once.enqueue("late")
    claimed = worker.claim_next()
    assert claimed is not None
    # The reaper decided this worker was lost; another worker re-ran the job meanwhile.
    DBTaskResult.objects.filter(id=claimed.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() + timedelta(seconds=1)
    )

    worker.run_task(claimed)

    claimed.refresh_from_db()
    assert claimed.status == TaskResultStatus.RUNNING
