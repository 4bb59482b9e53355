"""Writing and enqueuing jobs.

A job is a ``django.tasks`` Task with a retry policy::

    from accord.background import enqueue_on_commit, job

    @job(queue="mail", max_attempts=5)
    def reminder_send(reminder_id: int) -> None: ...

    enqueue_on_commit(reminder_send, reminder.id)

``job`` returns a plain ``django.tasks.Task`` (so ``.enqueue()``, ``.using()``, ``.call()``
work as documented by Django); the retry policy is kept beside it, keyed by the task's
dotted path, and applied by ``accord worker``.
"""

from __future__ import annotations

import contextvars
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, overload

from django.db import router, transaction
from django.tasks import Task, task
from django.tasks.base import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_PRIORITY

DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter between the attempts of a failing job.

    The wait before attempt ``n + 1`` is ``min(maximum, base * factor ** (n - 1))`` seconds,
    stretched or shrunk by a random fraction up to ``jitter`` so that jobs which failed
    together do not all come back at the same instant.
    """

    base: float = 30.0
    factor: float = 2.0
    maximum: float = 3600.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.base < 0 or self.maximum < 0 or self.factor < 1:
            raise ValueError("Backoff needs base >= 0, maximum >= 0 and factor >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("Backoff jitter is a fraction between 0 and 1")

    def raw_delay(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failed attempts, before jitter."""
        exponent = max(attempts - 1, 0)
        try:
            raw = self.base * math.pow(self.factor, exponent)
        except OverflowError:
            raw = self.maximum
        return min(self.maximum, raw)

    def delay(self, attempts: int) -> float:
        raw = self.raw_delay(attempts)
        if self.jitter == 0 or raw == 0:
            return raw
        spread = secrets.SystemRandom().uniform(-self.jitter, self.jitter)
        return max(0.0, raw * (1 + spread))


DEFAULT_BACKOFF = Backoff()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff: Backoff = DEFAULT_BACKOFF


# Tasks declared with plain ``django.tasks.task`` have no entry: they run once.
NO_RETRY = RetryPolicy(max_attempts=1)
_policies: dict[str, RetryPolicy] = {}


def retry_policy(task_path: str) -> RetryPolicy:
    """The retry policy of the task at this dotted path (its module must be imported)."""
    return _policies.get(task_path, NO_RETRY)


@overload
def job[**P, R](function: Callable[P, R], /) -> Task[P, R]: ...


@overload
def job[**P, R](
    *,
    queue: str = "default",
    priority: int = DEFAULT_TASK_PRIORITY,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: Backoff | float = DEFAULT_BACKOFF,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> Callable[[Callable[P, R]], Task[P, R]]: ...


def job(
    function: Callable[..., Any] | None = None,
    /,
    *,
    queue: str = "default",
    priority: int = DEFAULT_TASK_PRIORITY,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    backoff: Backoff | float = DEFAULT_BACKOFF,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
) -> Any:
    """Declare a background job: a module-level function in an app's ``jobs.py``.

    - ``queue``: one of ``settings.TASKS["default"]["QUEUES"]`` (default, imports, exports,
      mail); workers can be started per queue.
    - ``max_attempts``: total runs before the job is marked failed (1 = no retry).
    - ``backoff``: a ``Backoff``, or a number of seconds used as ``Backoff(base=...)``.

    The function takes ids and plain JSON values, reloads what it needs, calls a service,
    and is idempotent (see ``accord.background.once``): a retry or a job re-queued after its
    worker died runs it again.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    policy = RetryPolicy(
        max_attempts=max_attempts,
        backoff=backoff if isinstance(backoff, Backoff) else Backoff(base=float(backoff)),
    )

    def decorate(func: Callable[..., Any]) -> Task[Any, Any]:
        declared: Task[Any, Any] = task(func, priority=priority, queue_name=queue, backend=backend)
        _policies[declared.module_path] = policy
        return declared

    if function is not None:
        return decorate(function)
    return decorate


def enqueue_on_commit[**P](
    task_to_enqueue: Task[P, Any], /, *args: P.args, **kwargs: P.kwargs
) -> None:
    """Enqueue a job so that it exists if, and only if, the current transaction commits.

    With the database backend inside a transaction, the job row is written in that same
    transaction (a transactional outbox): workers cannot see it before the commit, a
    rollback removes it, and no crash between commit and enqueue can lose it. With any other
    backend the job is enqueued by ``transaction.on_commit``. Outside a transaction it is
    enqueued at once.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    using = router.db_for_write(DBTaskResult)
    connection = transaction.get_connection(using)
    if isinstance(task_to_enqueue.get_backend(), DatabaseBackend) and connection.in_atomic_block:
        task_to_enqueue.enqueue(*args, **kwargs)
        return
    transaction.on_commit(partial(task_to_enqueue.enqueue, *args, **kwargs), using=using)


@dataclass(frozen=True)
class JobContext:
    """What a running job may want to know about itself."""

    id: str
    task_path: str
    attempt: int  # 1 on the first run
    max_attempts: int
    worker_id: str

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


_current_job: contextvars.ContextVar[JobContext | None] = contextvars.ContextVar(
    "accord_current_job", default=None
)


def current_job() -> JobContext | None:
    """The job being run by ``accord worker`` in this thread, or None outside a job."""
    return _current_job.get()
