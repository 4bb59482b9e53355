"""Periodic jobs: a registry and the schedules that turn "now" into a slot time.

Declare one in an app's ``jobs.py`` (imported by every process at start-up)::

    @periodic(every="daily at 03:30")
    @job()
    def prune_sessions() -> None: ...

    @periodic(every=timedelta(minutes=5))
    @job(queue="mail")
    def mailbox_poll() -> None: ...

    register_periodic("digest.daily", digest_send, every="daily at 07:00", kwargs={...})

A schedule maps any instant to its *slot*: the latest scheduled time at or before that
instant. The scheduler in each worker enqueues a job for the current slot unless a
``PeriodicRun`` row for (name, slot) exists; slots are computed the same way on every
machine, so workers agree on them. After downtime only the latest slot is due: a missed job
runs once, not once per missed slot.

Schedules (``every=``):

- a ``timedelta`` or ``"every 5 minutes"`` / ``"every 2 hours"`` / ``"every 30 seconds"``:
  slots at whole multiples of the interval since 2000-01-01 00:00 UTC;
- ``"hourly at :15"``; ``"daily at 03:30"``; ``"weekly on monday at 08:00"``: wall-clock
  times in ``ACCORD_TIME_ZONE`` (``settings.TIME_ZONE``).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.tasks import Task
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord.background.tasks import job

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Schedule(Protocol):
    def last_slot(self, now: datetime) -> datetime:
        """The latest scheduled instant at or before ``now`` (aware, UTC)."""
        ...

    def next_slot(self, now: datetime) -> datetime:
        """The first scheduled instant after ``now`` (aware, UTC)."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Interval:
    """Every ``every``, at whole multiples since 2000-01-01 UTC, shifted by ``offset``."""

    every: timedelta
    offset: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.every < timedelta(seconds=1):
            raise ValueError("a periodic interval must be at least one second")
        if not timedelta(0) <= self.offset < self.every:
            raise ValueError("the offset of a periodic interval must be shorter than it")

    def last_slot(self, now: datetime) -> datetime:
        origin = EPOCH + self.offset
        count = (now - origin) // self.every
        return (origin + count * self.every).astimezone(UTC)

    def next_slot(self, now: datetime) -> datetime:
        return self.last_slot(now) + self.every

    def describe(self) -> str:
        if self.every == timedelta(hours=1) and self.offset:
            return _("hourly at :%(minute)02d") % {"minute": self.offset.seconds // 60}
        return _("every %(duration)s") % {"duration": describe_duration(self.every)}


@dataclass(frozen=True)
class WallClock:
    """Daily (or weekly on ``weekday``, 0 = Monday) at ``at`` in a time zone."""

    at: time
    weekday: int | None = None
    time_zone: str = ""  # empty: settings.TIME_ZONE

    def _zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self._zone()).astimezone(UTC)

    def last_slot(self, now: datetime) -> datetime:
        day = now.astimezone(self._zone()).date()
        if self.weekday is not None:
            day -= timedelta(days=(day.weekday() - self.weekday) % 7)
        step = timedelta(days=1 if self.weekday is None else 7)
        while self._at(day) > now:
            day -= step
        return self._at(day)

    def next_slot(self, now: datetime) -> datetime:
        day = self.last_slot(now).astimezone(self._zone()).date()
        step = timedelta(days=1 if self.weekday is None else 7)
        while self._at(day) <= now:
            day += step
        return self._at(day)

    def describe(self) -> str:
        clock = self.at.strftime("%H:%M")
        if self.weekday is None:
            return _("daily at %(time)s") % {"time": clock}
        return _("weekly on %(weekday)s at %(time)s") % {
            "weekday": WEEKDAYS[self.weekday],
            "time": clock,
        }


def describe_duration(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit_seconds, singular, plural in (
        (86400, "%(count)d day", "%(count)d days"),
        (3600, "%(count)d hour", "%(count)d hours"),
        (60, "%(count)d minute", "%(count)d minutes"),
    ):
        if seconds % unit_seconds == 0:
            count = seconds // unit_seconds
            return ngettext(singular, plural, count) % {"count": count}
    return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}


