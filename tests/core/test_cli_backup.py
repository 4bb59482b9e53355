"""accord backup / accord restore on SQLite.

The end-to-end test runs the real `accord` command in subprocesses against a SQLite file in a
temporary data directory, while this process keeps its own connection to that file open.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from tests.processes import run_accord, sqlite_pass_only

from accord.core.management import backups

pytestmark = sqlite_pass_only


def accord(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    completed = run_accord(data_dir, *args)
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated database, made once per module."""
    data = tmp_path_factory.mktemp("migrated") / "data"
    accord(data, "migrate", "-v0")
    return data


@pytest.fixture
def data(migrated: Path, tmp_path: Path) -> Path:
    """A fresh copy of the migrated data directory."""
    copy = tmp_path / "data"
    shutil.copytree(migrated, copy)
    return copy


def test_backup_and_restore_round_trip_while_a_connection_is_open(tmp_path: Path, data: Path):
    database = data / "accord.sqlite3"
    (data / "files" / "documents").mkdir(parents=True)
    (data / "files" / "documents" / "offer.txt").write_text("offer v1")

    # A connection that stays open throughout, as a running server's would, and writes.
    held = sqlite3.connect(database, timeout=20, isolation_level=None)
    held.execute("PRAGMA journal_mode=WAL")
    held.execute("CREATE TABLE roundtrip (value TEXT)")
    held.execute("INSERT INTO roundtrip VALUES ('kept')")

    archive = tmp_path / "nightly.tar.gz"
    out = accord(data, "backup", "-o", str(archive)).stdout
    assert f"Backup written to {archive}" in out
    assert "1 uploaded files" in out
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == [
            "accord.sqlite3",
            "files/documents/offer.txt",
            "manifest.json",
            "secret_key",
        ]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # Changes after the backup...
    held.execute("INSERT INTO roundtrip VALUES ('lost')")
    (data / "files" / "documents" / "offer.txt").write_text("offer v2")

    # ...are undone by the restore.
    out = accord(data, "restore", str(archive), "--yes").stdout
    assert "integrity check ok" in out
    assert "Restore complete" in out
    assert (data / "files" / "documents" / "offer.txt").read_text() == "offer v1"
    # The open connection sees the restored data, and the file is sound and still in WAL mode.
    assert held.execute("SELECT value FROM roundtrip").fetchall() == [("kept",)]
    assert held.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert held.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert held.execute("SELECT count(*) FROM accounts_role").fetchone()[0] == 6
    held.close()
    # The database before the restore was kept.
    saved = list((data / "backups").glob("before-restore-*.sqlite3"))
    assert len(saved) == 1
    with sqlite3.connect(saved[0]) as db:
        assert db.execute("SELECT value FROM roundtrip").fetchall() == [("kept",), ("lost",)]


def test_restore_needs_yes_and_changes_nothing_without_it(db: None, tmp_path: Path):
    backup = tmp_path / "backup.tar.gz"
    backup.write_bytes(b"not even read")
    with pytest.raises(CommandError) as error:
        call_command("restore", str(backup))
    assert "Stop the Accord server and workers first, then run again with --yes" in str(error.value)


def test_backup_default_location_and_pruning(data: Path):
    old = data / "backups" / "accord-20000101-000000.tar.gz"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    os.utime(old, (946684800, 946684800))
    out = accord(data, "backup", "--keep", "1").stdout
    written = sorted((data / "backups").glob("accord-*.tar.gz"))
    assert len(written) == 1
    assert written[0] != old
    assert f"Backup written to {written[0]}" in out
    assert "Removed 1 older backups (kept 1)." in out


def test_database_only_backup_to_a_sqlite_file(tmp_path: Path, data: Path):
    target = tmp_path / "copy.sqlite3"
    accord(data, "backup", "--output", str(target))
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM accounts_role").fetchone()[0] == 6


def test_restore_refuses_a_corrupt_or_foreign_file(tmp_path: Path):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(backups.BackupError, match="not a SQLite database"):
        backups.check_backup_database(garbage, garbage)

    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(backups.BackupError, match="not an Accord database"):
        backups.check_backup_database(foreign, foreign)

    with pytest.raises(backups.BackupError, match="no such file"):
        backups.unpack_backup(tmp_path / "missing.tar.gz", tmp_path)

    fake_archive = tmp_path / "fake.tar.gz"
    with tarfile.open(fake_archive, "w:gz") as tar:
        tar.add(foreign, "something-else.sqlite3")
    with pytest.raises(backups.BackupError, match=r"not an Accord backup \(no accord.sqlite3"):
        backups.unpack_backup(fake_archive, tmp_path / "work")


def test_restore_in_process_rejects_a_missing_file(db: None, tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match=r"missing\.tar\.gz: no such file"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")
