"""Jobs used by the background tests (in-process and by `accord worker` subprocesses).

They record their side effects as ``IdempotencyKey`` rows named ``effect:<label>:<random>``,
so a test counts how often an effect happened by counting those rows.
"""

from __future__ import annotations

import time
import uuid

from django.tasks import task

from accord.background import Backoff, PermanentJobError, current_job, job, once
from accord.background.models import IdempotencyKey

NO_JITTER = Backoff(base=60, factor=2, maximum=3600, jitter=0)


def record_effect_row(label: str) -> None:
    IdempotencyKey.objects.create(key=f"effect:{label}:{uuid.uuid4().hex}")


def effect_count(label: str) -> int:
    return IdempotencyKey.objects.filter(key__startswith=f"effect:{label}:").count()


@job(max_attempts=3, backoff=NO_JITTER)
def always_fails(label: str) -> None:
    raise RuntimeError(f"boom {label}")


@job(max_attempts=3, backoff=NO_JITTER)
def fails_permanently(label: str) -> None:
    raise PermanentJobError(f"{label} is gone")


@task()
def plain_task_fails() -> None:
    raise ValueError("plain tasks are not retried")


@job()
def report_attempt() -> dict[str, object]:
    context = current_job()
    assert context is not None
    return {"attempt": context.attempt, "max_attempts": context.max_attempts}


@job()
def effect_once(label: str) -> str:
    """Does its effect once per label, however often it runs."""
    with once(f"sample:{label}") as first_time:
        if first_time:
            record_effect_row(label)
    return label


@job(max_attempts=3)
def slow_effect_once(label: str, sleep_first_attempt: float) -> str:
    """Marks each start; on its first attempt sleeps (to be killed), then does its effect once."""
    context = current_job()
    attempt = context.attempt if context else 0
    IdempotencyKey.objects.create(key=f"started:{label}:{attempt}:{uuid.uuid4().hex}")
    if attempt == 1:
        time.sleep(sleep_first_attempt)
    with once(f"sample:{label}") as first_time:
        if first_time:
            record_effect_row(label)
    return label