_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_EVERY = re.compile(r"^every\s+(?:(\d+)\s+)?(second|minute|hour|day)s?$")
_HOURLY = re.compile(r"^hourly(?:\s+at\s+:?(\d{1,2}))?$")
_DAILY = re.compile(r"^daily(?:\s+at\s+(\d{1,2}):(\d{2}))?$")
_WEEKLY = re.compile(r"^weekly\s+on\s+([a-z]+)(?:\s+at\s+(\d{1,2}):(\d{2}))?$")


def _clock(hour: str | None, minute: str | None, text: str) -> time:
    try:
        return time(int(hour or 0), int(minute or 0))
    except ValueError as exc:
        raise ValueError(f"{text!r}: not a time of day") from exc


def parse_schedule(every: timedelta | str | Schedule) -> Schedule:
    """A schedule from a timedelta, a phrase (see the module docstring) or a Schedule."""
    if isinstance(every, timedelta):
        return Interval(every)
    if not isinstance(every, str):
        return every
    text = " ".join(every.lower().split())
    if match := _EVERY.match(text):
        count = int(match.group(1) or 1)
        return Interval(timedelta(seconds=count * _UNITS[match.group(2)]))
    if match := _HOURLY.match(text):
        minute = int(match.group(1) or 0)
        if minute > 59:
            raise ValueError(f"{every!r}: the minute must be 0 to 59")
        return Interval(timedelta(hours=1), offset=timedelta(minutes=minute))
    if match := _DAILY.match(text):
        return WallClock(_clock(match.group(1), match.group(2), every))
    if match := _WEEKLY.match(text):
        name = match.group(1)
        matches = [index for index, day in enumerate(WEEKDAYS) if day.startswith(name[:3])]
        if len(name) < 3 or len(matches) != 1:
            raise ValueError(f"{every!r}: {name!r} is not a day of the week")
        return WallClock(_clock(match.group(2), match.group(3), every), weekday=matches[0])
    raise ValueError(
        f"{every!r}: expected a timedelta, 'every N minutes|hours|seconds|days', "
        "'hourly at :MM', 'daily at HH:MM' or 'weekly on DAY at HH:MM'"
    )


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    schedule: Schedule
    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


_registry: dict[str, PeriodicJob] = {}


def register_periodic(
    name: str,
    task: Task[Any, Any],
    *,
    every: timedelta | str | Schedule,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
) -> PeriodicJob:
    """Run ``task(*args, **kwargs)`` on a schedule. ``name`` identifies its runs: keep it."""
    if not name or len(name) > 200:
        raise ValueError("a periodic job's name is 1 to 200 characters")
    entry = PeriodicJob(
        name=name,
        task=task,
        schedule=parse_schedule(every),
        args=tuple(args),
        kwargs=dict(kwargs or {}),
    )
    existing = _registry.get(name)
    if existing is not None and existing.task.module_path != task.module_path:
        raise ValueError(f"periodic job {name!r} is already registered for another task")
    _registry[name] = entry
    return entry


def periodic[**P, R](
    *, every: timedelta | str | Schedule, name: str = ""
) -> Callable[[Task[P, R] | Callable[P, R]], Task[P, R]]:
    """Decorator form of ``register_periodic`` for a job that takes no arguments.

    Put it above ``@job(...)``; on a bare function it applies ``@job()`` first. The name
    defaults to the task's dotted path.
    """

    def decorate(target: Task[P, R] | Callable[P, R]) -> Task[P, R]:
        declared: Task[P, R] = target if isinstance(target, Task) else job(target)
        register_periodic(name or declared.module_path, declared, every=every)
        return declared

    return decorate


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered periodic job, by name."""
    return [_registry[name] for name in sorted(_registry)]


def unregister_periodic(name: str) -> None:
    """Forget a periodic job (tests)."""
    _registry.pop(name, None)
