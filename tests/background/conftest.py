"""Fixtures of the background tests.

- ``worker``: an in-process ``Worker`` in batch mode without the scheduler, so a test runs
  exactly the jobs it enqueued: ``worker.run()`` runs every ready job, then returns.
- ``make_due``: moves every READY job's ``run_after`` into the past (the next retry is due).
- ``periodic_entry``: registers a test periodic job for the duration of one test.
- ``plain_static_storage`` (autouse): pages render ``{% static %}`` without the manifest
  that collectstatic writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.background import sample_jobs

from accord.background.periodic import PeriodicJob, register_periodic, unregister_periodic
from accord.background.worker import Worker


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def worker(db: None) -> Worker:
    return Worker(batch=True, scheduler=False, worker_id="test-worker", heartbeat=0)


@pytest.fixture
def make_due(db: None) -> Callable[[], int]:
    def move() -> int:
        return DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
            run_after=timezone.now() - timedelta(seconds=1)
        )

    return move


@pytest.fixture
def periodic_entry() -> Iterator[PeriodicJob]:
    name = "tests.background.effect_every_minute"
    entry = register_periodic(
        name, sample_jobs.effect_once, every=timedelta(minutes=1), args=("periodic",)
    )
    yield entry
    unregister_periodic(name)
