"""Background jobs for every Accord app.

Public API (see docs/jobs.md)::

    from accord.background import job, enqueue_on_commit, once, periodic

- ``@job(queue=..., max_attempts=..., backoff=...)``: declare a job (a ``django.tasks`` Task).
- ``enqueue_on_commit(task, *args, **kwargs)``: enqueue so the job exists only if the
  current transaction commits.
- ``once(key)``: a context manager that lets a side effect happen once per key.
- ``periodic(every=...)`` / ``register_periodic(name, task, every=...)``: periodic jobs.
- ``current_job()``: id and attempt number of the job running in this thread.
- ``PermanentJobError``: raise it to fail a job without further retries.

Jobs are run by ``accord worker``.
"""

from accord.background.exceptions import PermanentJobError
from accord.background.idempotency import once, seen
from accord.background.periodic import periodic, register_periodic
from accord.background.tasks import (
    Backoff,
    JobContext,
    current_job,
    enqueue_on_commit,
    job,
)

__all__ = [
    "Backoff",
    "JobContext",
    "PermanentJobError",
    "current_job",
    "enqueue_on_commit",
    "job",
    "once",
    "periodic",
    "register_periodic",
    "seen",
]
