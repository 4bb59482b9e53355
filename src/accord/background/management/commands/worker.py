"""``accord worker``: run background jobs, periodic jobs and the reaper."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.background.worker import Worker, heartbeat_seconds, worker_timeout

logger = logging.getLogger("accord.background.worker")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from exc
    if not math.isfinite(number) or number < 0:
        raise argparse.ArgumentTypeError("expected zero or more seconds")
    return number


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from exc
    if number < 1:
        raise argparse.ArgumentTypeError("expected 1 or more")
    return number


def _worker_id(value: str) -> str:
    if not value or len(value) > 64:
        raise argparse.ArgumentTypeError("a worker id is 1 to 64 characters")
    return value


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue. Also keeps a heartbeat for this worker, "
        "enqueues periodic jobs when they are due (once per run, however many workers run) "
        "and re-queues jobs left running by a worker that stopped sending heartbeats. "
        "Run as many workers as you like, on one or several machines (with PostgreSQL). "
        "SIGTERM or Ctrl-C: finish the current job, then stop; a second one stops at once "
        "and puts the interrupted job back in the queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        queues = ", ".join(settings.TASKS["default"].get("QUEUES", []))
        parser.add_argument(
            "--queue",
            action="append",
            default=[],
            metavar="NAME",
            help=(
                f"process only this queue; repeat or separate with commas for several "
                f"(known queues: {queues}; default: all)"
            ),
        )
        parser.add_argument(
            "--interval",
            type=_seconds,
            default=1.0,
            metavar="SECONDS",
            help="wait between polls of an empty queue (default: %(default)s)",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=(
                "run one round of the scheduler and reaper, then every job that is ready, "
                "then exit (for scripts and tests)"
            ),
        )
        parser.add_argument(
            "--max-tasks",
            type=_positive,
            default=None,
            metavar="N",
            help="exit after running N jobs (a supervisor starts a fresh process)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not enqueue periodic jobs from this worker (others still do)",
        )
        parser.add_argument(
            "--worker-id",
            type=_worker_id,
            default=None,
            help="a unique name for this worker (default: host-pid-random)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [
            name.strip() for value in options["queue"] for name in value.split(",") if name.strip()
        ]
        known = set(settings.TASKS["default"].get("QUEUES", []))
        unknown = sorted(set(queues) - known - {"*"})
        if unknown:
            raise CommandError(
                f"unknown queue(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        if options["verbosity"] >= 2:
            logging.getLogger("accord.background").setLevel(logging.DEBUG)
        worker = Worker(
            queues=queues,
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or "",
            scheduler=not options["no_scheduler"],
        )
        logger.info(
            "heartbeat every %.1fs; workers silent for %.0fs are considered lost",
            heartbeat_seconds(),
            worker_timeout().total_seconds(),
        )
        worker.install_signal_handlers()
        try:
            worker.run()
        except KeyboardInterrupt:
            sys.exit(1)
