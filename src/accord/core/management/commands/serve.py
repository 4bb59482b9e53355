"""accord serve: web server and one job worker, supervised together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from accord.core.management.commands.web import add_server_arguments

# Seconds a child gets to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 25.0
POLL_INTERVAL = 0.2


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None


def _die_with_parent() -> None:
    """In the child: get SIGTERM if `accord serve` dies without stopping us (Linux only)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = (
        "Run Accord: migrate the database (a no-op when it is current), then start the web "
        "server (gunicorn) and one job worker as a supervised pair. Ctrl-C or SIGTERM stops "
        "both cleanly; if either stops on its own, the other is stopped too and serve exits "
        "with an error. For several app servers and workers use `accord web` and "
        "`accord worker` instead."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start the web server only (jobs then wait until a worker runs).",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not run `accord migrate` before starting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(display_num_errors=False)
        verbosity = options["verbosity"]
        if not options["no_migrate"]:
            self.migrate(verbosity)
        self.ensure_static_files(verbosity)
        connections.close_all()

        children = [Child("web", self.web_argv(options))]
        if not options["no_worker"]:
            children.append(Child("worker", self.worker_argv()))
        code = self.supervise(children, options)
        if code != 0:
            raise SystemExit(code)

    def migrate(self, verbosity: int) -> None:
        """Apply pending migrations (first run, upgrades); quiet when there are none."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self.stdout.write(f"Applying {len(plan)} database migrations...")
        call_command("migrate", interactive=False, verbosity=0 if verbosity < 2 else verbosity)

    def ensure_static_files(self, verbosity: int) -> None:
        """Collect static files when the manifest is missing (e.g. installed without make)."""
        if settings.DEBUG:
            return
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            self.stdout.write("Collecting static files (first run)...")
            call_command("collectstatic", interactive=False, verbosity=0)

    def web_argv(self, options: dict[str, Any]) -> list[str]:
        argv = [sys.executable, "-m", "accord", "web"]
        for name in ("host", "port", "workers", "threads", "timeout"):
            argv += [f"--{name}", str(options[name])]
        return argv

    def worker_argv(self) -> list[str]:
        if "worker" in get_commands():
            return [sys.executable, "-m", "accord", "worker"]
        # Until accord.background provides `accord worker`, django-tasks-db's worker runs jobs.
        self.stderr.write(
            "`accord worker` is not available; running django-tasks-db's db_worker instead."
        )
        return [sys.executable, "-m", "accord", "db_worker", "--queue-name", "*"]

    def supervise(self, children: list[Child], options: dict[str, Any]) -> int:
        stop_requested: list[int] = []

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop_requested.append(signum)

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for child in children:
                # Own process group: Ctrl-C reaches only serve, which stops the children
                # gracefully with SIGTERM.
                child.process = subprocess.Popen(
                    child.argv, process_group=0, preexec_fn=_die_with_parent
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Accord is running at http://{options['host']}:{options['port']}/ "
                    f"(web pid {children[0].process.pid if children[0].process else '?'}"
                    + (
                        f", worker pid {children[1].process.pid})"
                        if len(children) > 1 and children[1].process
                        else ")"
                    )
                    + ". Press Ctrl-C to stop."
                )
            )
            exit_code = 0
            while not stop_requested:
                died = [c for c in children if c.process and c.process.poll() is not None]
                if died:
                    for child in died:
                        assert child.process is not None
                        self.stderr.write(
                            f"The {child.name} process stopped "
                            f"(exit code {child.process.returncode}); stopping Accord."
                        )
                    exit_code = 1
                    break
                time.sleep(POLL_INTERVAL)
            else:
                self.stdout.write("Stopping Accord...")
            self.stop(children)
            return exit_code
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self, children: list[Child]) -> None:
        running = [c for c in children if c.process and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {child.name} process did not stop in time; killing it.")
                child.process.kill()
                child.process.wait()
