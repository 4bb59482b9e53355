"""Reads for the jobs page: jobs by status, workers, periodic jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks_db.models import DBTaskResult, get_date_max

from accord.background.models import PeriodicRun
from accord.background.periodic import periodic_jobs
from accord.background.worker import policy_for

# Tab slug on the page -> status in the queue table.
STATUS_BADGES: dict[str, str] = {
    TaskResultStatus.READY: "badge-info",
    TaskResultStatus.RUNNING: "badge-primary",
    TaskResultStatus.FAILED: "badge-danger",
    TaskResultStatus.SUCCESSFUL: "badge-success",
}
TABS: dict[str, str] = {
    "queued": TaskResultStatus.READY,
    "running": TaskResultStatus.RUNNING,
    "failed": TaskResultStatus.FAILED,
    "succeeded": TaskResultStatus.SUCCESSFUL,
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class JobRow:
    id: str
    task_path: str
    task_name: str
    queue: str
    status: str
    attempts: int
    max_attempts: int
    enqueued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    run_after: datetime | None  # None: as soon as possible
    worker_id: str
    error_class: str
    error_message: str
    traceback: str

    @property
    def status_label(self) -> str:
        return str(TaskResultStatus(self.status).label)

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.status, "")

    @property
    def can_retry(self) -> bool:
        return self.status == TaskResultStatus.FAILED

    @property
    def can_cancel(self) -> bool:
        return self.status == TaskResultStatus.READY


def error_summary(exception_class_path: str, traceback: str) -> tuple[str, str]:
    """(exception class name, message) from a stored error."""
    if not exception_class_path:
        return "", ""
    class_name = exception_class_path.rsplit(".", 1)[-1]
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    message = lines[-1] if lines else ""
    for prefix in (f"{exception_class_path}:", f"{class_name}:"):
        if message.startswith(prefix):
            message = message[len(prefix) :].strip()
            break
    else:
        if message in {exception_class_path, class_name}:
            message = ""
    return class_name, message


def job_row(db_result: DBTaskResult) -> JobRow:
    error_class, error_message = error_summary(db_result.exception_class_path, db_result.traceback)
    return JobRow(
        id=str(db_result.id),
        task_path=db_result.task_path,
        task_name=db_result.task_path.rsplit(".", 1)[-1],
        queue=db_result.queue_name,
        status=db_result.status,
        attempts=len(db_result.worker_ids),
        max_attempts=policy_for(db_result).max_attempts,
        enqueued_at=db_result.enqueued_at,
        started_at=db_result.started_at,
        finished_at=db_result.finished_at,
        run_after=None if db_result.run_after == get_date_max() else db_result.run_after,
        worker_id=db_result.worker_ids[-1] if db_result.worker_ids else "",
        error_class=error_class,
        error_message=error_message,
        traceback=db_result.traceback,
    )


@dataclass(frozen=True)
class JobPage:
    tab: str
    queue: str
    rows: list[JobRow]
    next_cursor: str
    counts: dict[str, int]
    queues: list[str]


def encode_cursor(row: JobRow) -> str:
    return f"{row.enqueued_at.isoformat()}|{row.id}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID] | None:
    stamp, _, raw_id = cursor.partition("|")
    try:
        moment = parse_datetime(stamp)
        job_id = uuid.UUID(raw_id)
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment, job_id


def job_counts() -> dict[str, int]:
    """Jobs per tab, except succeeded (the largest set, and never a worry)."""
    return {
        tab: DBTaskResult.objects.filter(status=status).count()
        for tab, status in TABS.items()
        if tab != "succeeded"
    }


def job_page(*, tab: str = "queued", queue: str = "", cursor: str = "") -> JobPage:
    """One page of jobs with ``tab``'s status, newest first, keyset-paginated."""
    from django.conf import settings

    tab = tab if tab in TABS else "queued"
    jobs = DBTaskResult.objects.filter(status=TABS[tab]).defer("return_value", "args_kwargs")
    queues = sorted(settings.TASKS["default"].get("QUEUES", []))
    if queue:
        jobs = jobs.filter(queue_name=queue)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, job_id = position
        jobs = jobs.filter(Q(enqueued_at__lt=moment) | Q(enqueued_at=moment, id__lt=job_id))
    found = list(jobs.order_by("-enqueued_at", "-id")[: PAGE_SIZE + 1])
    rows = [job_row(db_result) for db_result in found[:PAGE_SIZE]]
    next_cursor = encode_cursor(rows[-1]) if len(found) > PAGE_SIZE else ""
    return JobPage(
        tab=tab,
        queue=queue,
        rows=rows,
        next_cursor=next_cursor,
        counts=job_counts(),
        queues=queues,
    )


@dataclass(frozen=True)
class PeriodicRow:
    name: str
    task_path: str
    queue: str
    schedule: str
    last_slot: datetime | None
    last_status: str  # status of the job of the last run, "" if pruned or never run
    last_job_id: str
    next_slot: datetime

    @property
    def last_status_label(self) -> str:
        return str(TaskResultStatus(self.last_status).label) if self.last_status else ""

    @property
    def last_status_badge(self) -> str:
        return STATUS_BADGES.get(self.last_status, "")


def periodic_rows(now: datetime | None = None) -> list[PeriodicRow]:
    """Every registered periodic job with its last run and next slot (three queries)."""
    now = now or timezone.now()
    entries = periodic_jobs()
    names = [entry.name for entry in entries]
    latest = dict(
        PeriodicRun.objects.filter(name__in=names)
        .values("name")
        .annotate(last=Max("slot"))
        .values_list("name", "last")
    )
    runs = {}
    if latest:
        condition = Q()
        for name, slot in latest.items():
            condition |= Q(name=name, slot=slot)
        runs = {run.name: run for run in PeriodicRun.objects.filter(condition)}
    job_ids = [run.task_result_id for run in runs.values() if run.task_result_id]
    statuses = dict(
        DBTaskResult.objects.filter(id__in=job_ids).values_list("id", "status") if job_ids else []
    )
    rows = []
    for entry in entries:
        run = runs.get(entry.name)
        job_id = run.task_result_id if run else None
        rows.append(
            PeriodicRow(
                name=entry.name,
                task_path=entry.task.module_path,
                queue=entry.task.queue_name,
                schedule=entry.schedule.describe(),
                last_slot=run.slot if run else None,
                last_status=statuses.get(job_id, "") if job_id else "",
                last_job_id=str(job_id) if job_id else "",
                next_slot=entry.schedule.next_slot(now),
            )
        )
    return rows
