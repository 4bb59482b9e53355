"""Schedules, the periodic registry and the scheduler that enqueues each slot once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accord.background.models import PeriodicRun
from accord.background.periodic import (
    Interval,
    PeriodicJob,
    WallClock,
    parse_schedule,
    periodic_jobs,
)
from accord.background.scheduler import claim_and_enqueue, due_runs, schedule_due


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- schedules --------------------------------------------------------------------------------


def test_an_interval_slots_at_whole_multiples_since_the_epoch() -> None:
    every_five = Interval(timedelta(minutes=5))

    assert every_five.last_slot(utc(2026, 3, 4, 10, 7, 31)) == utc(2026, 3, 4, 10, 5)
    assert every_five.last_slot(utc(2026, 3, 4, 10, 5)) == utc(2026, 3, 4, 10, 5)
    assert every_five.next_slot(utc(2026, 3, 4, 10, 7, 31)) == utc(2026, 3, 4, 10, 10)


def test_an_interval_with_an_offset() -> None:
    hourly_at_15 = parse_schedule("hourly at :15")

    assert hourly_at_15 == Interval(timedelta(hours=1), offset=timedelta(minutes=15))
    assert hourly_at_15.last_slot(utc(2026, 3, 4, 10, 14)) == utc(2026, 3, 4, 9, 15)
    assert hourly_at_15.next_slot(utc(2026, 3, 4, 10, 14)) == utc(2026, 3, 4, 10, 15)


def test_daily_slots_are_wall_clock_times_in_the_configured_time_zone(settings) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    daily = parse_schedule("daily at 03:30")

    assert daily == WallClock(time(3, 30))
    # 2026-07-01 is summer time in Berlin (UTC+2): 03:30 local is 01:30 UTC.
    assert daily.last_slot(utc(2026, 7, 1, 1, 29)) == utc(2026, 6, 30, 1, 30)
    assert daily.last_slot(utc(2026, 7, 1, 1, 30)) == utc(2026, 7, 1, 1, 30)
    assert daily.next_slot(utc(2026, 7, 1, 1, 30)) == utc(2026, 7, 2, 1, 30)
    # In winter (UTC+1) the same wall-clock time is 02:30 UTC.
    assert daily.last_slot(utc(2026, 1, 15, 12, 0)) == utc(2026, 1, 15, 2, 30)


def test_weekly_slots(settings) -> None:
    settings.TIME_ZONE = "UTC"
    weekly = parse_schedule("weekly on monday at 08:00")

    assert weekly == WallClock(time(8, 0), weekday=0)
    # 2026-03-04 is a Wednesday.
    assert weekly.last_slot(utc(2026, 3, 4, 12, 0)) == utc(2026, 3, 2, 8, 0)
    assert weekly.next_slot(utc(2026, 3, 4, 12, 0)) == utc(2026, 3, 9, 8, 0)
    assert weekly.last_slot(utc(2026, 3, 2, 7, 59)) == utc(2026, 2, 23, 8, 0)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("every 5 minutes", Interval(timedelta(minutes=5))),
        ("every minute", Interval(timedelta(minutes=1))),
        ("Every 2  Hours", Interval(timedelta(hours=2))),
        ("every 30 seconds", Interval(timedelta(seconds=30))),
        ("every day", Interval(timedelta(days=1))),
        ("daily", WallClock(time(0, 0))),
        ("weekly on fri at 17:45", WallClock(time(17, 45), weekday=4)),
    ],
)
def test_schedule_phrases(phrase: str, expected: object) -> None:
    assert parse_schedule(phrase) == expected


@pytest.mark.parametrize(
    "phrase",
    ["sometimes", "daily at 25:00", "hourly at :75", "weekly on someday", "every 0 minutes"],
)
def test_bad_schedule_phrases_are_refused(phrase: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_schedule(phrase)


def test_the_housekeeping_job_is_registered() -> None:
    names = {entry.name: entry for entry in periodic_jobs()}

    prune = names["background.jobs_prune"]
    assert prune.task.module_path == "accord.background.jobs.jobs_prune"
    assert prune.schedule == WallClock(time(3, 30))


# --- the scheduler ------------------------------------------------------------------------------


def _jobs_of(entry: PeriodicJob) -> int:
    return DBTaskResult.objects.filter(task_path=entry.task.module_path).count()


@pytest.mark.django_db
def test_two_schedulers_racing_for_the_same_slot_enqueue_one_job(
    periodic_entry: PeriodicJob,
) -> None:
    now = utc(2026, 3, 4, 10, 7, 31)
    # Both schedulers look before either has written anything: both see the slot as due.
    seen_by_first = {entry.name: slot for entry, slot in due_runs(now)}
    seen_by_second = {entry.name: slot for entry, slot in due_runs(now)}
    slot = utc(2026, 3, 4, 10, 7)
    assert seen_by_first[periodic_entry.name] == seen_by_second[periodic_entry.name] == slot

    assert claim_and_enqueue(periodic_entry, slot) is True
    assert claim_and_enqueue(periodic_entry, slot) is False

    runs = PeriodicRun.objects.filter(name=periodic_entry.name)
    assert [run.slot for run in runs] == [slot]
    assert _jobs_of(periodic_entry) == 1
    job = DBTaskResult.objects.get(task_path=periodic_entry.task.module_path)
    assert runs.get().task_result_id == job.id
    assert job.args_kwargs == {"args": ["periodic"], "kwargs": {}}
    # Later rounds within the same minute find nothing to do.
    assert periodic_entry.name not in schedule_due(utc(2026, 3, 4, 10, 7, 59))
    assert _jobs_of(periodic_entry) == 1


@pytest.mark.django_db
def test_after_downtime_a_missed_periodic_job_runs_once_not_once_per_missed_slot(
    periodic_entry: PeriodicJob,
) -> None:
    PeriodicRun.objects.create(name=periodic_entry.name, slot=utc(2026, 3, 4, 10, 0))

    # Down for an hour: 60 slots were missed.
    enqueued = schedule_due(utc(2026, 3, 4, 11, 0, 30))

    assert periodic_entry.name in enqueued
    slots = sorted(
        PeriodicRun.objects.filter(name=periodic_entry.name).values_list("slot", flat=True)
    )
    assert slots == [utc(2026, 3, 4, 10, 0), utc(2026, 3, 4, 11, 0)]
    assert _jobs_of(periodic_entry) == 1


@pytest.mark.django_db(transaction=True)
def test_schedulers_in_two_threads_racing_on_postgresql_enqueue_one_job(
    periodic_entry: PeriodicJob,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared by threads")
    slot = utc(2026, 3, 4, 10, 7)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[bool] = []

    def scheduler() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(claim_and_enqueue(periodic_entry, slot))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == [False, True]
    assert PeriodicRun.objects.filter(name=periodic_entry.name).count() == 1
    assert _jobs_of(periodic_entry) == 1
