"""accord backup: an online, consistent backup."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accord.core.management import backups


def pg_dump_command(settings_dict: dict[str, Any], output: Path) -> list[str]:
    """The pg_dump command line for the configured PostgreSQL database (no password)."""
    argv = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
    if settings_dict.get("HOST"):
        argv.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        argv.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        argv.append(f"--username={settings_dict['USER']}")
    argv += [f"--file={output}", str(settings_dict["NAME"])]
    return argv


class Command(BaseCommand):
    help = (
        "Back up Accord while it runs. On SQLite: a consistent copy of the database (SQLite's "
        "online backup API), the uploaded files and the generated secret key in one .tar.gz "
        "under $ACCORD_DATA_DIR/backups/ (or -o FILE; a FILE ending in .sqlite3 gets the "
        "database alone). On PostgreSQL: runs pg_dump when it is installed, else prints the "
        "pg_dump command to use. Restore with `accord restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="Where to write the backup (default: "
            "$ACCORD_DATA_DIR/backups/accord-YYYYMMDD-HHMMSS.tar.gz).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="Afterwards delete all but the N newest accord-*.tar.gz backups in the "
            "default backup directory (for a nightly cron job).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = options["keep"]
        if keep is not None and keep < 1:
            raise CommandError("--keep: expected a number of at least 1")
        backup_dir = Path(settings.DATA_DIR) / "backups"
        if connection.vendor == "postgresql":
            self.backup_postgresql(options["output"], backup_dir)
            return
        if connection.vendor != "sqlite":
            raise CommandError(
                f"accord backup supports SQLite and PostgreSQL, not {connection.vendor}"
            )

        output: Path = options["output"] or backup_dir / f"accord-{backups.timestamp()}.tar.gz"
        output = output.expanduser().resolve()
        if output.exists():
            raise CommandError(f"--output: {output} exists; choose another name")
        connection.ensure_connection()
        source = connection.connection
        assert source is not None
        try:
            result = backups.write_backup(
                source,
                output,
                files_dir=Path(settings.MEDIA_ROOT),
                secret_key_file=Path(settings.DATA_DIR) / "secret_key",
            )
        except (backups.BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}") from None
        size_mb = result.database_bytes / 1_000_000
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path} "
                f"(database {size_mb:.1f} MB, {result.files} uploaded files)."
            )
        )
        if keep is not None:
            removed = backups.prune_backups(backup_dir, keep)
            if removed:
                self.stdout.write(f"Removed {len(removed)} older backups (kept {keep}).")

    def backup_postgresql(self, output: Path | None, backup_dir: Path) -> None:
        settings_dict = connection.settings_dict
        target = output or backup_dir / f"accord-{backups.timestamp()}.dump"
        argv = pg_dump_command(settings_dict, target)
        if shutil.which("pg_dump") is None:
            raise CommandError(
                "pg_dump is not installed (Debian: apt install postgresql-client). Back up with:\n"
                f"  PGPASSWORD=... {' '.join(argv)}\n"
                f"and copy the uploaded files in {settings.MEDIA_ROOT}. See docs/operations.md."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
        self.stdout.write(f"Running: {' '.join(argv)}")
        completed = subprocess.run(argv, env=env, check=False)
        if completed.returncode != 0:
            raise CommandError(f"pg_dump failed with exit code {completed.returncode}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Database dump written to {target}. Copy the uploaded files in "
                f"{settings.MEDIA_ROOT} too. Restore with: pg_restore --clean --if-exists "
                f"--no-owner --dbname=NAME {target}"
            )
        )
