"""Django admin for the background tables (django-tasks-db registers its own job table)."""

from __future__ import annotations

from django.contrib import admin

from accord.background.models import IdempotencyKey, PeriodicRun, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker_id", "host", "pid", "queues", "started_at", "last_seen_at")
    readonly_fields = (
        "worker_id",
        "host",
        "pid",
        "queues",
        "started_at",
        "last_seen_at",
        "current_task_id",
    )


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin[PeriodicRun]):
    list_display = ("name", "slot", "created_at", "task_result_id")
    list_filter = ("name",)
    readonly_fields = ("name", "slot", "created_at", "task_result_id")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin[IdempotencyKey]):
    list_display = ("key", "created_at", "task_result_id")
    search_fields = ("key",)
    readonly_fields = ("key", "created_at", "task_result_id")
