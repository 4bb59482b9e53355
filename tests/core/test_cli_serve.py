"""accord serve: web server and job worker as a supervised pair (real processes)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.processes import accord_env, sqlite_pass_only

pytestmark = sqlite_pass_only
STARTUP_TIMEOUT = 90
STOP_TIMEOUT = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return state.exists() and state.read_text().split()[2] != "Z"


def serve_env(data_dir: Path) -> dict[str, str]:
    return accord_env(data_dir, ACCORD_WEB_WORKERS="1", ACCORD_WEB_THREADS="2")


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with static files collected once (serve would do it on first run)."""
    data = tmp_path_factory.mktemp("collected") / "data"
    subprocess.run(
        [sys.executable, "-m", "accord", "collectstatic", "--noinput", "-v0"],
        env=serve_env(data),
        check=True,
        timeout=300,
    )
    return data


@contextlib.contextmanager
def serve(tmp_path: Path, port: int, template: Path) -> Iterator[subprocess.Popen[str]]:
    # A fresh data directory without a database: serve must migrate it.
    shutil.copytree(template, tmp_path / "data")
    env = serve_env(tmp_path / "data")
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def wait_until_up(process: subprocess.Popen[str], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"serve exited early:\n{log.read_text()}"
        try:
            status, _body = get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
            continue
        if status == 200:
            return
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text()}")


def test_serve_runs_web_and_worker_and_stops_both_on_sigterm(tmp_path: Path, collected: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    assert not (collected / "accord.sqlite3").exists()
    with serve(tmp_path, port, collected) as process:
        wait_until_up(process, f"{base}/healthz", tmp_path / "serve.log")
        assert get(f"{base}/healthz") == (200, {"status": "ok"})
        assert get(f"{base}/readyz") == (
            200,
            {"status": "ok", "checks": {"database": "ok", "queue": "ok"}},
        )
        # The first run migrated the database in the data directory.
        assert (tmp_path / "data" / "accord.sqlite3").exists()

        children = children_of(process.pid)
        commands = sorted(command_line(pid) for pid in children)
        assert len(children) == 2, commands
        assert any(" accord web " in f" {c} " for c in commands), commands
        assert any("worker" in c for c in commands), commands

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_TIMEOUT) == 0
        for pid in children:
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not alive(pid), f"child {pid} ({command_line(pid)}) still running"
    log = (tmp_path / "serve.log").read_text()
    assert "Stopping Accord..." in log


def test_serve_stops_and_fails_when_the_web_server_dies(tmp_path: Path, collected: Path):
    port = free_port()
    with serve(tmp_path, port, collected) as process:
        wait_until_up(process, f"http://127.0.0.1:{port}/healthz", tmp_path / "serve.log")
        children = children_of(process.pid)
        web = next(pid for pid in children if " web " in command_line(pid))
        os.kill(web, signal.SIGKILL)
        assert process.wait(timeout=STOP_TIMEOUT) == 1
        for pid in children:
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not alive(pid)
    log = (tmp_path / "serve.log").read_text()
    assert "The web process stopped (exit code -9); stopping Accord." in log
