"""Doing a side effect once, however many times a job runs.

A job can run more than once: a retry after an error, a job put back in the queue after its
worker was killed, an administrator pressing "retry". ``once(key)`` makes the effect happen
at most once per key::

    @job(queue="mail")
    def reminder_send(reminder_id: int) -> None:
        reminder = Reminder.objects.get(pk=reminder_id)
        with once(f"reminder-sent:{reminder.pk}") as first_time:
            if not first_time:
                return
            reminder_mark_sent(reminder=reminder)   # database writes: same transaction
            send_reminder_email(reminder)            # raise -> key and writes roll back

The key row is written in a transaction that also holds everything the block writes: if the
block raises (or the process dies) the key is not kept and the next run tries again; if it
commits, later runs see ``False``. Two runs at the same moment are serialised by the unique
key: the second waits for the first to commit and then sees ``False``.

Keep the block short: it holds a transaction open (on SQLite, the write lock). Long work
(reading a file, rendering an export) goes before the block; the block records the result.
An effect outside the database (an email) that succeeds just before the process is killed,
before the commit, is repeated once by the next run: at-least-once for that narrow window,
exactly once otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from accord.background.tasks import current_job

KEY_MAX_LENGTH = 255


@contextmanager
def once(key: str, *, using: str | None = None) -> Iterator[bool]:
    """Yield True the first time ``key`` is seen (and keep it if the block succeeds)."""
    from accord.background.models import IdempotencyKey

    if not key or len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"idempotency keys are 1 to {KEY_MAX_LENGTH} characters")
    running = current_job()
    with transaction.atomic(using=using):
        try:
            with transaction.atomic(using=using):
                IdempotencyKey.objects.using(using).create(
                    key=key, task_result_id=running.id if running else None
                )
        except IntegrityError:
            first_time = False
        else:
            first_time = True
        yield first_time


def seen(key: str, *, using: str | None = None) -> bool:
    """True when ``once(key)`` has completed before."""
    from accord.background.models import IdempotencyKey

    return IdempotencyKey.objects.using(using).filter(key=key).exists()
