"""accord web: the web server alone."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from accord.core.management.server import AccordServer, ServerOptions


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


def port_number(value: str) -> int:
    number = positive_int(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a TCP port (1-65535)")
    return number


def add_server_arguments(parser: CommandParser) -> None:
    """Options shared by `accord web` and `accord serve`."""
    parser.add_argument(
        "--host",
        default=settings.ACCORD_HOST,
        help="Address to listen on (default: %(default)s, from ACCORD_HOST). "
        "Use 0.0.0.0 to accept connections from other machines.",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=settings.ACCORD_PORT,
        help="TCP port (default: %(default)s, from ACCORD_PORT).",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=settings.ACCORD_WEB_WORKERS,
        help="Web server processes (default: %(default)s, from ACCORD_WEB_WORKERS).",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=settings.ACCORD_WEB_THREADS,
        help="Threads per process (default: %(default)s, from ACCORD_WEB_THREADS).",
    )
    parser.add_argument(
        "--timeout",
        type=positive_int,
        default=settings.ACCORD_WEB_TIMEOUT,
        help="Seconds a request may take before its process is restarted "
        "(default: %(default)s, from ACCORD_WEB_TIMEOUT).",
    )


def server_options(options: dict[str, Any]) -> ServerOptions:
    return ServerOptions(
        host=options["host"],
        port=options["port"],
        workers=options["workers"],
        threads=options["threads"],
        timeout=options["timeout"],
        reload=options.get("reload", False),
    )


class Command(BaseCommand):
    help = (
        "Run Accord's web server alone (gunicorn serving accord.wsgi), without a job worker. "
        "Run several behind a reverse proxy, with `accord worker` processes beside them. "
        "It does not migrate: run `accord migrate` once per upgrade. "
        "SIGTERM or Ctrl-C stops it gracefully; SIGHUP reloads the workers."
    )
    requires_system_checks = []  # checked once below, not by every forked worker

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart the workers when code changes (development only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(display_num_errors=False)
        # Forked workers must open their own database connections.
        connections.close_all()
        AccordServer(server_options(options)).run()
