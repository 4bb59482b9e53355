"""Backups of an Accord installation (``accord backup`` / ``accord restore``).

A backup archive (``.tar.gz``) holds:

- ``accord.sqlite3``: a consistent copy of the SQLite database, taken with SQLite's online
  backup API while the server keeps running (readers and writers are not stopped);
- ``files/``: the uploaded files (``$ACCORD_DATA_DIR/files``);
- ``secret_key``: the generated secret key, when the data directory has one;
- ``manifest.json``: format version, Accord version, creation time.

A backup written to a ``.sqlite3`` (or ``.db``) file holds the database alone.

Restoring copies the backup *into* the live database file with the same backup API, so it
is safe against open connections and WAL files; the previous database is saved first.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import accord

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
DATABASE_MEMBER = "accord.sqlite3"
FILES_MEMBER = "files"
SECRET_KEY_MEMBER = "secret_key"  # noqa: S105 - a file name
MANIFEST_MEMBER = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def timestamp() -> str:
    return datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d-%H%M%S")


def is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """The rows of ``PRAGMA integrity_check`` other than "ok" (empty when the file is sound)."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def copy_database(source: sqlite3.Connection, destination: Path) -> None:
    """A consistent copy of ``source`` in a new self-contained file ``destination``."""
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy
        problems = integrity_problems(target)
    finally:
        target.close()
    if problems:
        raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:5])}")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database_bytes: int
    files: int


def write_backup(
    source: sqlite3.Connection,
    output: Path,
    *,
    files_dir: Path | None,
    secret_key_file: Path | None,
) -> BackupResult:
    """Write a backup of ``source`` (and ``files_dir``) to ``output``, atomically."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".accord-backup-", dir=output.parent) as work:
        database_copy = Path(work) / DATABASE_MEMBER
        copy_database(source, database_copy)
        database_bytes = database_copy.stat().st_size
        partial = Path(work) / "partial"
        file_count = 0
        if is_archive(output):
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(database_copy, DATABASE_MEMBER)
                if files_dir is not None and files_dir.is_dir():
                    for path in sorted(files_dir.rglob("*")):
                        if path.is_file():
                            archive.add(path, f"{FILES_MEMBER}/{path.relative_to(files_dir)}")
                            file_count += 1
                if secret_key_file is not None and secret_key_file.is_file():
                    archive.add(secret_key_file, SECRET_KEY_MEMBER)
                manifest = json.dumps(
                    {
                        "format": FORMAT_VERSION,
                        "accord_version": accord.__version__,
                        "created_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
                        "database": "sqlite",
                        "files": file_count,
                    },
                    indent=2,
                ).encode()
                info = tarfile.TarInfo(MANIFEST_MEMBER)
                info.size = len(manifest)
                info.mtime = int(datetime.datetime.now(tz=datetime.UTC).timestamp())
                archive.addfile(info, io.BytesIO(manifest))
        else:
            shutil.copyfile(database_copy, partial)
        os.chmod(partial, 0o600)  # the backup holds every record and password hash
        os.replace(partial, output)
    return BackupResult(path=output, database_bytes=database_bytes, files=file_count)


@dataclass(frozen=True)
class UnpackedBackup:
    database: Path
    files_dir: Path | None
    secret_key: Path | None


def unpack_backup(backup: Path, work: Path) -> UnpackedBackup:
    """Check ``backup`` and make its parts available under ``work``."""
    if not backup.is_file():
        raise BackupError(f"{backup}: no such file")
    if not is_archive(backup):
        database = work / DATABASE_MEMBER
        shutil.copyfile(backup, database)
        check_backup_database(database, backup)
        return UnpackedBackup(database=database, files_dir=None, secret_key=None)
    try:
        with tarfile.open(backup, "r:gz") as archive:
            names = set(archive.getnames())
            if DATABASE_MEMBER not in names:
                raise BackupError(f"{backup}: not an Accord backup (no {DATABASE_MEMBER} inside)")
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{backup}: cannot read the archive ({exc})") from None
    database = work / DATABASE_MEMBER
    check_backup_database(database, backup)
    files_dir = work / FILES_MEMBER
    secret_key = work / SECRET_KEY_MEMBER
    return UnpackedBackup(
        database=database,
        files_dir=files_dir if files_dir.is_dir() else None,
        secret_key=secret_key if secret_key.is_file() else None,
    )


def check_backup_database(database: Path, shown_as: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            problems = integrity_problems(connection)
            has_migrations = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown_as}: not a SQLite database ({exc})") from None
    if problems:
        raise BackupError(
            f"{shown_as}: the database failed its integrity check: {'; '.join(problems[:5])}"
        )
    if not has_migrations:
        raise BackupError(f"{shown_as}: not an Accord database (no django_migrations table)")


def restore_database(backup_database: Path, target: sqlite3.Connection) -> None:
    """Copy ``backup_database`` into the live database behind ``target``, then verify it."""
    source = sqlite3.connect(f"file:{backup_database}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
    problems = integrity_problems(target)
    if problems:
        raise BackupError(
            f"the restored database failed its integrity check: {'; '.join(problems[:5])}"
        )


def replace_directory(new: Path, current: Path, suffix: str) -> Path | None:
    """Move ``current`` aside (returned) and put a copy of ``new`` in its place."""
    kept: Path | None = None
    if current.exists():
        kept = current.with_name(f"{current.name}.before-restore-{suffix}")
        current.rename(kept)
    shutil.copytree(new, current)
    return kept


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest ``accord-*`` backups in ``directory``."""
    backups = sorted(
        (p for p in directory.glob("accord-*") if p.is_file() and is_archive(p)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = backups[keep:]
    for path in removed:
        path.unlink()
    return removed
