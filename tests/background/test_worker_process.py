"""Real ``accord worker`` processes against a scratch database of their own.

The scenario of issues 6 and 8 in small: a worker runs a job; a worker is killed (SIGKILL)
in the middle of a long job; two other workers start, one of them re-runs the lost job after
the worker timeout, and its effect happens exactly once; a batch of jobs spread over two
workers runs each job once; the daily periodic job is enqueued once although three workers
ran the scheduler; SIGTERM stops a worker cleanly.

The database is a fresh SQLite file, and also a fresh PostgreSQL database when
``ACCORD_TEST_DATABASE_URL`` is set (created and dropped here). The test process reads it
with plain SQL and enqueues through ``accord shell``; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCORD = str(Path(sys.executable).with_name("accord"))
JOBS = "tests.background.sample_jobs"
TASKS_TABLE = "django_tasks_database_dbtaskresult"


@dataclass
class Scratch:
    """A migrated scratch database and the environment that points ``accord`` at it."""

    engine: str
    env: dict[str, str]
    sqlite_path: Path | None = None
    postgres_url: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.postgres_url, autocommit=True) as db:
            return db.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def enqueue(self, code: str) -> None:
        """Run Python in a configured Django process (``accord shell -c``)."""
        subprocess.run(
            [ACCORD, "shell", "-v", "0", "-c", f"from {JOBS} import *; {code}"],
            env=self.env,
            cwd=REPO,
            check=True,
            timeout=120,
            capture_output=True,
        )

    def start_worker(self, worker_id: str, log_dir: Path) -> subprocess.Popen[bytes]:
        log = (log_dir / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(
            [ACCORD, "worker", "--interval", "0.2", "--worker-id", worker_id],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def jobs(self, task: str) -> list[tuple[str, list[str], dict[str, Any]]]:
        """(status, worker_ids, args_kwargs) of every job of ``task``, oldest first."""
        rows = self.query(
            f"SELECT status, worker_ids, args_kwargs FROM {TASKS_TABLE} "  # noqa: S608
            "WHERE task_path = %s ORDER BY enqueued_at",
            f"{JOBS}.{task}",
        )
        return [(status, _json(workers), _json(args)) for status, workers, args in rows]

    def keys(self, prefix: str) -> list[str]:
        rows = self.query(
            "SELECT key FROM background_idempotencykey WHERE key LIKE %s ORDER BY key",
            f"{prefix}%",
        )
        return [row[0] for row in rows]

    def starts(self, label: str) -> list[str]:
        """The attempt numbers of each start of ``slow_effect_once(label)``."""
        return [key.split(":")[2] for key in self.keys(f"started:{label}:")]

    def heartbeats(self) -> list[str]:
        rows = self.query("SELECT worker_id FROM background_workerheartbeat ORDER BY worker_id")
        return [row[0] for row in rows]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _base_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
    env.update(
        DJANGO_SETTINGS_MODULE="accord.settings",
        PYTHONPATH=str(REPO),
        ACCORD_DATA_DIR=str(data_dir),
        ACCORD_SECRET_KEY="background-process-test",
        ACCORD_WORKER_HEARTBEAT_SECONDS="1",
        ACCORD_WORKER_TIMEOUT_SECONDS="3",
        ACCORD_LOG_LEVEL="INFO",
    )
    return env


def _engines() -> list[Any]:
    postgres = pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not os.environ.get("ACCORD_TEST_DATABASE_URL", "").startswith("postgres"),
            reason="ACCORD_TEST_DATABASE_URL is not a PostgreSQL URL",
        ),
    )
    return ["sqlite", postgres]


@pytest.fixture(params=_engines())
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scratch]:
    env = _base_env(tmp_path)
    drop: Callable[[], None] | None = None
    if request.param == "sqlite":
        box = Scratch(engine="sqlite", env=env, sqlite_path=tmp_path / "accord.sqlite3")
    else:
        import psycopg

        parts = urlsplit(os.environ["ACCORD_TEST_DATABASE_URL"])
        name = f"accord_bg_{uuid.uuid4().hex[:12]}"
        server_url = urlunsplit(parts._replace(path="/postgres"))  # the maintenance database
        database_url = urlunsplit(parts._replace(path=f"/{name}"))
        with psycopg.connect(server_url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')

        def drop_database() -> None:
            with psycopg.connect(server_url, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        drop = drop_database
        env["ACCORD_DATABASE_URL"] = database_url
        box = Scratch(engine="postgres", env=env, postgres_url=database_url)
    try:
        subprocess.run(
            [ACCORD, "migrate", "-v", "0"],
            env=env,
            cwd=REPO,
            check=True,
            timeout=300,
            capture_output=True,
        )
        yield box
    finally:
        for process in box.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        if drop is not None:
            drop()


def test_workers_run_each_job_once_and_pick_up_a_killed_workers_job(
    scratch: Scratch, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()

    # A worker runs a job.
    first = scratch.start_worker("worker-a", logs)
    wait_until(lambda: "worker-a" in scratch.heartbeats(), timeout=60, what="worker-a")
    scratch.enqueue("effect_once.enqueue('quick')")
    wait_until(
        lambda: [job[0] for job in scratch.jobs("effect_once")] == ["SUCCESSFUL"],
        timeout=60,
        what="the quick job",
    )
    assert scratch.keys("effect:quick:") != []

    # It is killed in the middle of a long job.
    scratch.enqueue("slow_effect_once.enqueue('slow', 300)")
    wait_until(lambda: scratch.starts("slow") == ["1"], timeout=60, what="the slow job")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert scratch.jobs("slow_effect_once")[0][:2] == ("RUNNING", ["worker-a"])

    # Two other workers start; after the worker timeout one of them re-runs the job.
    second = scratch.start_worker("worker-b", logs)
    third = scratch.start_worker("worker-c", logs)
    wait_until(
        lambda: [job[0] for job in scratch.jobs("slow_effect_once")] == ["SUCCESSFUL"],
        timeout=90,
        what="the lost job to be re-run",
    )
    ((_, workers, _),) = scratch.jobs("slow_effect_once")
    assert workers[0] == "worker-a"
    assert workers[1] in {"worker-b", "worker-c"}
    assert len(workers) == 2
    assert scratch.starts("slow") == ["1", "2"]
    assert len(scratch.keys("effect:slow:")) == 1

    # The same job enqueued again runs, but its effect is not repeated.
    scratch.enqueue("slow_effect_once.enqueue('slow', 0)")
    wait_until(
        lambda: [job[0] for job in scratch.jobs("slow_effect_once")] == ["SUCCESSFUL"] * 2,
        timeout=60,
        what="the repeated job",
    )
    assert len(scratch.keys("effect:slow:")) == 1

    # A batch spread over the two workers: every job runs once, on one worker.
    scratch.enqueue("[effect_once.enqueue(f'batch-{n}') for n in range(12)]")
    wait_until(
        lambda: [job[0] for job in scratch.jobs("effect_once")] == ["SUCCESSFUL"] * 13,
        timeout=90,
        what="the batch",
    )
    for status, workers, _ in scratch.jobs("effect_once")[1:]:
        assert status == "SUCCESSFUL"
        assert len(workers) == 1
        assert workers[0] in {"worker-b", "worker-c"}
    for n in range(12):
        assert len(scratch.keys(f"effect:batch-{n}:")) == 1

    # Three workers ran the scheduler; the daily housekeeping job was enqueued once.
    runs = scratch.query(
        "SELECT COUNT(*) FROM background_periodicrun WHERE name = %s", "background.jobs_prune"
    )
    prune_jobs = scratch.query(
        f"SELECT COUNT(*) FROM {TASKS_TABLE} WHERE task_path = %s",  # noqa: S608
        "accord.background.jobs.jobs_prune",
    )
    assert (runs[0][0], prune_jobs[0][0]) == (1, 1)

    # SIGTERM stops a worker cleanly and removes its heartbeat.
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=30) == 0
    assert scratch.heartbeats() == ["worker-a"]  # the killed one; pruned after a day
