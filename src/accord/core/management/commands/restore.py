"""accord restore: put a SQLite backup back."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accord.core.management import backups


class Command(BaseCommand):
    help = (
        "Replace the SQLite database (and, from a .tar.gz backup, the uploaded files and the "
        "secret key) with a backup made by `accord backup`. The backup is verified first "
        "(PRAGMA integrity_check) and the current database is saved beside the backups. "
        "Stop `accord serve`, `accord web` and the workers before restoring, then run "
        "`accord migrate` (serve does it) in case the backup is from an older version. "
        "PostgreSQL is restored with pg_restore (see docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, metavar="FILE", help="The backup to restore.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that the current data may be replaced (required).",
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="Restore the database only; leave uploaded files and the secret key alone.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor == "postgresql":
            raise CommandError(
                "accord restore handles SQLite backups. For PostgreSQL stop Accord and run:\n"
                "  pg_restore --clean --if-exists --no-owner --dbname=NAME BACKUP.dump\n"
                "See docs/operations.md."
            )
        if connection.vendor != "sqlite":
            raise CommandError(f"accord restore supports SQLite, not {connection.vendor}")
        backup: Path = options["backup"].expanduser().resolve()
        database_name = connection.settings_dict["NAME"]
        if not options["yes"]:
            raise CommandError(
                f"This replaces the database {database_name} with {backup}. Stop the Accord "
                "server and workers first, then run again with --yes."
            )
        data_dir = Path(settings.DATA_DIR)
        backup_dir = data_dir / "backups"
        stamp = backups.timestamp()
        with tempfile.TemporaryDirectory(prefix=".accord-restore-", dir=data_dir) as work:
            try:
                unpacked = backups.unpack_backup(backup, Path(work))
            except backups.BackupError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{backup}: integrity check ok.")

            connection.ensure_connection()
            live = connection.connection
            assert live is not None
            saved = backup_dir / f"before-restore-{stamp}.sqlite3"
            backup_dir.mkdir(parents=True, exist_ok=True)
            try:
                backups.copy_database(live, saved)
                os.chmod(saved, 0o600)
                backups.restore_database(unpacked.database, live)
            except (backups.BackupError, OSError) as exc:
                raise CommandError(f"restore failed: {exc}") from None
            self.stdout.write(f"Database restored (the previous one is saved as {saved}).")

            if not options["no_files"]:
                if unpacked.files_dir is not None:
                    kept = backups.replace_directory(
                        unpacked.files_dir, Path(settings.MEDIA_ROOT), stamp
                    )
                    moved = f" (previous files moved to {kept})" if kept else ""
                    self.stdout.write(f"Uploaded files restored{moved}.")
                if unpacked.secret_key is not None:
                    key_file = data_dir / "secret_key"
                    new_key = unpacked.secret_key.read_text().strip()
                    if not key_file.exists() or key_file.read_text().strip() != new_key:
                        if key_file.exists():
                            key_file.rename(data_dir / f"secret_key.before-restore-{stamp}")
                        key_file.write_text(new_key)
                        os.chmod(key_file, 0o600)
                        self.stdout.write("Secret key restored.")
        self.stdout.write(
            self.style.SUCCESS(
                "Restore complete. Run `accord migrate` (accord serve does) and start Accord."
            )
        )
