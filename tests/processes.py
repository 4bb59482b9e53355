"""Running the real `accord` command in subprocesses from tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Subprocess tests that use their own SQLite data directory test nothing engine-specific:
# run them in the SQLite pass of `make test` only, not again in the PostgreSQL pass.
sqlite_pass_only = pytest.mark.skipif(
    os.environ.get("ACCORD_TEST_DATABASE_URL", "") != "",
    reason="runs its own SQLite processes: exercised in the SQLite pass of the suite",
)


def accord_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for an `accord` subprocess using ``data_dir`` and production settings.

    Drops every ACCORD_* and DJANGO_* variable of the test process (test settings, a
    developer's configuration, DJANGO_ALLOW_ASYNC_UNSAFE set for Playwright), so the child
    sees only what the test sets.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="accord.settings", ACCORD_DATA_DIR=str(data_dir), **extra)
    return env


def run_accord(
    data_dir: Path, *args: str, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run `accord ARGS...` to completion and return the result (not checked)."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        env=accord_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
