"""Tables of the job machinery.

The jobs themselves live in django-tasks-db's ``DBTaskResult`` table (one row per job; a
retry puts the same row back in the queue, so ``len(worker_ids)`` is the number of attempts).
These tables add what the backend does not have: worker heartbeats, the periodic runs that
were already enqueued, and idempotency keys.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running ``accord worker`` process; ``last_seen_at`` is refreshed every few seconds.

    A task left RUNNING by a worker whose heartbeat is older than the worker timeout is put
    back in the queue by the reaper of any other worker.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    queues = models.CharField(_("queues"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now, db_index=True)
    current_task_id = models.UUIDField(_("current job"), null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class PeriodicRun(models.Model):
    """One run of a periodic job, for one slot of its schedule.

    The scheduler inserts this row and enqueues the job in one transaction; the unique
    constraint makes every other scheduler that races for the same slot fail and roll back,
    so a slot is enqueued once however many workers run.
    """

    name = models.CharField(_("name"), max_length=200)
    slot = models.DateTimeField(_("slot"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    task_result_id = models.UUIDField(_("job"), null=True, blank=True)

    class Meta:
        ordering = ["-slot"]
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodicrun_name_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot.isoformat()}"


class IdempotencyKey(models.Model):
    """A side effect that has happened; written by ``accord.background.once(key)``."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    task_result_id = models.UUIDField(_("job"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key
